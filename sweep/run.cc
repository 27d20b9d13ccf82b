// Local parallel execution of a sweep with progress reporting (see run.h).
#include "sweep/run.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "sweep/store.h"

namespace tessera::sweep {

using json = nlohmann::ordered_json;

std::string spec_fingerprint(const Spec& spec) {
  json j = {{"base", spec.base}, {"search_objective", spec.search_objective}};
  for (const Workload& w : spec.workloads)
    j["workloads"].push_back({{"name", w.name}, {"kind", int(w.kind)}, {"path", w.path}, {"pointwise", w.pointwise_only},
                              {"weight", w.weight}});
  return hash_hex(j.dump());
}

RunSummary run_sweep(const Spec& spec, Evaluator& ev, const RunOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto secs = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const Space space(spec);
  const int64_t end = opt.end < 0 ? space.size() : std::min(opt.end, space.size());
  ResultStore store(opt.out, spec_fingerprint(spec), opt.resume);
  const std::set<std::string> done = store.done();

  RunSummary sum;
  std::atomic<int64_t> next{opt.begin}, finished{0}, illegal{0}, points{0}, resumed{0};
  std::atomic<bool> failed{false};
  std::string error;
  std::mutex err_mu;
  const bool tty = ::isatty(2) && !opt.quiet;
  const int64_t span = std::max<int64_t>(0, end - opt.begin);
  const auto worker = [&] {
    for (;;) {
      const int64_t i = next.fetch_add(1);
      if (i >= end || failed) return;
      const auto p = space.at(i);
      if (!p) continue;
      ++points;
      if (done.count(p->id)) {
        ++resumed;
        continue;
      }
      try {
        const json r = ev.evaluate(*p);
        if (r.value("status", "") != "ok") ++illegal;
        store.append(r);
        ++finished;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(err_mu);
        error = "point " + p->id + " (index " + std::to_string(i) + "): " + e.what();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, opt.jobs); ++t) pool.emplace_back(worker);
  // The main thread reports progress while the workers run.
  std::thread reporter;
  std::atomic<bool> stop{false};
  if (!opt.quiet)
    reporter = std::thread([&] {
      double last_log = 0;
      while (!stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(tty ? 200 : 500));
        const double s = secs();
        const int64_t at = std::min(next.load(), end) - opt.begin, n = finished.load();
        const double rate = n / std::max(s, 1e-9), frac = span ? double(at) / double(span) : 1.0;
        const double eta = frac > 0 ? s * (1 - frac) / frac : 0;
        if (tty) {
          const int width = 30, fill = int(frac * width);
          std::fprintf(stderr, "\r[%s%s] %lld/%lld  %.1f points/s  ETA %d:%02d   ", std::string(size_t(fill), '#').c_str(),
                       std::string(size_t(width - fill), ' ').c_str(), (long long)at, (long long)span, rate, int(eta) / 60,
                       int(eta) % 60);
        } else if (s - last_log >= 10) {
          last_log = s;
          std::fprintf(stderr, "sweep: %lld/%lld points (%.0f%%), %.1f points/s, ETA %.0f s\n", (long long)at, (long long)span,
                       100 * frac, rate, eta);
        }
      }
      if (tty) std::fprintf(stderr, "\n");
    });
  worker();
  for (auto& th : pool) th.join();
  stop = true;
  if (reporter.joinable()) reporter.join();
  if (failed) throw std::runtime_error(error);
  sum.points = points, sum.resumed = resumed, sum.evaluated = finished, sum.illegal = illegal;
  sum.seconds = secs();
  sum.search = ev.search_stats();
  return sum;
}

}  // namespace tessera::sweep
