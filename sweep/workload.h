// The layers of a sweep's workloads at one config, as the compiler would schedule them: networks
// (ONNX files or built-in random-weight networks) through the network compiler's graph passes
// (placement, host im2col of thin convs, residual fusion: compiler::run_graph_passes), single-layer
// models, and workload tables (../shared/workloads/*.csv: one conv per row, grouped and depthwise
// ones included; rows with a non-square kernel, which nothing lowers, are counted as skipped).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/layer.h"
#include "compiler/network/graph.h"
#include "compiler/search/cost_model.h"
#include "isa/config.h"
#include "sweep/spec.h"

namespace tessera::sweep {

struct WorkLayer {
  std::string name, op;  // op: conv, dense, conv+add, add, max_pool, avg_pool
  int64_t count = 1;     // identical rows of a table
  compiler::Layer layer;
  bool searched = true;  // a GEMM-lowered layer (schedule searched); else a vector-ALU segment
  compiler::search::LayerProblem lp;  // searched layers: the schedule problem on this config
  int64_t macs = 0;
  // Networks, as compile_network's report costs them: the output halo fill (added to a searched
  // layer's cycles) and the vector-ALU segment over its planned buffers (`segment`: set).
  double halo_cycles = 0;
  int64_t halo_bytes = 0;
  bool segment = false;
  double segment_cycles = 0;
  int64_t segment_bytes = 0;
};
using LayerList = std::shared_ptr<const std::vector<WorkLayer>>;

class Workloads {
 public:
  explicit Workloads(const Spec& spec);
  // The layers of workload `w` on `cfg`; throws compiler::CompileError (or ConfigError) when the
  // workload cannot run on the config (the point is then recorded as illegal with that reason).
  // Memoised per config (networks: every hardware key, as placement and fusion read SRAM sizes;
  // tables and models: the cost family). Weights are not kept in the result (they do not change a
  // schedule problem); table layers are schedule problems with zero weights.
  LayerList layers(size_t w, const DerivedConfig& cfg) const;
  int64_t skipped(size_t w) const { return skipped_[w]; }  // table rows the accelerator cannot run

 private:
  const Spec& spec_;
  std::vector<std::unique_ptr<compiler::Network>> nets_;  // per workload (networks only)
  std::vector<std::vector<WorkLayer>> fixed_;              // per workload (models and tables)
  std::vector<int64_t> skipped_;
  mutable std::mutex mu_;
  mutable std::map<std::string, LayerList> memo_;
  mutable std::map<std::string, std::shared_ptr<const compiler::search::LayerProblem>> problems_;
};

}  // namespace tessera::sweep
