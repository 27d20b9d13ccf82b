// Schedule search for fused inverted-residual blocks: every legal tiling lowered and timed.
#pragma once

#include <cstdint>

#include "compiler/conv_block.h"
#include "compiler/search/cost_params.h"
#include "compiler/search/eltwise_cost.h"

namespace tessera::compiler::search {

struct BlockChoice {
  BlockSchedule schedule;
  double cycles = 0;  // predicted (time_segment of the lowered block)
};

// One schedule's prediction: the block lowered into a scratch program and timed instruction by
// instruction (time_segment), the same model the network report uses.
SegmentCost block_cost(const ConvBlock& blk, const BlockSchedule& s, const DerivedConfig& cfg,
                       const CostParams& params = kCalibrated);

// The fastest schedule; per tile width, chunk size, buffering and overlap only the tallest legal tile is timed
// (fewer tiles: less halo and pipeline fill), balanced over the tile rows. Throws CompileError when
// none is legal. Candidates are timed on every core.
BlockChoice search_block(const ConvBlock& blk, const DerivedConfig& cfg, const CostParams& params = kCalibrated);

}  // namespace tessera::compiler::search
