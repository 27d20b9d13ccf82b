// Analytic cost of one conv/dense layer under one schedule, from the derived config and the layer
// geometry only: cycles (load/compute/store overlap through the double-buffer tokens), exact DRAM
// bytes, SRAM occupancy and instruction/micro-op counts. Mirrors the tile pipeline of lower_conv.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/conv_geometry.h"
#include "compiler/layer.h"
#include "compiler/requant.h"
#include "compiler/schedule.h"
#include "compiler/search/cost_params.h"
#include "isa/config.h"

namespace tessera::compiler::search {

// What the cost model needs to know about a layer besides its geometry: how the lowering starts a
// tile's accumulators and the requantization epilogue it emits per tile. Vector ops read a
// per-channel ACC vector, which the RTL fetches once per channel block: one ALU slot per output
// vector plus one per block; immediate ops take one slot per vector.
struct LayerProblem {
  ConvGeometry g;
  bool with_multipliers = true;  // TESSERA ISA: REQ multipliers resident in ACC
  bool init_from_bias = true;    // TESSERA: MOV of the bias starts the tile; VTA: GEMM reset (+ bias add below)
  int alu_vector_ops = 1;        // REQ (TESSERA) or bias add (VTA)
  int alu_imm_ops = 0;           // VTA: rounding, shift, zero point, clamps
  // Canonical descriptor (shape, stride, padding, epilogue): the schedule-cache key.
  std::string descriptor() const;
};

// The problem of a CONV2D, DENSE or GLOBAL_AVG_POOL layer as lower_conv will lower it for `isa`
// (its epilogue depends on the requantization plan). Throws CompileError like compile_model.
LayerProblem layer_problem(const Layer& layer, const DerivedConfig& cfg, IsaTarget isa);

struct Cost {
  double cycles = 0;          // predicted accelerator cycles
  double lower_bound = 0;     // max over units of their busy cycles (never above `cycles`)
  double load_busy = 0, compute_busy = 0, store_busy = 0;
  double min_store = 0;       // the shortest store of one tile (it always follows the last compute)
  double gemm_cycles = 0;     // GEMM micro-op slots, edge-tile waste included
  double alu_cycles = 0;      // epilogue slots
  int64_t dram_read = 0;      // bytes: INP, WGT, ACC constants and micro-ops (fetch excluded)
  int64_t dram_written = 0;   // bytes the stores write
  int64_t inp_sram = 0, wgt_sram = 0, acc_sram = 0;  // elements in use
  int64_t insns = 0, uops = 0;
  bool uop_fits = true;       // all distinct kernels fit the micro-op buffer
};

// Ideal cycles of the layer's MACs at one GEMM micro-op per cycle (no padding of tiles).
double compute_bound_cycles(const ConvGeometry& g);

class CostModel {
 public:
  explicit CostModel(const DerivedConfig& cfg, const CostParams& p = kCalibrated) : cfg_(cfg), p_(p) {}
  // Busy cycles per unit, DRAM bytes and SRAM use in closed form (O(1)); `cycles` is left 0.
  Cost bound(const LayerProblem& lp, const Schedule& s) const;
  // Everything, simulating the token pipeline tile by tile.
  Cost evaluate(const LayerProblem& lp, const Schedule& s) const;
  const DerivedConfig& config() const { return cfg_; }
  const CostParams& params() const { return p_; }

 private:
  double read_cycles(int64_t rows, int64_t row_bytes) const;
  double write_cycles(int64_t rows, int64_t row_bytes) const;
  // One reduction step's input-block and weight loads of a tile of co_t channel blocks and th rows:
  // load-unit cycles and DRAM bytes (whole beats).
  double step_load_cycles(const ConvGeometry& g, const Schedule& s, int64_t co_t, int64_t th, int64_t ci_t) const;
  int64_t step_load_bytes(const ConvGeometry& g, const Schedule& s, int64_t co_t, int64_t th, int64_t ci_t) const;
  // The resident constants' loads at the start (biases, multipliers, a fused add's constants), once
  // per ACC bank that keeps a copy.
  double constants_cycles(const LayerProblem& lp, int banks) const;
  // A fused residual add's skip tile loads (the compute unit runs ACC loads); `insns`, `bytes` add
  // their instructions and DRAM bytes.
  double skip_load_cycles(int64_t co_t, int64_t th, int64_t tw, int64_t TW, int64_t* insns = nullptr,
                          int64_t* bytes = nullptr) const;
  // A fused residual add's extra compute per tile, one pass after the other: the skip loads and the
  // three ALU passes over the buffer.
  double residual_cycles(int64_t co_t, int64_t th, int64_t tw, int64_t TH, int64_t TW, int64_t* insns = nullptr,
                         int64_t* bytes = nullptr) const;
  const DerivedConfig& cfg_;
  CostParams p_;
};

}  // namespace tessera::compiler::search
