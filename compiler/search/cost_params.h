// Calibrated constants of the cost model: written by scripts/validate_cost_model.sh --calibrate
// (tool validate_cost_model) from RTL measurements; never edited by hand per layer.
#pragma once

namespace tessera::compiler::search {

// Cycles the RTL spends beyond what the DRAM parameters and micro-op counts explain.
struct CostParams {
  double load_insn = 4;     // per LOAD INP/WGT instruction, besides the DRAM latency
  double load_row = 1;      // per DRAM row (run of beats) a LOAD requests
  double store_insn = 4;    // per STORE instruction, besides the write-response latency
  double store_row = 1;     // per row a STORE writes
  double compute_insn = 2;  // per GEMM/ALU instruction (issue and token pop)
  double drain = 4;         // a GEMM/ALU with push flags drains the pipeline before pushing
  double start = 40;        // fetch of the first instructions and program start
};

// The figures produced by the last calibration run (see docs/search.md).
inline constexpr CostParams kCalibrated{8, 1, 6.75, 0.75, 1.75, 4.25, 79};

}  // namespace tessera::compiler::search
