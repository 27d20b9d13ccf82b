// Quantized-layer patterns over an ONNX graph: each anchored on one op, consuming the nodes it
// stands for. Shared by the single-layer and the network importer (onnx_import.cc).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/import/onnx_graph.h"
#include "compiler/layer.h"

namespace tessera::compiler::onnx_patterns {

// What the patterns matched so far: the quantized tensors they (and the host) produce.
struct Context {
  const OnnxGraph& g;
  std::map<std::string, QTensor> produced;  // outputs of layers matched so far
};

struct Match {
  Layer layer;
  std::vector<const onnx::NodeProto*> nodes;  // every node the layer stands for
};

struct Pattern {
  const char* anchor_op;
  bool microsoft_domain;
  Match (*match)(const Context&, const onnx::NodeProto&);
  // Whether the node is in the pattern's quantized form; when not, the network importer leaves it to the host.
  bool (*accepts)(const Context&, const onnx::NodeProto&);
};

// The pattern anchored on `node`'s op and domain, or nullptr.
const Pattern* find_pattern(const onnx::NodeProto& node);
// Names the match's layer, infers its output shape, checks a declared graph output and records
// what it produces and which nodes it consumed.
void finish_match(Context& cx, const onnx::NodeProto& node, Match& m, std::set<const onnx::NodeProto*>& consumed);

// A graph output named `name` must be declared (if at all) with this ONNX element type and shape;
// `producer` ("layer", "node") words the message.
void check_declared_output(const OnnxGraph& g, const onnx::NodeProto& node, const std::string& name, int32_t onnx_type,
                           const std::vector<int64_t>& shape, const char* producer);

// A quantized activation: value input plus its scale and zero point inputs (checked against how it was produced).
QTensor activation(const Context& cx, const onnx::NodeProto& node, int value, int scale, int zero_point, const char* role);
// Whether DequantizeLinear/QuantizeLinear `node` uses exactly the quantization of `q`.
bool same_quantization(const OnnxGraph& g, const onnx::NodeProto& node, const QTensor& q);
// Whether input `index` of `node` is a DequantizeLinear of an activation (the QDQ form).
bool from_dequantizer(const OnnxGraph& g, const onnx::NodeProto& node, int index);
// Whether input 0 is a quantized activation, directly (QOperator) or through a DequantizeLinear (QDQ).
bool quantized_operand(const Context& cx, const onnx::NodeProto& node);

}  // namespace tessera::compiler::onnx_patterns
