// Fusion pass: an inverted-residual block ([expand 1x1] -> depthwise -> project 1x1, with the add the
// residual pass already fused into the projection) becomes one node whose intermediates stay on chip.
#include <initializer_list>
#include <optional>

#include "compiler/compile.h"
#include "compiler/compile_error.h"
#include "compiler/network/passes.h"
#include "compiler/search/block_search.h"
#include "compiler/search/cost_model.h"
#include "compiler/search/eltwise_cost.h"
#include "compiler/search/schedule_cache.h"

namespace tessera::compiler {
namespace {

size_t consumers(const Network& net, const std::string& tensor) {
  size_t n = 0;
  for (const NetNode& node : net.nodes)
    for (const auto& t : node.inputs) n += t == tensor;
  return n;
}

bool conv_node(const NetNode& n) {
  return n.placement == Placement::ACCEL && n.layer && n.layer->kind == LayerKind::CONV2D;
}

// The node reading `tensor` when it is the only reader and the tensor is internal.
const NetNode* sole_consumer(const Network& net, const std::string& tensor, size_t* index) {
  if (consumers(net, tensor) != 1 || net.is_output(tensor)) return nullptr;
  for (size_t i = 0; i < net.nodes.size(); ++i)
    if (!net.nodes[i].inputs.empty() && net.nodes[i].inputs[0] == tensor) return *index = i, &net.nodes[i];
  return nullptr;
}

// Whether the block is legal and its best schedule (searched through `opt`'s databases) beats the
// three layers apart (each with its searched schedule, as the network would run them) by the cost
// model. Returns the block's schedule when it does; database warnings go to `warnings`.
std::optional<search::BlockChoice> worth_fusing(const ConvBlock& b, const DerivedConfig& cfg, const CompileOptions& opt,
                                                std::vector<std::string>& warnings, std::string* origin) {
  search::BlockChoice fused;
  try {
    check_block(b, cfg);
    fused = search::searched_block(b, cfg, opt.schedule_cache, warnings, opt.shipped_schedules, origin);
  } catch (const CompileError&) {
    return std::nullopt;
  }
  if (opt.blocks == BlockFusion::ALWAYS) return fused;
  double apart = 0;
  const search::CostModel model(cfg);
  for (const Layer* l : b.layers()) {
    const Layer gl = as_gemm_layer(*l);
    const Schedule s = search::searched_schedule(gl, cfg, IsaTarget::TESSERA, opt.schedule_cache, warnings, opt.shipped_schedules);
    apart += model.evaluate(search::layer_problem(gl, cfg, IsaTarget::TESSERA), s).cycles;
  }
  // Apart, the expanded tensor's DRAM halo (the depthwise padding) is filled first.
  const ConvGeometry d = conv_geometry(b.depthwise, cfg);
  if (b.expand) {
    ActBuffer e;
    e.planes = d.kb, e.h = d.h, e.w = d.w, e.top = d.pad_top, e.left = d.pad_left, e.bottom = d.pad_bottom, e.right = d.pad_right;
    apart += search::fill_halo_cost(e, cfg).cycles;
  }
  if (fused.cycles < apart) return fused;
  return std::nullopt;
}

}  // namespace

void fuse_blocks(Network& net, const DerivedConfig& cfg, const CompileOptions& opt) {
  if (!cfg.hw.depthwise) return;
  for (size_t d = 0; d < net.nodes.size(); ++d) {
    const NetNode& dwn = net.nodes[d];
    if (!conv_node(dwn) || dwn.layer->group == 1 || dwn.layer->residual) continue;
    size_t pi = 0;
    const NetNode* prj = sole_consumer(net, dwn.outputs[0], &pi);
    if (!prj || !conv_node(*prj)) continue;
    ConvBlock blk;
    blk.depthwise = *dwn.layer, blk.project = *prj->layer;
    // The expansion, when the depthwise conv's input comes from a 1x1 conv used by nothing else.
    std::optional<size_t> ei;
    for (size_t i = 0; i < d; ++i)
      if (conv_node(net.nodes[i]) && net.nodes[i].outputs[0] == dwn.inputs[0] && net.nodes[i].layer->group == 1 &&
          net.nodes[i].layer->kernel_h == 1 && net.nodes[i].layer->kernel_w == 1 && !net.nodes[i].layer->residual &&
          consumers(net, dwn.inputs[0]) == 1 && !net.is_output(dwn.inputs[0]))
        ei = i;
    if (ei) blk.expand = *net.nodes[*ei].layer;
    const std::string& input = ei ? net.nodes[*ei].inputs[0] : dwn.inputs[0];
    // A fused add must add the block's own input.
    if (blk.project.residual && (prj->inputs.size() != 2 || prj->inputs[1] != input)) continue;
    std::string origin;
    const std::optional<search::BlockChoice> choice = worth_fusing(blk, cfg, opt, net.warnings, &origin);
    if (!choice) continue;

    NetNode fused;
    const NetNode& first = ei ? net.nodes[*ei] : dwn;
    fused.name = blk.name(), fused.op = first.op, fused.placement = Placement::ACCEL;
    for (const NetNode* n : std::initializer_list<const NetNode*>{ei ? &net.nodes[*ei] : nullptr, &dwn, prj})
      if (n) fused.onnx_nodes.insert(fused.onnx_nodes.end(), n->onnx_nodes.begin(), n->onnx_nodes.end());
    fused.inputs = {input}, fused.outputs = prj->outputs;
    fused.block = std::move(blk);
    fused.block_schedule = choice->schedule, fused.block_schedule_origin = origin;
    // Intermediates disappear; the block takes the projection's place (its output's producer).
    net.tensors.erase(dwn.outputs[0]);
    if (ei) net.tensors.erase(net.nodes[*ei].outputs[0]);
    net.nodes[pi] = std::move(fused);
    net.nodes.erase(net.nodes.begin() + int64_t(d));
    if (ei) net.nodes.erase(net.nodes.begin() + int64_t(*ei));
    d = ei ? *ei : d;
    --d;
  }
}

}  // namespace tessera::compiler
