// Model-only throughput of tessera sweep: configs x whole workload per minute with --jobs threads,
// from a spec (default: bench/sweep/throughput_spec.json, 5,760 configs x ResNet-18, every layer's
// schedule searched, exact within the cost model). Also the same points without reuse across points
// (a fresh Evaluator per point: what a sweep calling the searcher per config would cost).
// usage: bench_sweep [SPEC.json] [--jobs N] [--cold K]   (K points timed without reuse; default 20)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sweep/run.h"

using namespace tessera::sweep;

int main(int argc, char** argv) {
  std::string spec_file = std::string(TESSERA_SOURCE_DIR) + "/bench/sweep/throughput_spec.json";
  int jobs = 2, cold = 20;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--jobs" && i + 1 < argc) jobs = std::atoi(argv[++i]);
    else if (a == "--cold" && i + 1 < argc) cold = std::atoi(argv[++i]);
    else if (a[0] != '-') spec_file = a;
    else {
      std::fprintf(stderr, "usage: bench_sweep [SPEC.json] [--jobs N] [--cold K]\n");
      return 2;
    }
  }
  try {
    const auto now = [] { return std::chrono::steady_clock::now(); };
    const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    const Spec spec = load_spec(spec_file);
    const auto t0 = now();
    Evaluator ev(spec);
    ev.per_layer = false;
    const double setup = secs(t0, now());
    RunOptions opt;
    opt.out = "/tmp/bench_sweep_" + std::to_string(::getpid());
    opt.jobs = jobs, opt.quiet = true;
    std::clock_t c0 = std::clock();
    const RunSummary s = run_sweep(spec, ev, opt);
    const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::system(("rm -rf " + opt.out).c_str());
    std::printf("spec %s: %lld points (%lld illegal), --jobs %d\n", spec_file.c_str(), (long long)s.points,
                (long long)s.illegal, jobs);
    std::printf("setup (workload import, random weights): %.2f s\n", setup);
    std::printf("sweep: %.2f s wall, %.2f s CPU: %.0f configs/minute wall (%.1f ms CPU per config)\n", s.seconds, cpu,
                60.0 * double(s.points) / s.seconds, 1000 * cpu / double(s.points));
    std::printf("legal points only: %.0f configs/minute wall\n", 60.0 * double(s.points - s.illegal) / s.seconds);
    std::printf("search: %lld layer searches, %lld cost families built, %lld schedules evaluated, %lld memo hits, "
                "%lld tilings walked\n",
                (long long)s.search.searches, (long long)s.search.family_builds, (long long)s.search.evaluations,
                (long long)s.search.memo_hits, (long long)s.search.walked);
    if (cold > 0) {  // no reuse: a fresh evaluator (memo) per point, spread over the space
      const Space space(spec);
      const auto pts = space.points();
      double t = 0;
      int n = 0;
      for (size_t i = 0; i < pts.size() && n < cold; i += std::max<size_t>(1, pts.size() / size_t(cold)), ++n) {
        Evaluator fresh(spec);
        fresh.per_layer = false;
        const auto a = now();
        fresh.evaluate(pts[i]);
        t += secs(a, now());
      }
      std::printf("without reuse across points: %.1f ms per config (%d points), %.0f configs/minute on %d threads\n",
                  1000 * t / n, n, 60.0 * jobs * n / t, jobs);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sweep: %s\n", e.what());
    return 1;
  }
  return 0;
}
