// `tessera export-vta`: a --isa vta program as the raw files Apache TVM VTA's runtime loads
// (docs/vta.md): instructions and micro-ops in VTA's binary layout, the DRAM image, and a manifest,
// with every dram_base relocated to a physical base address as VTA's runtime computes it
// (phys_addr / element_bytes of the memory type; VTA has no base register).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "isa/program.h"
#include "sim/fsim/vta_check.h"

namespace tessera::cli {
namespace {

uint64_t parse_address(const std::string& s) {
  size_t used = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(s, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size() || s[0] == '-')
    throw std::runtime_error("--base '" + s + "': not an address (decimal, or hex with 0x)");
  return v;
}

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

void write_file(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error(p.string() + ": cannot write");
}

constexpr MemType kVtaMemTypes[] = {MemType::UOP, MemType::WGT, MemType::INP, MemType::ACC, MemType::OUT,
                                    MemType::ACC_8BIT};

void export_vta(const std::string& program, const std::string& base_text, const std::string& dir) {
  const Program p = read_program_file(program);
  const DerivedConfig cfg = derive(p.config, program);
  for (const Step& s : p.steps)
    if (s.kind == StepKind::HOST)
      throw std::runtime_error(program + ": step '" + s.name + "' (" + s.op +
                               ") runs on the host; export-vta exports programs whose steps all run on the "
                               "accelerator");
  const auto issues = vta_stream_issues(p.insns, cfg);
  if (!issues.empty()) {
    // Each distinct problem once, at its first instruction, with how often it occurs.
    std::vector<std::pair<const VtaIssue*, size_t>> distinct;
    for (const VtaIssue& i : issues) {
      auto it = std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first->message == i.message; });
      if (it == distinct.end()) distinct.push_back({&i, 1});
      else ++it->second;
    }
    std::string why = program + ": not a --isa vta program (compile it with --isa vta):";
    for (const auto& [i, n] : distinct)
      why += "\n  " + (i->insn_index >= 0 ? "instruction " + std::to_string(i->insn_index) + ": " : "") + i->message +
             (n > 1 ? " (and " + std::to_string(n - 1) + " more)" : "");
    throw std::runtime_error(why);
  }
  const uint64_t base = parse_address(base_text);
  if (base == 0) throw std::runtime_error("--base 0: physical address 0 is invalid on VTA (its runtime treats it as null)");
  int64_t align = 1;
  MemType widest = MemType::UOP;
  for (MemType m : kVtaMemTypes)
    if (cfg.elem_bytes(int(m)) > align) align = cfg.elem_bytes(int(m)), widest = m;
  if (base % uint64_t(align))
    throw std::runtime_error("--base " + hex(base) + ": not a multiple of " + std::to_string(align) + " bytes (the " +
                             mem_type_name(int(widest)) + " element on config '" + cfg.hw.name +
                             "'); VTA's dram_base counts elements of the memory type (phys_addr / element_bytes), "
                             "so the base must be a whole number of every element size");
  if (base + p.dram_bytes > (uint64_t{1} << 32))
    throw std::runtime_error("--base " + hex(base) + ": the image of " + std::to_string(p.dram_bytes) +
                             " bytes would end at " + hex(base + p.dram_bytes) +
                             ", past VTA's 32-bit physical address space");

  // Relocation: dram_base' = base / element_bytes + dram_base, as VTA's runtime adds phys_addr / elem_bytes.
  const IsaCodec codec(cfg.layout);
  std::vector<uint8_t> insns(p.insns.size() * size_t(codec.insn_bytes()));
  std::vector<nlohmann::ordered_json> runs;
  size_t run_begin = 0;
  for (size_t n = 0; n < p.insns.size(); ++n) {
    Insn in = p.insns[n];
    const Opcode op = in.opcode();
    if ((op == Opcode::LOAD || op == Opcode::STORE) && in[Field::X_SIZE] > 0)
      in[Field::DRAM_BASE] += int64_t(base / uint64_t(cfg.elem_bytes(int(in[Field::MEMORY_TYPE]))));
    codec.encode_bytes(in, insns.data() + n * size_t(codec.insn_bytes()));
    if (op == Opcode::FINISH) {
      nlohmann::ordered_json r;
      r["first_insn"] = run_begin, r["insn_count"] = n + 1 - run_begin;
      r["byte_offset"] = run_begin * size_t(codec.insn_bytes());
      runs.push_back(r);
      run_begin = n + 1;
    }
  }
  std::vector<uint8_t> uops(p.uops.size() * size_t(codec.uop_bytes()));
  for (size_t k = 0; k < p.uops.size(); ++k) codec.encode_uop(p.uops[k], uops.data() + k * size_t(codec.uop_bytes()));

  const std::filesystem::path out(dir);
  std::filesystem::create_directories(out);
  write_file(out / "insns.bin", insns);
  write_file(out / "uops.bin", uops);
  write_file(out / "dram.bin", initial_dram(p, cfg));

  nlohmann::ordered_json m;
  m["format"] = "tessera export-vta 1";
  m["program"] = program;
  m["config"] = cfg.hw.name, m["config_hash"] = cfg.hash_hex();
  m["base"] = base, m["base_hex"] = hex(base);
  m["dram_image"] = {{"file", "dram.bin"}, {"phys_addr", base}, {"bytes", p.dram_bytes}};
  m["instructions"] = {{"file", "insns.bin"}, {"count", p.insns.size()}, {"insn_bytes", codec.insn_bytes()}};
  m["micro_ops"] = {{"file", "uops.bin"},
                    {"count", p.uops.size()},
                    {"uop_bytes", codec.uop_bytes()},
                    {"phys_addr", base + p.uop_dram_offset},
                    {"note", "already inside dram.bin; the LOAD UOP instructions read them there"}};
  m["runs"] = runs;
  nlohmann::ordered_json eb;
  for (MemType t : kVtaMemTypes) eb[mem_type_name(int(t))] = cfg.elem_bytes(int(t));
  m["element_bytes"] = eb;
  for (const TensorInfo& t : p.tensors) {
    nlohmann::ordered_json j;
    j["name"] = t.name, j["dir"] = tensor_dir_name(t.dir), j["dtype"] = dtype_name(t.dtype);
    j["shape"] = t.shape, j["layout"] = t.layout, j["scale"] = t.scale, j["zero_point"] = t.zero_point;
    j["phys_addr"] = base + t.dram_offset, j["offset"] = t.dram_offset, j["bytes"] = t.bytes;
    m["tensors"].push_back(j);
  }
  std::ofstream(out / "manifest.json") << m.dump(2) << "\n";
  std::cerr << "wrote " << dir << ": " << p.insns.size() << " instructions in " << runs.size() << " run(s), "
            << p.uops.size() << " micro-ops, " << p.dram_bytes << "-byte DRAM image at " << hex(base) << "\n";
}

}  // namespace

void add_export_vta_command(CLI::App& app) {
  auto* ex = app.add_subcommand("export-vta", "Write a --isa vta program as raw files for Apache TVM VTA's runtime (docs/vta.md)");
  static std::string program, base, dir;
  ex->add_option("program", program, ".tsp program compiled with --isa vta")->required()->check(CLI::ExistingFile);
  ex->add_option("--base", base, "physical byte address the DRAM image is placed at (VTA has no base register)")
      ->required();
  ex->add_option("-o,--output", dir, "directory to write insns.bin, uops.bin, dram.bin, manifest.json")->required();
  ex->callback([] { export_vta(program, base, dir); });
}

}  // namespace tessera::cli
