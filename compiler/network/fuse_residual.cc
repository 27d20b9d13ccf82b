// Fusion pass: a residual add whose later operand is a conv used only by that add runs in the
// conv's epilogue, so the conv's result never goes to DRAM and the skip tensor is loaded once.
#include <map>

#include "compiler/compile_error.h"
#include "compiler/network/passes.h"
#include "compiler/schedule.h"

namespace tessera::compiler {
namespace {

// The node index that produces each tensor (graph inputs and constants have none).
std::map<std::string, size_t> producers(const Network& net) {
  std::map<std::string, size_t> p;
  for (size_t i = 0; i < net.nodes.size(); ++i)
    for (const auto& t : net.nodes[i].outputs) p[t] = i;
  return p;
}

size_t consumers(const Network& net, const std::string& tensor) {
  size_t n = 0;
  for (const NetNode& node : net.nodes)
    for (const auto& t : node.inputs) n += t == tensor;
  return n;
}

// Whether the fused layer has a legal schedule at all (the ACC SRAM holds two tiles per buffer).
bool schedulable(const Layer& l, const DerivedConfig& cfg) {
  try {
    default_schedule(conv_geometry(l, cfg), cfg, true);
    return true;
  } catch (const CompileError&) {
    return false;
  }
}

}  // namespace

void fuse_residual_adds(Network& net, const DerivedConfig& cfg) {
  for (size_t a = 0; a < net.nodes.size(); ++a) {
    const NetNode& add = net.nodes[a];
    if (add.placement != Placement::ACCEL || add.layer->kind != LayerKind::ADD || add.inputs.size() != 2 ||
        add.inputs[0] == add.inputs[1])
      continue;
    // The operand produced last is the conv to fuse into: the other one is ready when it runs.
    const auto prod = producers(net);
    const auto index = [&](const std::string& t) { return prod.count(t) ? int64_t(prod.at(t)) : int64_t{-1}; };
    const int late = index(add.inputs[1]) > index(add.inputs[0]) ? 1 : 0;
    const std::string &conv_out = add.inputs[size_t(late)], &skip = add.inputs[size_t(1 - late)];
    if (index(conv_out) < 0) continue;
    NetNode& conv = net.nodes[size_t(index(conv_out))];
    if (conv.placement != Placement::ACCEL || conv.layer->kind != LayerKind::CONV2D || conv.layer->residual ||
        consumers(net, conv_out) != 1 || net.is_output(conv_out))
      continue;
    Layer fused = *conv.layer;
    fused.residual = ResidualAdd{add.layer->inputs[size_t(1 - late)], add.layer->output, add.layer->relu, late == 1};
    if (!schedulable(fused, cfg)) continue;
    conv.layer = fused;
    conv.inputs.push_back(skip);
    conv.outputs = add.outputs;
    conv.onnx_nodes.insert(conv.onnx_nodes.end(), add.onnx_nodes.begin(), add.onnx_nodes.end());
    net.tensors.erase(conv_out);
    net.nodes.erase(net.nodes.begin() + int64_t(a));
    --a;
  }
}

}  // namespace tessera::compiler
