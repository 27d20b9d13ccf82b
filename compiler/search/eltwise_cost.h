// Analytic cycle estimate of the vector-ALU segments the cost model of convs does not cover: residual
// add, max-pool, global average pool (lower_eltwise) and the output-halo fill. The segment is
// lowered into a scratch program (so the estimate follows the lowering's tiling exactly) and its
// instruction stream is timed unit by unit with the calibrated per-instruction constants; the
// compute unit executes its own ACC/ACC_8BIT/UOP loads, serialised with its ALU work.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/lower_eltwise.h"
#include "compiler/search/cost_params.h"
#include "isa/config.h"
#include "isa/program.h"

namespace tessera::compiler::search {

struct SegmentCost {
  double cycles = 0;                                  // predicted accelerator cycles, FINISH included
  double load_busy = 0, compute_busy = 0, store_busy = 0;
  double alu_slots = 0;                               // issue slots of GEMM/ALU micro-ops
  int64_t dram_read = 0, dram_written = 0;            // bytes (micro-ops included)
  double memory_bound = 0;                            // (read + written) / DRAM bytes per cycle
};

// Issue slots of one GEMM/ALU instruction on the RTL (hw/rtl/tessera_uop_issue.sv): one per micro-op
// and iteration; a depthwise GEMM per group its taps and BLOCK_OUT drain slots; a vector ALU op two
// (1 + iter_in per outer iteration for one micro-op with a fixed source).
double issue_slots(const Insn& in, const DerivedConfig& cfg);

// Times the instructions [begin, end) of `p` (one segment: micro-op load ... FINISH). Per unit in
// program order, each instruction waiting for the tokens it pops; durations:
//   LOAD/STORE  insn overhead + DRAM latency + per row (row overhead + beats, pads 1 cycle each)
//   GEMM/ALU    issue + slots (vector ALU micro-op: 2 slots, 1 + iter_in per outer iteration for a
//               one-micro-op loop with a fixed source; immediate/GEMM: 1) + drain before a push
SegmentCost time_segment(const Program& p, uint64_t begin, uint64_t end, const DerivedConfig& cfg,
                         const CostParams& params = kCalibrated);

// Predicted cycles of the segment that lower_add / lower_max_pool / lower_global_avg_pool emit for
// `layer` reading and writing `io` (null: the single-layer placement, place_eltwise_io).
SegmentCost eltwise_cost(const Layer& layer, const EltwiseIO* io, const DerivedConfig& cfg,
                         IsaTarget isa = IsaTarget::TESSERA, const CostParams& params = kCalibrated);

// Predicted cycles of fill_halo(buf, ...) as its own segment (0 without a halo). In a network the
// fill shares its layer's segment: add this to eltwise_cost or the conv's estimate.
SegmentCost fill_halo_cost(const ActBuffer& buf, const DerivedConfig& cfg, const CostParams& params = kCalibrated);

}  // namespace tessera::compiler::search
