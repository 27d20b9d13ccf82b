// Schedule-space enumeration: mixed-radix decoding of named dimensions, legality per point.
#include "compiler/search/schedule_space.h"

#include <algorithm>

namespace tessera::compiler::search {
namespace {

// The six permutations of the outer tile loops, in lexicographic order of their names.
const std::array<LoopAxis, 3> kOrders[6] = {
    {LoopAxis::CO, LoopAxis::H, LoopAxis::W}, {LoopAxis::CO, LoopAxis::W, LoopAxis::H},
    {LoopAxis::H, LoopAxis::CO, LoopAxis::W}, {LoopAxis::H, LoopAxis::W, LoopAxis::CO},
    {LoopAxis::W, LoopAxis::CO, LoopAxis::H}, {LoopAxis::W, LoopAxis::H, LoopAxis::CO}};

}  // namespace

std::vector<int64_t> tile_candidates(int64_t extent) {
  std::vector<int64_t> v;
  for (int64_t n = 1; n <= extent; ++n) v.push_back((extent + n - 1) / n);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

ScheduleSpace::ScheduleSpace(const ConvGeometry& g, const DerivedConfig& cfg, bool with_multipliers)
    : g_(g), cfg_(cfg), mult_(with_multipliers) {
  // Two SRAM buffers are one virtual-thread split; the lowering treats oc and h threads alike.
  // Grouped layers: tile_ci counts within an output block's window of cbg input blocks; tiles of
  // output blocks that divide a block group share one input window, so those sizes are candidates too.
  std::vector<int64_t> co = tile_candidates(g.kb);
  if (g.grouped())
    for (int64_t d = 1; d <= g.kbg && d <= g.kb; ++d)
      if (g.kbg % d == 0) co.push_back(d);
  std::sort(co.begin(), co.end());
  co.erase(std::unique(co.begin(), co.end()), co.end());
  dims_ = {{"tile_h", tile_candidates(g.oh)},
           {"tile_w", tile_candidates(g.ow)},
           {"tile_ci", tile_candidates(g.cbg)},
           {"tile_co", co},
           {"buffers", {1, 2}},
           {"depthwise", g.dw_max && with_multipliers ? std::vector<int64_t>{0, 1, 2} : std::vector<int64_t>{0}},
           {"loop_order", {0, 1, 2, 3, 4, 5}}};
  for (const auto& d : dims_) size_ *= int64_t(d.values.size());
}

Schedule ScheduleSpace::at(int64_t index) const {
  int64_t pick[7];
  for (int d = 6; d >= 0; --d) {
    const auto n = int64_t(dims_[size_t(d)].values.size());
    pick[d] = dims_[size_t(d)].values[size_t(index % n)];
    index /= n;
  }
  Schedule s;
  s.tile_h = pick[0], s.tile_w = pick[1], s.tile_ci = pick[2], s.tile_co = pick[3];
  s.oc_nthread = pick[4];
  s.depthwise = int(pick[5]);
  s.order = kOrders[pick[6]];
  return s;
}

bool ScheduleSpace::is_legal(const Schedule& s) const { return schedule_issues(g_, s, cfg_, mult_).empty(); }

std::vector<int64_t> ScheduleSpace::legal(int64_t begin, int64_t end) const {
  // Legality does not depend on the loop order (the fastest dimension): check once per group.
  std::vector<int64_t> out;
  const int64_t orders = int64_t(dims_.back().values.size());
  for (int64_t group = begin / orders; group * orders < end; ++group) {
    if (!is_legal(at(group * orders))) continue;
    for (int64_t i = std::max(begin, group * orders); i < std::min(end, (group + 1) * orders); ++i) out.push_back(i);
  }
  return out;
}

}  // namespace tessera::compiler::search
