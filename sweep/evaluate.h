// Evaluation of one sweep point with the cost model: derive and validate the config (an illegal
// point is a result with its reason, not an error), search every layer's schedule (LayerSearcher:
// memoised across points), and sum predicted cycles, MACs, DRAM bytes and SRAM occupancy per
// workload. Thread-safe: one Evaluator serves every --jobs thread.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "sweep/layer_search.h"
#include "sweep/space.h"
#include "sweep/workload.h"

namespace tessera::sweep {

class Evaluator {
 public:
  explicit Evaluator(const Spec& spec);
  // One JSON object per point (docs/sweep.md, "results.jsonl"): status "ok" or "illegal" + reason.
  nlohmann::ordered_json evaluate(const Point& p);
  // Area figures of a derived config (the area model), or null; set before evaluating.
  std::function<nlohmann::ordered_json(const DerivedConfig&)> area;
  // Drop the per-layer details (schedules, per-layer cycles) from results: smaller lines.
  bool per_layer = true;
  LayerSearchStats search_stats() const { return searcher_.stats(); }
  const Workloads& workloads() const { return workloads_; }

 private:
  struct Eltwise {
    double cycles = 0;
    int64_t bytes = 0;
  };
  Eltwise eltwise(const std::string& key, const compiler::Layer& l, const DerivedConfig& cfg);
  const Spec& spec_;
  Workloads workloads_;
  LayerSearcher searcher_;
  int64_t max_sram_[4] = {0, 0, 0, 0};  // uop, inp, wgt, acc bytes: the largest any point has
  std::mutex mu_;
  std::map<std::string, Eltwise> eltwise_memo_;
};

}  // namespace tessera::sweep
