// `tessera run`: execute a .tsp program on a backend with .npy inputs and outputs, print the counters.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "driver/device.h"
#include "isa/npy.h"

namespace tessera::cli {
namespace {

// NAME=path pairs from --input/--output.
std::pair<std::string, std::string> split_binding(const std::string& s, const char* what) {
  const auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    throw std::runtime_error(std::string(what) + " '" + s + "' is not of the form NAME=FILE.npy");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

// A step's roofline: its cycles at the full MAC rate or at the full DRAM rate, whichever is more.
struct Roofline {
  double cycles = 0;
  const char* bound = "";
};
Roofline roofline(const StepRun& s, const DerivedConfig& cfg) {
  if (s.host) return {};
  const double at_peak = double(s.macs) / double(cfg.hw.batch * cfg.hw.block_in * cfg.hw.block_out);
  const double at_bus = double(s.report.bytes_read + s.report.bytes_written) / std::max(1, cfg.hw.dram_bytes_per_cycle);
  return {std::max(at_peak, at_bus), at_peak >= at_bus ? "compute" : "memory"};
}

// The per-step table of a network run: where each step ran, its cycles (measured on a timed backend,
// predicted otherwise), MAC utilization, DRAM bytes and its roofline bound.
void print_steps(const DeviceRun& r, const DerivedConfig& cfg, std::ostream& os) {
  const bool timed = r.report.cycles > 0;
  const double peak = double(cfg.hw.batch * cfg.hw.block_in * cfg.hw.block_out);
  char line[400];
  std::snprintf(line, sizeof line, "%-30s %-9s %-5s %12s %13s %7s %12s %10s %-7s\n", "step", "op", "where",
                timed ? "cycles" : "pred. cycles", "MACs", "util %", "DRAM bytes", "roofline", "bound");
  os << line;
  double cycles = 0, macs = 0, bytes = 0, roof = 0;
  for (const StepRun& s : r.steps) {
    const double c = s.host ? 0 : timed ? double(s.report.cycles) : double(s.predicted_cycles);
    const double b = double(s.report.bytes_read + s.report.bytes_written);
    const Roofline rl = roofline(s, cfg);
    std::snprintf(line, sizeof line, "%-30s %-9s %-5s %12.0f %13lld %7.1f %12.0f %10.0f %-7s\n",
                  s.name.substr(0, 30).c_str(), s.op.substr(0, 9).c_str(), s.host ? "host" : "accel", c,
                  (long long)s.macs, c > 0 ? 100.0 * double(s.macs) / (peak * c) : 0.0, b, rl.cycles, rl.bound);
    os << line;
    cycles += c, macs += double(s.macs), bytes += b, roof += rl.cycles;
  }
  std::snprintf(line, sizeof line, "%-30s %-9s %-5s %12.0f %13.0f %7.1f %12.0f %10.0f\n", "total", "", "", cycles, macs,
                cycles > 0 ? 100.0 * macs / (peak * cycles) : 0.0, bytes, roof);
  os << line << "compute roofline: " << int64_t(macs / peak) << " cycles at " << peak << " MACs/cycle; per-step rooflines: "
     << int64_t(roof) << " cycles\n";
}

}  // namespace

std::string tensor_file_name(const std::string& tensor) {
  std::string s = tensor;
  for (char& ch : s)
    if (ch == '/' || ch == ':' || ch == '\\') ch = '_';
  return s;
}

void add_run_command(CLI::App& app) {
  auto* run = app.add_subcommand("run", "Run a .tsp program on a backend");
  static std::string backend = "fsim", program, cfg_file, stats_json, dump_dir, semantics = "tessera", dram_capacity;
  static std::vector<std::string> ins, outs;
  static RunOptions opt;
  std::string avail;
  for (const auto& n : backend_names()) avail += (avail.empty() ? "" : "|") + n;
  run->add_option("-b,--backend", backend, "execution backend: " + avail)->capture_default_str();
  run->add_option("-p,--program", program, ".tsp program")->required()->check(CLI::ExistingFile);
  run->add_option("-c,--config", cfg_file, "device config (default: the config the program was compiled for)")
      ->check(CLI::ExistingFile);
  run->add_option("-i,--input", ins, "NAME=file.npy for each program input");
  run->add_option("-o,--output", outs, "NAME=file.npy for outputs to write");
  run->add_option("--stats-json", stats_json, "write the run's counters as JSON");
  run->add_option("--vcd", opt.vcd_path,
                  "rtl, systemc: write a VCD waveform: plain text, 20-40x the size of FST (a whole conv can "
                  "take gigabytes; narrow it with --wave-*)");
  run->add_option("--fst", opt.fst_path,
                  "rtl, systemc: write an FST waveform: the compact format (GTKWave, Surfer); may go with --vcd");
  run->add_option("--wave-from", opt.waves.from, "waveforms: first clock cycle to keep (cycles count from reset, "
                                                  "as the deadlock reports and sim_cycles do)");
  run->add_option("--wave-to", opt.waves.to, "waveforms: last clock cycle to keep");
  run->add_option("--wave-last", opt.waves.last,
                  "waveforms: keep only the last N cycles before the run ends, fails or deadlocks");
  run->add_option("--wave-scope", opt.waves.scope,
                  "waveforms: keep one instance and what is below it, named from tessera_top (u_compute, u_load, "
                  "u_compute.g_pipe[1].u_pipe, ...)");
  run->add_option("--trace", opt.trace_path, "rtl: write a Perfetto/Chrome trace of unit activity");
  run->add_option("--max-cycles", opt.max_cycles, "rtl: stop after this many cycles");
  run->add_option("--dram-capacity", dram_capacity,
                  "device DRAM in bytes (suffix K, M, G, T; default 4G); a program declaring more is refused");
  run->add_option("--xclbin", opt.xclbin_path, "xrt: FPGA bitstream holding the tessera kernel");
  run->add_option("--dump-activations", dump_dir,
                  "write every tensor a network step produces as DIR/<tensor>.npy (order in DIR/tensors.txt)");
  run->add_option("--semantics", semantics,
                  "fsim: tessera (default) or vta: follow Apache TVM VTA's rules where they differ (FINISH ends the "
                  "run when compute executes it, ALU ignores reset; docs/vta.md)")
      ->capture_default_str();
  run->callback([] {
    if (!parse_semantics(semantics, &opt.semantics))
      throw std::runtime_error("--semantics '" + semantics + "': expected tessera or vta");
    if (opt.semantics != Semantics::TESSERA && backend != "fsim")
      throw std::runtime_error("--semantics " + semantics + " is a mode of the fsim backend; the " + backend +
                               " backend runs tessera's semantics");
    if (!dram_capacity.empty() && !parse_byte_count(dram_capacity, &opt.dram_capacity))
      throw std::runtime_error("--dram-capacity '" + dram_capacity + "': expected a byte count such as 4G or 512M");
    const Program p = read_program_file(program);
    opt.program_origin = program;
    check_dram_capacity(p, opt.dram_capacity ? opt.dram_capacity : kDefaultDramCapacity, program);
    const DerivedConfig cfg = cfg_file.empty() ? derive(p.config, program) : load_derived(cfg_file);
    std::map<std::string, NpyArray> inputs;
    for (const auto& b : ins) {
      const auto [name, path] = split_binding(b, "--input");
      inputs[name] = read_npy_file(path);
    }
    std::map<std::string, std::string> out_paths;
    for (const auto& b : outs) {
      const auto [name, path] = split_binding(b, "--output");
      bool known = false;
      for (const auto& t : p.tensors) known |= t.name == name && t.dir == TensorDir::OUTPUT;
      if (!known) throw std::runtime_error("the program has no output named '" + name + "'");
      out_paths[name] = path;
    }
    Device dev(cfg, backend);
    TensorHook dump;
    std::ofstream order;
    if (!dump_dir.empty()) {
      std::filesystem::create_directories(dump_dir);
      order.open(dump_dir + "/tensors.txt");
      if (!order) throw std::runtime_error(dump_dir + ": cannot write tensors.txt");
      dump = [&](const TensorInfo& t, const NpyArray& a) {
        write_npy_file(a, dump_dir + "/" + tensor_file_name(t.name) + ".npy");
        order << t.name << "\n";
      };
    }
    const DeviceRun r = dev.run(p, inputs, opt, dump);
    for (const auto& [name, path] : out_paths) write_npy_file(r.outputs.at(name), path);
    if (!r.steps.empty()) print_steps(r, cfg, std::cout);
    std::cout << r.report.to_text(cfg);
    if (!stats_json.empty()) {
      auto j = r.report.to_json(cfg);
      for (const StepRun& s : r.steps) {
        nlohmann::ordered_json js = s.host ? nlohmann::ordered_json::object() : s.report.to_json(cfg);
        js["step"] = s.name, js["op"] = s.op, js["where"] = s.host ? "host" : "accel";
        js["macs"] = s.macs, js["predicted_cycles"] = s.predicted_cycles;
        if (!s.host) js["roofline_cycles"] = roofline(s, cfg).cycles, js["bound"] = roofline(s, cfg).bound;
        j["steps"].push_back(js);
      }
      std::ofstream(stats_json) << j.dump(2) << "\n";
    }
  });
}

}  // namespace tessera::cli
