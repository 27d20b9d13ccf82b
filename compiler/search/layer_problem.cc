// A layer as the cost model sees it: geometry plus the epilogue lower_conv emits for it.
#include "compiler/compile.h"
#include "compiler/search/cost_model.h"

namespace tessera::compiler::search {

LayerProblem layer_problem(const Layer& layer, const DerivedConfig& cfg, IsaTarget isa) {
  const Layer l = as_gemm_layer(layer);
  LayerProblem lp;
  lp.g = conv_geometry(l, cfg);
  const RequantPlan q = plan_requant(l, lp.g, isa);
  lp.with_multipliers = isa == IsaTarget::TESSERA;
  lp.alu_vector_ops = lp.with_multipliers ? 2 : 1;  // bias (+ MULHR)
  lp.alu_imm_ops = 2 + (q.out_zero_point ? 1 : 0) + (!lp.with_multipliers && q.vta_shift > 0 ? 2 : 0);
  return lp;
}

}  // namespace tessera::compiler::search
