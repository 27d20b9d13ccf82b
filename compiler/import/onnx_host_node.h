// ONNX operators the host runs between accelerator segments: attributes as text, output tensors inferred.
#pragma once

#include <string>
#include <vector>

#include "compiler/import/onnx_graph.h"
#include "compiler/network/graph.h"

namespace tessera::compiler {

// The host form of `node`: `n.op`, `n.attrs` and `n.outputs` are filled and each output's tensor
// (dtype, shape, quantization) returned. Throws ImportError naming the node for an operator no
// host kernel implements, a non-constant shape input, or inconsistent shapes.
std::vector<NetTensor> import_host_node(const OnnxGraph& g, const onnx::NodeProto& node,
                                        const std::vector<const NetTensor*>& inputs, NetNode& n);

}  // namespace tessera::compiler
