// A layer as the cost model sees it: geometry plus the epilogue lower_conv emits for it.
#include "compiler/compile.h"
#include "compiler/search/cost_model.h"

namespace tessera::compiler::search {

LayerProblem layer_problem(const Layer& layer, const DerivedConfig& cfg, IsaTarget isa) {
  const Layer l = as_gemm_layer(layer);
  LayerProblem lp;
  lp.g = conv_geometry(l, cfg);
  const RequantPlan q = plan_requant(l, lp.g, isa);
  lp.with_multipliers = lp.init_from_bias = isa == IsaTarget::TESSERA;
  lp.alu_vector_ops = 1;  // TESSERA: REQ (requantize, zero point, clamp in one pass); VTA: bias add
  // VTA: rounding and shift, zero point, clamps as immediate ops.
  // TESSERA: an explicit upper clamp (a Clip's max below the type's) is one MIN after the REQ.
  lp.alu_imm_ops = lp.with_multipliers ? (q.hi < 127 ? 1 : 0) : (q.vta_shift > 0 ? 2 : 0) + (q.out_zero_point ? 1 : 0) + 2;
  return lp;
}

}  // namespace tessera::compiler::search
