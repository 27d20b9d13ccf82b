// Runs many schedules per layer on the RTL model and reports the cost model's latency MAPE,
// within-layer Spearman, DRAM-byte exactness and the searcher's pick against the RTL-measured best,
// next to baseline schedulers; --calibrate also fits the model's constants (cost_params.h).
//
// usage: validate_cost_model [--config NAME]... [--max-hw N] [--max-c N] [--per-layer K] [--layers N]
//                            [--max-slowdown F] [--only NAME] [--calibrate] [--verbose] [--workloads DIR]
// --max-slowdown samples only schedules predicted within F times the model's best (full-size runs,
// where the worst schedules would take the RTL minutes).
// Layers: ResNet-18's unique convs and MobileNetV2's pointwise convs; spatial sizes above --max-hw
// and channel counts above --max-c are shrunk so the RTL finishes in time (reported per layer).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/search/workload_table.h"
#include "compiler/search/search.h"
#include "tests/compiler/search/rtl_measure.h"

using namespace tessera;
using namespace tessera::compiler;
using namespace tessera::compiler::search;
using tessera::compiler::search::testing::Measured;
using tessera::compiler::search::testing::mape;
using tessera::compiler::search::testing::measure_on_rtl;
using tessera::compiler::search::testing::spearman;
using tessera::workloads::read_workload;
using tessera::workloads::Shape;

namespace {

// Schedules whose cycles (measured, or predicted) differ by less than this fraction are equally good
// for the search; the second Spearman column (rho~) ranks them as ties. The strict rho is reported too.
constexpr double kTieTolerance = 0.005;

// A Gemmini-style greedy tiler: two buffers, every tile starts at 1; grow the dimensions round robin
// (w, h, co, ci) to their next candidate size while the schedule stays legal.
Schedule gemmini_greedy(const LayerProblem& lp, const DerivedConfig& cfg) {
  Schedule s;
  s.oc_nthread = 2;
  if (!schedule_issues(lp.g, s, cfg, lp.with_multipliers).empty()) s.oc_nthread = 1;
  int64_t* dims[] = {&s.tile_w, &s.tile_h, &s.tile_co, &s.tile_ci};
  const int64_t extent[] = {lp.g.ow, lp.g.oh, lp.g.kb, lp.g.cb};
  for (bool grew = true; grew;) {
    grew = false;
    for (int d = 0; d < 4; ++d) {
      const auto cand = tile_candidates(extent[d]);
      const auto next = std::upper_bound(cand.begin(), cand.end(), *dims[d]);
      if (next == cand.end()) continue;
      const int64_t old = *dims[d];
      *dims[d] = *next;
      if (schedule_issues(lp.g, s, cfg, lp.with_multipliers).empty() && CostModel(cfg).evaluate(lp, s).uop_fits) grew = true;
      else *dims[d] = old;
    }
  }
  return s;
}

struct Sample {
  const DerivedConfig* cfg;
  LayerProblem lp;
  Schedule s;
  Measured rtl;
};

double fit_error(const std::vector<Sample>& samples, const CostParams& p) {
  std::vector<double> pred, meas;
  for (const auto& x : samples) pred.push_back(CostModel(*x.cfg, p).evaluate(x.lp, x.s).cycles), meas.push_back(x.rtl.cycles);
  return mape(pred, meas);
}

// Coordinate descent on the constants, minimizing the latency MAPE over every sample of every config
// (one set of constants: the RTL is the same design at every size).
CostParams calibrate(const std::vector<Sample>& samples, CostParams p) {
  double* knob[] = {&p.load_insn, &p.load_row, &p.store_insn, &p.store_row, &p.compute_insn, &p.drain, &p.start};
  double best = fit_error(samples, p);
  for (double step : {16.0, 8.0, 4.0, 2.0, 1.0, 0.5, 0.25}) {
    for (bool moved = true; moved;) {
      moved = false;
      for (double* k : knob)
        for (double dir : {step, -step}) {
          const double old = *k;
          *k = std::max(0.0, old + dir);
          const double e = fit_error(samples, p);
          if (e + 1e-9 < best) best = e, moved = true;
          else *k = old;
        }
    }
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> configs;
  int64_t max_hw = 14, max_c = 128, per_layer = 8, max_layers = 1000;
  double max_slowdown = 0;
  std::string only;  // layer-name substring  // > 0: sample only schedules the model predicts within this factor of its best
  bool do_calibrate = false, verbose = false;
  std::string workloads = std::string(TESSERA_SOURCE_DIR) + "/../shared/workloads";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto val = [&] {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--config") configs.push_back(val());
    else if (a == "--max-hw") max_hw = std::stoll(val());
    else if (a == "--max-c") max_c = std::stoll(val());
    else if (a == "--per-layer") per_layer = std::stoll(val());
    else if (a == "--layers") max_layers = std::stoll(val());
    else if (a == "--workloads") workloads = val();
    else if (a == "--calibrate") do_calibrate = true;
    else if (a == "--verbose") verbose = true;
    else if (a == "--max-slowdown") max_slowdown = std::stod(val());
    else if (a == "--only") only = val();
    else throw std::runtime_error("unknown argument " + a);
  }
  if (configs.empty()) configs = {"default"};
  std::vector<Shape> shapes = read_workload(workloads + "/resnet18.csv", false, max_hw, max_c);
  for (const auto& s : read_workload(workloads + "/mobilenetv2.csv", true, max_hw, max_c)) shapes.push_back(s);
  shapes.erase(std::remove_if(shapes.begin(), shapes.end(), [&](const Shape& s) { return s.name.find(only) == std::string::npos; }),
               shapes.end());
  if (int64_t(shapes.size()) > max_layers) shapes.resize(size_t(max_layers));

  int failures = 0;
  std::vector<Sample> samples;
  std::vector<std::unique_ptr<DerivedConfig>> cfgs;
  for (const std::string& cname : configs) {
    cfgs.push_back(std::make_unique<DerivedConfig>(load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + cname + ".json")));
    const DerivedConfig& cfg = *cfgs.back();
    const CostModel model(cfg);
    std::vector<double> all_pred, all_meas, rhos, rhos_tol, gaps, gap_tvm, gap_greedy, gap_gemmini;
    int64_t bytes_exact = 0, bytes_total = 0;
    std::printf("config %s: layers shrunk to H,W <= %lld and C,K <= %lld (marked *)\n", cname.c_str(),
                (long long)max_hw, (long long)max_c);
    std::printf("%-28s %5s %8s %8s %8s %9s %9s %9s %9s\n", "layer", "n", "MAPE%", "rho", "rho~", "gap%", "tvm%", "default%", "gemmini%");
    for (const Shape& sh : shapes) {
      RandomLayerSpec spec;
      spec.kind = LayerKind::CONV2D, spec.type = ElemType::UINT8, spec.c = sh.c, spec.h = spec.w = sh.hw, spec.k = sh.k;
      spec.kernel = int(sh.kernel), spec.stride = int(sh.stride), spec.pad = int(sh.pad), spec.per_channel = true,
      spec.relu = true;
      const Layer layer = random_layer(spec, 5);
      const LayerProblem lp = layer_problem(layer, cfg, IsaTarget::TESSERA);
      // Schedules: every legal point ranked by the model, sampled at evenly spaced ranks (the
      // model's pick first), plus the baselines.
      const ScheduleSpace space(lp.g, cfg, lp.with_multipliers);
      std::vector<std::pair<double, int64_t>> ranked;
      for (int64_t i : space.legal()) {
        const Cost c = model.evaluate(lp, space.at(i));
        if (c.uop_fits) ranked.push_back({c.cycles, i});
      }
      std::sort(ranked.begin(), ranked.end());
      if (ranked.empty()) continue;
      if (max_slowdown > 0) {
        const double limit = max_slowdown * ranked[0].first;
        ranked.erase(std::find_if(ranked.begin(), ranked.end(), [&](const auto& x) { return x.first > limit; }), ranked.end());
      }
      std::vector<Schedule> chosen;
      const auto add = [&](const Schedule& s) {
        if (std::find(chosen.begin(), chosen.end(), s) == chosen.end()) chosen.push_back(s);
      };
      const SearchResult pick = search_layer(lp, model);
      for (const Candidate& c : pick.top) add(c.schedule);  // the model's best five: the gap's competitors
      for (int64_t j = 0; j < per_layer; ++j)
        add(space.at(ranked[size_t(j * int64_t(ranked.size() - 1) / std::max<int64_t>(1, per_layer - 1))].second));
      SearchOptions dram;
      dram.objective = Objective::DRAM_TRAFFIC;
      const Schedule tvm = search_layer(lp, model, dram).top[0].schedule;
      const Schedule greedy = default_schedule(lp.g, cfg, lp.with_multipliers);
      const Schedule gemmini = gemmini_greedy(lp, cfg);
      add(tvm);
      add(greedy);
      add(gemmini);
      std::vector<double> pred, meas;
      double best = 1e300, picked = 0, tvm_c = 0, greedy_c = 0, gemmini_c = 0;
      for (const Schedule& s : chosen) {
        const Cost c = model.evaluate(lp, s);
        const Measured m = measure_on_rtl(layer, cfg, s);
        pred.push_back(c.cycles), meas.push_back(m.cycles);
        if (verbose)
          std::printf("  %s: cycles model %.0f rtl %.0f; busy+stall load %.0f / %llu, compute %.0f / %llu, store %.0f / %llu\n",
                      schedule_json(s).c_str(), c.cycles, m.cycles, c.load_busy,
                      (unsigned long long)(m.busy[0] + m.stall[0]), c.compute_busy, (unsigned long long)(m.busy[1] + m.stall[1]),
                      c.store_busy, (unsigned long long)(m.busy[2] + m.stall[2]));
        ++bytes_total;
        bytes_exact += m.read == c.dram_read && m.written == c.dram_written;
        if (m.read != c.dram_read || m.written != c.dram_written)
          std::printf("  bytes differ: %s model %lld/%lld rtl %lld/%lld\n", schedule_json(s).c_str(),
                      (long long)c.dram_read, (long long)c.dram_written, (long long)m.read, (long long)m.written);
        best = std::min(best, m.cycles);
        if (s == pick.top[0].schedule) picked = m.cycles;
        if (s == tvm) tvm_c = m.cycles;
        if (s == greedy) greedy_c = m.cycles;
        if (s == gemmini) gemmini_c = m.cycles;
        samples.push_back({&cfg, lp, s, m});
      }
      const double rho = spearman(pred, meas), rho_tol = spearman(pred, meas, kTieTolerance), e = mape(pred, meas);
      rhos.push_back(rho), rhos_tol.push_back(rho_tol), gaps.push_back(picked / best), gap_tvm.push_back(tvm_c / best), gap_greedy.push_back(greedy_c / best);
      gap_gemmini.push_back(gemmini_c / best);
      all_pred.insert(all_pred.end(), pred.begin(), pred.end());
      all_meas.insert(all_meas.end(), meas.begin(), meas.end());
      std::printf("%-28s %5zu %8.2f %8.3f %8.3f %9.2f %9.2f %9.2f %9.2f\n", (sh.name + (sh.shrunk ? "*" : "")).c_str(),
                  chosen.size(), e, rho, rho_tol, 100 * (picked / best - 1), 100 * (tvm_c / best - 1), 100 * (greedy_c / best - 1),
                  100 * (gemmini_c / best - 1));
      std::fflush(stdout);
    }
    const auto geomean = [](const std::vector<double>& v) {
      double s = 0;
      for (double x : v) s += std::log(x);
      return v.empty() ? 1.0 : std::exp(s / double(v.size()));
    };
    std::vector<double> sorted_rho = rhos;
    std::sort(sorted_rho.begin(), sorted_rho.end());
    std::printf("summary %s: %zu runs, latency MAPE %.2f%%, Spearman median %.3f min %.3f (min %.3f with cycles within "
                "%.1f%% as ties), DRAM bytes exact %lld/%lld,\n"
                "  searcher pick vs RTL best: geomean gap %.2f%% max %.2f%%; TVM (fewest bytes) geomean %.2f%%; compiler default (halving) %.2f%%; Gemmini-style greedy %.2f%%\n",
                cname.c_str(), all_meas.size(), mape(all_pred, all_meas),
                sorted_rho.empty() ? 0 : sorted_rho[sorted_rho.size() / 2], sorted_rho.empty() ? 0 : sorted_rho[0],
                rhos_tol.empty() ? 0 : *std::min_element(rhos_tol.begin(), rhos_tol.end()), 100 * kTieTolerance,
                (long long)bytes_exact, (long long)bytes_total, 100 * (geomean(gaps) - 1),
                gaps.empty() ? 0 : 100 * (*std::max_element(gaps.begin(), gaps.end()) - 1), 100 * (geomean(gap_tvm) - 1),
                100 * (geomean(gap_greedy) - 1), 100 * (geomean(gap_gemmini) - 1));
    failures += bytes_exact != bytes_total;
  }
  if (do_calibrate) {
    const CostParams p = calibrate(samples, kCalibrated);
    std::printf("calibration over %zu runs: MAPE %.2f%% -> %.2f%%\n", samples.size(), fit_error(samples, kCalibrated),
                fit_error(samples, p));
    std::printf("CALIBRATED {%g, %g, %g, %g, %g, %g, %g}\n", p.load_insn, p.load_row, p.store_insn, p.store_row,
                p.compute_insn, p.drain, p.start);
  }
  return failures ? 1 : 0;
}
