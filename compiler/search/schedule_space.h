// The enumerable space of legal schedules of one layer: named dimensions with candidate values,
// legality from schedule_issues(), and index ranges so the space splits across workers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/conv_geometry.h"
#include "compiler/schedule.h"
#include "isa/config.h"

namespace tessera::compiler::search {

// One named dimension: tile sizes (for tiles, only the smallest size giving each tile count, since
// a larger tile with the same count only wastes SRAM and epilogue slots), buffers, loop orders.
struct Dimension {
  std::string name;
  std::vector<int64_t> values;
};

class ScheduleSpace {
 public:
  ScheduleSpace(const ConvGeometry& g, const DerivedConfig& cfg, bool with_multipliers);
  const std::vector<Dimension>& dimensions() const { return dims_; }
  // Points in the full (unfiltered) space; at(i) decodes one in mixed radix, loop order fastest.
  int64_t size() const { return size_; }
  Schedule at(int64_t index) const;
  // Legal points, in index order (SRAM, field and loop-count limits; the micro-op total is the cost
  // model's to check). Restricted to [begin, end) so workers can take slices.
  std::vector<int64_t> legal(int64_t begin, int64_t end) const;
  std::vector<int64_t> legal() const { return legal(0, size_); }
  bool is_legal(const Schedule& s) const;

 private:
  ConvGeometry g_;
  const DerivedConfig& cfg_;
  bool mult_;
  std::vector<Dimension> dims_;
  int64_t size_ = 1;
};

// Candidate tile sizes of an extent: ceil(extent / n) for every tile count n, distinct, ascending.
std::vector<int64_t> tile_candidates(int64_t extent);

}  // namespace tessera::compiler::search
