// tessera_cosim_random: runs constrained-random programs through RTL-vs-fsim lockstep co-simulation.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "sim/cosim/lockstep.h"
#include "sim/cosim/random_program.h"

int main(int argc, char** argv) {
  CLI::App app{"Lockstep co-simulation of constrained-random programs (RTL model vs functional simulator)"};
  std::string config = "default";
  uint64_t seed = 1;
  int64_t count = 100;
  bool keep_going = false;
  std::string style = "mixed";
  tessera::CosimOptions opt;
  app.add_option("--config", config, "config name (configs/<name>.json) or path to a config file");
  app.add_option("--seed", seed, "seed of the first program; program k uses seed + k");
  app.add_option("--count", count, "number of programs");
  app.add_flag("--keep-going", keep_going, "continue after a failing program");
  app.add_option("--style", style, "random: free-form programs; pipeline: double-buffered tiles; mixed: every "
                                   "fourth program (k % 4 == 3) is a pipeline")
      ->check(CLI::IsMember({"random", "pipeline", "mixed"}));
  app.add_option("--vcd", opt.rtl.vcd_path, "waveform of the (last) program run, to debug one seed");
  app.add_option("--trace", opt.rtl.trace_path, "Perfetto trace-event JSON of the (last) program run");
  CLI11_PARSE(app, argc, argv);

  using namespace tessera;
  const std::string path = config.find('/') == std::string::npos && config.find(".json") == std::string::npos
                               ? std::string(TESSERA_SOURCE_DIR) + "/configs/" + config + ".json"
                               : config;
  try {
    const DerivedConfig cfg = load_derived(path);
    auto rtl = make_rtl_sim(cfg);
    int64_t failures = 0;
    uint64_t cycles = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t k = 0; k < count; ++k) {
      const bool pipeline = style == "pipeline" || (style == "mixed" && k % 4 == 3);
      const RandomProgram p = pipeline ? pipeline_program(cfg, seed + uint64_t(k)) : random_program(cfg, seed + uint64_t(k));
      std::string error;
      try {
        const CosimResult r = run_lockstep(*rtl, p.insns, p.dram, opt);
        cycles += r.rtl.sim_cycles;
        if (!r.ok) error = r.divergence;
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (!error.empty()) {
        ++failures;
        std::printf("FAIL config %s --style %s --seed %llu (%zu instructions): %s\n", cfg.hw.name.c_str(),
                    pipeline ? "pipeline" : "random", static_cast<unsigned long long>(seed + uint64_t(k)),
                    p.insns.size(), error.c_str());
        if (!keep_going) break;
      }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s: %lld programs from seed %llu, %lld failed, %llu RTL cycles, %.1f s\n", cfg.hw.name.c_str(),
                static_cast<long long>(count), static_cast<unsigned long long>(seed), static_cast<long long>(failures),
                static_cast<unsigned long long>(cycles), s);
    return failures ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_cosim_random: %s\n", e.what());
    return 2;
  }
}
