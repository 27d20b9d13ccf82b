// Schedule search of one layer at many sweep points, exact within the cost model and reusing work
// across points. The cost model reads only some derived parameters: GEMM shape and element widths,
// the DRAM figures and the micro-op width (the "cost family"); SRAM sizes only decide legality (and
// the micro-op buffer whether the kernels fit). So per (layer, family) the closed-form bound of every
// tiling is computed once and sorted, and every schedule's full evaluation is memoised; a point then
// walks the sorted tilings, skipping those its SRAMs cannot hold, and evaluates (or looks up) until
// the bound passes the best cost found: the same branch and bound as search_layer with one winner,
// so the same schedule.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "compiler/search/search.h"

namespace tessera::sweep {

// The derived parameters the cost model reads, as a string key.
std::string cost_family_key(const DerivedConfig& cfg);

struct LayerSearchStats {
  int64_t searches = 0, family_builds = 0, evaluations = 0, memo_hits = 0, walked = 0;
};

// Upper bounds of the INP/WGT/ACC/UOP SRAM depths (elements) over every point that will be searched
// with a family; tilings above them are dropped when the family is built (0: no bound).
struct SramLimits {
  int64_t inp = 0, wgt = 0, acc = 0, uop = 0;
};

class LayerSearcher {
 public:
  using Limits = SramLimits;
  // The best schedule of `lp` on `cfg` (nothing if no schedule is legal).
  std::optional<compiler::search::Candidate> search(const compiler::search::LayerProblem& lp, const DerivedConfig& cfg,
                                                    compiler::search::Objective objective, const Limits& limits = {});
  LayerSearchStats stats() const;
  // Forget every family (memory).
  void clear();

 private:
  struct Family;
  std::shared_ptr<Family> family(const compiler::search::LayerProblem& lp, const DerivedConfig& cfg,
                                 compiler::search::Objective o, const Limits& limits);
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Family>> families_;
  LayerSearchStats stats_;
};

}  // namespace tessera::sweep
