// Whole-network figures: compile time with and without the shipped schedules, and per backend the
// wall time, simulated cycles and cycles/s of one run, every output checked against fsim's.
// usage: bench_network CONFIG MODEL.onnx INPUT.npy [runs] [backend ...]   (default backends: fsim rtl)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/import/onnx_import.h"
#include "compiler/network/compile_network.h"
#include "compiler/search/schedule_cache.h"
#include "driver/device.h"
#include "isa/npy.h"

using namespace tessera;
using namespace tessera::compiler;

namespace {

struct Spread {
  double min, median, max;
};

// Seconds of `runs` calls of f, as min / median / max.
Spread timed(int runs, const std::function<void()>& f) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return {t.front(), t[t.size() / 2], t.back()};
}

// The cost model against the RTL per accelerator step, and the largest error per kind of step.
void print_model_error(const DeviceRun& r) {
  std::printf("  %-34s %-9s %12s %12s %8s\n", "step (cost model vs RTL)", "op", "predicted", "measured", "error");
  std::map<std::string, double> worst;
  for (const StepRun& s : r.steps) {
    if (s.host || !s.report.cycles) continue;
    const double err = 100.0 * (double(s.predicted_cycles) - double(s.report.cycles)) / double(s.report.cycles);
    std::printf("  %-34s %-9s %12llu %12llu %7.1f%%\n", s.name.substr(0, 34).c_str(), s.op.c_str(),
                (unsigned long long)s.predicted_cycles, (unsigned long long)s.report.cycles, err);
    worst[s.op] = std::max(worst[s.op], std::abs(err));
  }
  for (const auto& [op, e] : worst) std::printf("  largest |error| of %-9s %6.1f%%\n", op.c_str(), e);
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_network CONFIG MODEL.onnx INPUT.npy [runs] [backend ...]\n");
    return 2;
  }
  const std::string cfg_file = argv[1], model = argv[2];
  const int runs = argc > 4 ? std::max(1, std::atoi(argv[4])) : 5;
  std::vector<std::string> backends(argv + std::min(argc, 5), argv + argc);
  if (backends.empty()) backends = {"fsim", "rtl"};
  const DerivedConfig cfg = load_derived(cfg_file);
  const Network net = import_onnx_network_file(model);

  CompileOptions searched, shipped;
  shipped.shipped_schedules = search::shipped_database_path(cfg_file);
  CompiledNetwork c;
  std::printf("%s on %s, %d runs (min / median / max)\n", model.c_str(), cfg.hw.name.c_str(), runs);
  for (const auto& [label, opt] : {std::pair{"compile, every schedule searched", &searched},
                                   std::pair{"compile, shipped schedules first", &shipped}}) {
    const Spread s = timed(runs, [&] { c = compile_network(net, cfg, *opt); });
    std::printf("  %-34s %8.3f / %8.3f / %8.3f s\n", label, s.min, s.median, s.max);
  }
  double predicted = 0;
  for (const auto& r : c.report) predicted += r.cycles;
  std::printf("  predicted cycles                   %12.0f\n", predicted);

  const std::map<std::string, NpyArray> inputs = {{net.inputs.at(0), read_npy_file(argv[3])}};
  std::map<std::string, NpyArray> reference;
  int bad = 0;
  for (const auto& name : backends) {
    Device dev(cfg, name);
    DeviceRun r;
    // The slow simulators once; fsim as often as asked.
    const Spread s = timed(name == "fsim" ? runs : 1, [&] { r = dev.run(c.program, inputs); });
    if (name == "fsim") reference = r.outputs;
    const bool same = reference.empty() || r.outputs == reference;
    bad += !same;
    std::printf("  run on %-8s %8.3f s median wall", name.c_str(), s.median);
    if (r.report.cycles)
      std::printf(", %10llu cycles (%.2f M cycles/s simulated)", (unsigned long long)r.report.cycles,
                  double(r.report.cycles) / s.median / 1e6);
    std::printf("%s\n", name == "fsim" ? " (untimed)" : same ? ", outputs equal fsim's" : ", OUTPUTS DIFFER FROM FSIM");
    if (name == "rtl") print_model_error(r);
  }
  return bad ? 1 : 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_network: %s\n", e.what());
  return 1;
}
