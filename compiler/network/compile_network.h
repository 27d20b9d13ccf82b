// Whole-network compilation: one program whose steps are accelerator segments and host operators.
#pragma once

#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/network/graph.h"

namespace tessera::compiler {

// One row of the compile report: a node, where it runs, and what the model predicts for it.
struct NodeReport {
  std::string node, op;
  Placement placement = Placement::UNPLACED;
  std::string fused;                // the other ONNX nodes it stands for
  std::string schedule;             // conv/dense/pool: the schedule and where it came from
  int64_t macs = 0;
  double cycles = 0;                // predicted (accelerator nodes)
  double compute_bound = 0, memory_bound = 0;  // roofline: cycles at full array rate / at full DRAM rate
  uint64_t dram_bytes = 0;          // bytes the segment loads and stores
  // Its depthwise conv (group = C = K): MACs and the cycles they take: a layer's own, or in a fused
  // block the issue cycles of its depthwise GEMMs (the rest of the block runs beside or around them).
  int64_t dw_macs = 0;
  double dw_cycles = 0;
};

struct CompiledNetwork {
  Program program;
  std::vector<std::string> notes;  // per instruction, for the listing
  std::vector<NodeReport> report;
  uint64_t activation_bytes = 0;   // DRAM for activations after liveness reuse
  uint64_t activation_bytes_unshared = 0;  // what one buffer per tensor would need
  std::vector<std::string> warnings;
};

// The graph passes before lowering (placement, im2col of thin host-fed convs, residual fusion): the
// nodes whose layers the lowering schedules, e.g. for a schedule database of a whole network.
Network run_graph_passes(Network net, const DerivedConfig& cfg, const CompileOptions& opt = {});

// import -> graph passes -> layouts -> memory -> per-layer lowering (searched schedules, as compile_model).
CompiledNetwork compile_network(Network net, const DerivedConfig& cfg, const CompileOptions& opt = {});

// Multiply-accumulates of a layer (per channel group for grouped convs; a global average pool
// counts one accumulate per input element); vector-ALU layers (add, max-pool) do none.
int64_t layer_macs(const Layer& layer);

// The placement table with predicted cycles per node and the totals.
std::string report_table(const CompiledNetwork& c, const DerivedConfig& cfg);

}  // namespace tessera::compiler
