// `tessera run`: execute a .tsp program on a backend with .npy inputs and outputs, print the counters.
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

}  // namespace

void add_run_command(CLI::App& app) {
  auto* run = app.add_subcommand("run", "Run a .tsp program on a backend");
  static std::string backend = "fsim", program, cfg_file, stats_json;
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
  run->add_option("--vcd", opt.vcd_path, "rtl: write a VCD waveform (converted from FST after the run; may go with --fst)");
  run->add_option("--fst", opt.fst_path, "rtl: write an FST waveform (not in a -DTESSERA_RTL_TRACE=VCD build)");
  run->add_option("--trace", opt.trace_path, "rtl: write a Perfetto/Chrome trace of unit activity");
  run->add_option("--max-cycles", opt.max_cycles, "rtl: stop after this many cycles");
  run->add_option("--xclbin", opt.xclbin_path, "xrt: FPGA bitstream holding the tessera kernel");
  run->callback([] {
    const Program p = read_program_file(program);
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
    const DeviceRun r = dev.run(p, inputs, opt);
    for (const auto& [name, path] : out_paths) write_npy_file(r.outputs.at(name), path);
    std::cout << r.report.to_text(cfg);
    if (!stats_json.empty()) std::ofstream(stats_json) << r.report.to_json(cfg).dump(2) << "\n";
  });
}

}  // namespace tessera::cli
