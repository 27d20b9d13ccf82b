// Memoised branch and bound over the sorted tilings of a (layer, cost family); see layer_search.h.
#include "sweep/layer_search.h"

#include <algorithm>

#include "compiler/schedule.h"

namespace tessera::sweep {

using namespace tessera::compiler;
using namespace tessera::compiler::search;

namespace {

double primary(const Cost& c, Objective o) { return o == Objective::LATENCY ? c.cycles : double(c.dram_read + c.dram_written); }
double primary_bound(const Cost& c, Objective o) {
  return o == Objective::LATENCY ? c.lower_bound : double(c.dram_read + c.dram_written);
}
constexpr int64_t kOrders = 6;  // the fastest dimension of ScheduleSpace: the loop order

}  // namespace

std::string cost_family_key(const DerivedConfig& cfg) {
  const HwConfig& h = cfg.hw;
  std::string k;
  for (int64_t v : {int64_t(h.batch), int64_t(h.block_in), int64_t(h.block_out), int64_t(h.depthwise),
                    int64_t(h.inp_bits), int64_t(h.wgt_bits),
                    int64_t(h.acc_bits), int64_t(h.dram_bus_bits), int64_t(h.dram_bytes_per_cycle),
                    int64_t(h.dram_latency_cycles), int64_t(h.dram_max_outstanding), int64_t(h.dram_max_burst_beats),
                    int64_t(cfg.layout.uop_bits)})
    k += std::to_string(v) + ",";
  return k;
}

struct LayerSearcher::Family {
  struct Group {
    double bound;
    int64_t group;
    int64_t inp, wgt, acc, kernel;  // SRAM elements in use; one GEMM kernel's micro-ops
  };
  DerivedConfig cfg;  // the first point's: its cost model's figures hold for the whole family
  LayerProblem lp;
  Objective objective;
  std::unique_ptr<CostModel> model;
  std::unique_ptr<ScheduleSpace> space;
  std::vector<Group> sorted;
  std::once_flag built;
  std::mutex mu;
  std::unordered_map<int64_t, Cost> memo;
};

std::shared_ptr<LayerSearcher::Family> LayerSearcher::family(const LayerProblem& lp, const DerivedConfig& cfg, Objective o,
                                                             const Limits& lim) {
  const std::string key = lp.descriptor() + "|" + cost_family_key(cfg) + "|" + objective_name(o);
  std::shared_ptr<Family> f;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = families_[key];
    if (!slot) slot = std::make_shared<Family>(), ++stats_.family_builds;
    f = slot;
  }
  std::call_once(f->built, [&] {  // other threads wait here until the family is built
    f->cfg = cfg;
    f->lp = lp;
    f->objective = o;
    f->model = std::make_unique<CostModel>(f->cfg);
    f->space = std::make_unique<ScheduleSpace>(lp.g, f->cfg, lp.with_multipliers);
    const int64_t groups = f->space->size() / kOrders;
    const auto over = [](int64_t v, int64_t limit) { return limit > 0 && v > limit; };
    for (int64_t g = 0; g < groups; ++g) {
      const Schedule s = f->space->at(g * kOrders);
      const int64_t kernel = s.tile_co * s.tile_ci * lp.g.r * lp.g.s;
      const Cost b = f->model->bound(lp, s);
      if (over(b.inp_sram, lim.inp) || over(b.wgt_sram, lim.wgt) || over(b.acc_sram, lim.acc) || over(kernel, lim.uop)) continue;
      f->sorted.push_back({primary_bound(b, o), g, b.inp_sram, b.wgt_sram, b.acc_sram, kernel});
    }
    std::sort(f->sorted.begin(), f->sorted.end(), [](const Family::Group& a, const Family::Group& b) {
      return a.bound != b.bound ? a.bound < b.bound : a.group < b.group;
    });
    f->sorted.shrink_to_fit();
  });
  return f;
}

std::optional<Candidate> LayerSearcher::search(const LayerProblem& lp, const DerivedConfig& cfg, Objective o,
                                               const Limits& limits) {
  const std::shared_ptr<Family> f = family(lp, cfg, o, limits);
  std::optional<Candidate> best;
  int64_t evaluations = 0, hits = 0, walked = 0;
  for (const Family::Group& g : f->sorted) {
    if (best && g.bound > primary(best->cost, o)) break;
    ++walked;
    // SRAM fit (exactly schedule_issues' counts), then the remaining legality rules.
    if (g.inp > cfg.inp.depth || g.wgt > cfg.wgt.depth || g.acc > cfg.acc.depth || g.kernel > cfg.uop.depth) continue;
    if (!schedule_issues(lp.g, f->space->at(g.group * kOrders), cfg, lp.with_multipliers).empty()) continue;
    for (int64_t order = 0; order < kOrders; ++order) {
      if (best && g.bound > primary(best->cost, o)) break;
      Candidate c{{}, {}, g.group * kOrders + order};
      bool found = false;
      {
        std::lock_guard<std::mutex> lock(f->mu);
        auto it = f->memo.find(c.index);
        if (it != f->memo.end()) c.cost = it->second, found = true, ++hits;
      }
      if (!found) {  // evaluated outside the lock; two threads may both evaluate, with the same result
        c.cost = f->model->evaluate(f->lp, f->space->at(c.index)), ++evaluations;
        std::lock_guard<std::mutex> lock(f->mu);
        f->memo.emplace(c.index, c.cost);
      }
      c.cost.uop_fits = c.cost.uops <= cfg.uop.depth;  // the only figure that reads an SRAM size
      if (!c.cost.uop_fits) continue;
      if (!best || better(c, *best, o)) best = c;  // `better` reads costs and index only
    }
  }
  if (best) best->schedule = f->space->at(best->index);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.searches, stats_.evaluations += evaluations, stats_.memo_hits += hits, stats_.walked += walked;
  return best;
}

LayerSearchStats LayerSearcher::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void LayerSearcher::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  families_.clear();
}

}  // namespace tessera::sweep
