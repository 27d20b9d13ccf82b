// Branch and bound: bound every legal point in closed form, evaluate in bound order, stop when the
// bound passes the k-th best found. Every point that could enter the top k is evaluated, so the
// answer does not depend on the thread count or on which thread evaluated what.
#include "compiler/search/search.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace tessera::compiler::search {
namespace {

double primary(const Cost& c, Objective o) {
  return o == Objective::LATENCY ? c.cycles : double(c.dram_read + c.dram_written);
}
double primary_bound(const Cost& c, Objective o) {
  return o == Objective::LATENCY ? c.lower_bound : double(c.dram_read + c.dram_written);
}

}  // namespace

const char* objective_name(Objective o) { return o == Objective::LATENCY ? "latency" : "dram"; }

Objective parse_objective(const std::string& name) {
  if (name == "latency") return Objective::LATENCY;
  if (name == "dram") return Objective::DRAM_TRAFFIC;
  throw std::invalid_argument("objective '" + name + "': expected 'latency' or 'dram'");
}

bool better(const Candidate& a, const Candidate& b, Objective o) {
  const double pa = primary(a.cost, o), pb = primary(b.cost, o);
  if (pa != pb) return pa < pb;
  const double sa = o == Objective::LATENCY ? double(a.cost.dram_read + a.cost.dram_written) : a.cost.cycles;
  const double sb = o == Objective::LATENCY ? double(b.cost.dram_read + b.cost.dram_written) : b.cost.cycles;
  if (sa != sb) return sa < sb;
  return a.index < b.index;
}

std::string explain_loss(const Cost& w, const Cost& l) {
  const auto pct = [](double a, double b) { return std::to_string(int64_t(std::lround(100 * (a / b - 1)))) + "%"; };
  std::string why = "+" + std::to_string(int64_t(std::lround(l.cycles - w.cycles))) + " cycles";
  const double busiest = std::max({l.load_busy, l.compute_busy, l.store_busy});
  if (busiest == l.load_busy && l.load_busy > l.compute_busy)
    why += "; load-bound (loads busy " + std::to_string(int64_t(l.load_busy)) + " vs compute " +
           std::to_string(int64_t(l.compute_busy)) + ")";
  else if (busiest == l.store_busy && l.store_busy > l.compute_busy)
    why += "; store-bound (stores busy " + std::to_string(int64_t(l.store_busy)) + ")";
  if (l.gemm_cycles > w.gemm_cycles) why += "; edge tiles waste " + pct(l.gemm_cycles, w.gemm_cycles) + " more GEMM slots";
  if (l.alu_cycles > w.alu_cycles) why += "; epilogue " + pct(l.alu_cycles, w.alu_cycles) + " longer";
  const int64_t bw = w.dram_read + w.dram_written, bl = l.dram_read + l.dram_written;
  if (bl > bw) why += "; " + std::to_string(bl - bw) + " more DRAM bytes (" + pct(double(bl), double(bw)) + ")";
  if (l.insns > w.insns)
    why += "; " + std::to_string(l.insns - w.insns) + " more instructions (" + std::to_string(l.insns) + ")";
  if (why.find(';') == std::string::npos) why += "; less load/compute/store overlap (pipeline fill, drain and token waits)";
  return why;
}

SearchResult search_layer(const LayerProblem& lp, const CostModel& model, const SearchOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const ScheduleSpace space(lp.g, model.config(), lp.with_multipliers);
  SearchResult r;
  r.space_size = space.size();

  struct Bounded {
    double bound;
    int64_t index;
  };
  std::vector<Bounded> order;
  for (int64_t i : space.legal()) order.push_back({primary_bound(model.bound(lp, space.at(i)), opt.objective), i});
  r.legal = int64_t(order.size());
  std::sort(order.begin(), order.end(),
            [](const Bounded& a, const Bounded& b) { return a.bound != b.bound ? a.bound < b.bound : a.index < b.index; });

  const size_t keep = size_t(std::max(1, opt.keep_top));
  std::mutex mu;
  std::vector<Candidate> top;  // sorted, at most `keep`
  std::atomic<size_t> next{0};
  std::atomic<int64_t> evaluated{0};
  std::atomic<bool> out_of_time{false};
  const auto threshold = [&] {  // the k-th best primary so far (infinite until k are known)
    return top.size() < keep ? 1e300 : primary(top.back().cost, opt.objective);
  };
  const auto worker = [&] {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= order.size()) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (order[i].bound > threshold()) return;  // sorted: nothing later can enter the top
      }
      if (opt.time_budget_s > 0 && evaluated > 0 && elapsed() > opt.time_budget_s) {
        out_of_time = true;
        return;
      }
      Candidate c{space.at(order[i].index), {}, order[i].index};
      c.cost = model.evaluate(lp, c.schedule);
      ++evaluated;
      if (!c.cost.uop_fits) continue;
      std::lock_guard<std::mutex> lock(mu);
      const auto at = std::lower_bound(top.begin(), top.end(), c,
                                       [&](const Candidate& a, const Candidate& b) { return better(a, b, opt.objective); });
      top.insert(at, c);
      if (top.size() > keep) top.pop_back();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, opt.threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();

  r.top = std::move(top);
  r.evaluated = evaluated;
  r.optimal = !out_of_time;
  r.seconds = elapsed();
  return r;
}

}  // namespace tessera::compiler::search
