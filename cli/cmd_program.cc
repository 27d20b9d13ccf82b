// `tessera asm` and `tessera disasm`: assembly text <-> .tsp programs, and raw VTA instruction streams.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/commands.h"
#include "isa/asm.h"
#include "isa/config.h"
#include "isa/program.h"

namespace tessera::cli {
namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open file");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

void add_program_commands(CLI::App& app) {
  auto* as = app.add_subcommand("asm", "Assemble a program (docs/assembly.md) into a .tsp file");
  static std::string src, cfg_file, out;
  static bool no_tokens = false;
  as->add_option("source", src, "assembly text")->required()->check(CLI::ExistingFile);
  as->add_option("-c,--config", cfg_file, "accelerator config JSON")->required()->check(CLI::ExistingFile);
  as->add_option("-o,--output", out, "program file to write")->required();
  as->add_flag("--no-token-check", no_tokens, "skip the static dependency-token balance check");
  as->callback([] {
    const DerivedConfig cfg = load_derived(cfg_file);
    const auto bytes = read_bytes(src);
    AsmOptions opt;
    opt.check_tokens = !no_tokens;
    const Program p = assemble(std::string(bytes.begin(), bytes.end()), cfg, src, opt);
    write_program_file(p, out);
    std::cerr << "wrote " << out << ": " << p.insns.size() << " instructions, " << p.uops.size() << " micro-ops, "
              << p.tensors.size() << " tensors, " << p.dram_bytes << " DRAM bytes\n";
  });

  auto* dis = app.add_subcommand("disasm", "Print a .tsp program (or a raw instruction stream) as assembly");
  static std::string file, raw_cfg;
  static bool raw = false;
  dis->add_option("file", file, ".tsp program, or a bare instruction stream with --raw")
      ->required()
      ->check(CLI::ExistingFile);
  dis->add_flag("--raw", raw, "the file is a bare stream of encoded instructions (VTA layout at the default config)");
  dis->add_option("-c,--config", raw_cfg, "config of a --raw stream (default: configs/default.json's values)");
  dis->callback([] {
    if (raw) {
      const DerivedConfig cfg =
          raw_cfg.empty() ? derive(import_vta_config(R"({"LOG_INP_WIDTH":3,"LOG_WGT_WIDTH":3,"LOG_ACC_WIDTH":5,
              "LOG_BATCH":0,"LOG_BLOCK":4,"LOG_UOP_BUFF_SIZE":15,"LOG_INP_BUFF_SIZE":15,"LOG_WGT_BUFF_SIZE":18,
              "LOG_ACC_BUFF_SIZE":17})", "VTA default"))
                          : load_derived(raw_cfg);
      std::cout << disassemble_raw(read_bytes(file), IsaCodec(cfg.layout), file);
      return;
    }
    const Program p = read_program_file(file);
    std::cout << disassemble(p, derive(p.config, file));
  });
}

}  // namespace tessera::cli
