// tessera_systemc_demo: runs a program (.tsp or .s) on the SystemC/TLM-2.0 model and prints the cycle counts.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "driver/tensor_io.h"
#include "isa/asm.h"
#include "isa/npy.h"
#include "isa/program.h"
#include "sim/fsim/fsim.h"
#include "sim/systemc/tlm_system.h"

namespace {

using namespace tessera;

// "name=path" pairs from the command line, naming the argument in errors.
std::map<std::string, std::string> named_files(const std::vector<std::string>& args, const char* option) {
  std::map<std::string, std::string> out;
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size())
      throw std::runtime_error(std::string(option) + " '" + a + "': expected NAME=FILE.npy");
    out[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return out;
}

const TensorInfo& tensor(const Program& p, const std::string& name, TensorDir dir, const std::string& origin) {
  for (const TensorInfo& t : p.tensors)
    if (t.name == name && t.dir == dir) return t;
  throw std::runtime_error(origin + ": the program has no " + tensor_dir_name(dir) + " tensor '" + name + "'");
}

// A .s file is assembled for `cfg` (docs/assembly.md); anything else is read as a .tsp container.
Program load_program(const std::string& path, const DerivedConfig& cfg) {
  if (path.size() < 2 || path.compare(path.size() - 2, 2, ".s") != 0) return read_program_file(path);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return assemble(text, cfg, path);
}

int demo(int argc, char** argv) {
  CLI::App app{"Run a tessera program on the SystemC/TLM-2.0 model (RTL behind TLM sockets)"};
  std::string config_path, program_path;
  std::vector<std::string> inputs, outputs;
  int latency = -1;
  bool check_fsim = false;
  TlmOptions opt;
  app.add_option("config", config_path, "accelerator config JSON")->required()->check(CLI::ExistingFile);
  app.add_option("program", program_path, "compiled program (.tsp) or assembly (.s)")->required()->check(CLI::ExistingFile);
  app.add_option("--input", inputs, "NAME=FILE.npy for an input tensor");
  app.add_option("--output", outputs, "NAME=FILE.npy: write an output tensor");
  app.add_option("--latency", latency, "memory latency in clock cycles (default: the config's dram.latency_cycles)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--vcd", opt.vcd_path, "write the RTL waveform as VCD (plain text: tens of times the size of FST)");
  app.add_option("--fst", opt.fst_path, "write the RTL waveform as FST (compact; GTKWave and Surfer open it)");
  app.add_option("--wave-from", opt.waves.from, "waveforms: first clock cycle kept (cycles count from reset)");
  app.add_option("--wave-to", opt.waves.to, "waveforms: last clock cycle kept");
  app.add_option("--wave-last", opt.waves.last, "waveforms: keep only the last N cycles before the end, failure or deadlock");
  app.add_option("--wave-scope", opt.waves.scope, "waveforms: keep one instance below tessera_top, e.g. u_compute");
  app.add_flag("--check-fsim", check_fsim, "also run the functional simulator and compare the whole DRAM image");
  CLI11_PARSE(app, argc, argv);

  const DerivedConfig cfg = load_derived(config_path);
  const Program program = load_program(program_path, cfg);
  if (derive(program.config, program_path).hash != cfg.hash)
    throw std::runtime_error(program_path + ": compiled for config '" + program.config.name + "', not '" +
                             cfg.hw.name + "' (" + config_path + ")");
  std::vector<uint8_t> dram = initial_dram(program, cfg);
  for (const auto& [name, file] : named_files(inputs, "--input"))
    place_tensor(read_npy_file(file), tensor(program, name, TensorDir::INPUT, "--input"), dram);
  const std::vector<uint8_t> dram_before = dram;

  const sc_core::sc_time period = TesseraTlm::clock_period(cfg);
  const int latency_cycles = latency >= 0 ? latency : cfg.hw.dram_latency_cycles;
  TlmSystem sys("top", cfg, opt, period * latency_cycles);
  const TlmRunStats st = run_program(sys, program.insns, dram);

  std::printf("config %s, %zu instructions, clock %s, memory latency %d cycles\n", cfg.hw.name.c_str(),
              program.insns.size(), period.to_string().c_str(), latency_cycles);
  std::printf("cycles (CYCLES register, ap_start to ap_done): %llu\n", static_cast<unsigned long long>(st.cycles));
  std::printf("clocked cycles incl. reset and register accesses: %llu; the host's run took %s of simulated time\n",
              static_cast<unsigned long long>(sys.accel.cycles()), st.elapsed.to_string().c_str());
  std::printf("busy/stall cycles: load %u/%u, compute %u/%u, store %u/%u; GEMM uops %u, ALU uops %u\n", st.busy[0],
              st.stall[0], st.busy[1], st.stall[1], st.busy[2], st.stall[2], st.gemm_uops, st.alu_uops);
  std::printf("DRAM transactions (one per AXI burst): %llu reads, %llu writes\n",
              static_cast<unsigned long long>(sys.memory.reads()), static_cast<unsigned long long>(sys.memory.writes()));
  for (const auto& [name, file] : named_files(outputs, "--output")) {
    write_npy_file(fetch_tensor(tensor(program, name, TensorDir::OUTPUT, "--output"), dram), file);
    std::printf("wrote %s to %s\n", name.c_str(), file.c_str());
  }
  if (check_fsim) {
    std::vector<uint8_t> golden = dram_before;
    Fsim(cfg).run(program.insns, golden);
    size_t differ = 0;
    for (size_t i = 0; i < golden.size(); ++i) differ += golden[i] != dram[i];
    std::printf("fsim check: %zu of %zu DRAM bytes differ\n", differ, golden.size());
    if (differ) return 1;
  }
  return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // "stopped by user"
  try {
    return demo(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_systemc_demo: %s\n", e.what());
    return 1;
  }
}
