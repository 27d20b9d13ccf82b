// ONNX importers: a single quantized layer (Model) or a whole network (Network) from the patterns
// of onnx_patterns.h; any node left over is a host operator (network) or unsupported (single layer).
#include "compiler/import/onnx_import.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "compiler/import/layer_shapes.h"
#include "compiler/import/onnx_graph.h"
#include "compiler/import/onnx_host_node.h"
#include "compiler/import/onnx_patterns.h"

namespace tessera::compiler {

namespace {

using namespace onnx_patterns;
using onnx::NodeProto;
using onnx::TensorProto;

NetTensor net_tensor(const QTensor& q) {
  NetTensor t;
  t.name = q.name, t.dtype = dtype_of(q.type), t.shape = q.shape, t.scale = q.scale, t.zero_point = q.zero_point;
  return t;
}

int32_t onnx_type(DType t) {
  switch (t) {
    case DType::INT8: return TensorProto::INT8;
    case DType::UINT8: return TensorProto::UINT8;
    case DType::INT32: return TensorProto::INT32;
    case DType::FLOAT32: return TensorProto::FLOAT;
  }
  return TensorProto::UNDEFINED;
}

// A graph input of any type the network can take (float32 is quantized on the host).
NetTensor graph_value(const OnnxGraph& g, const onnx::ValueInfoProto& vi) {
  const std::string where = g.origin() + ": graph input '" + vi.name() + "'";
  if (!vi.type().has_tensor_type()) throw ImportError(where + " is not a tensor");
  const auto& tt = vi.type().tensor_type();
  NetTensor t;
  t.name = vi.name();
  switch (tt.elem_type()) {
    case TensorProto::FLOAT: t.dtype = DType::FLOAT32; break;
    case TensorProto::INT8: t.dtype = DType::INT8; break;
    case TensorProto::UINT8: t.dtype = DType::UINT8; break;
    default: throw ImportError(where + " has type " + onnx_type_name(tt.elem_type()) + " (expected float, int8 or uint8)");
  }
  t.shape = static_shape(tt, where);
  return t;
}

// A DequantizeLinear of a constant (weights, bias), or of an activation that only QDQ patterns
// consume: the patterns take it with them.
bool deferred_dequantizer(const OnnxGraph& g, const NodeProto& node) {
  if (node.op_type() != "DequantizeLinear" || node.input_size() < 1 || g.is_graph_output(node.output(0))) return false;
  if (g.is_initializer(node.input(0))) return true;
  static const std::set<std::string> qdq_ops = {"Conv", "Gemm", "MatMul", "Add", "MaxPool", "GlobalAveragePool",
                                                "Flatten", "Reshape", "Squeeze"};
  const auto users = g.consumers(node.output(0));
  return !users.empty() && std::all_of(users.begin(), users.end(), [](const NodeProto* u) { return qdq_ops.count(u->op_type()) != 0; });
}

// Flatten/Reshape/Squeeze of a quantized tensor, directly (QOperator) or inside DQ -> op -> Q (QDQ).
bool quantized_reshape(const Context& cx, const NodeProto& node) {
  static const std::set<std::string> ops = {"Flatten", "Reshape", "Squeeze"};
  if (!ops.count(node.op_type()) || !quantized_operand(cx, node)) return false;
  return !from_dequantizer(cx.g, node, 0) || cx.g.sole_consumer(node.output(0), "QuantizeLinear");
}

}  // namespace

Network import_onnx_network(const std::vector<uint8_t>& bytes, const std::string& origin) {
  OnnxGraph g(bytes, origin);
  Context cx{g, {}};
  Network net;
  net.source = origin;
  for (const auto& vi : g.graph().input()) {
    if (g.is_initializer(vi.name())) continue;
    NetTensor t = graph_value(g, vi);
    net.inputs.push_back(t.name);
    if (!net.tensors.emplace(t.name, t).second) throw ImportError(origin + ": graph input '" + t.name + "' is declared twice");
  }
  std::set<const NodeProto*> consumed(g.constant_nodes().begin(), g.constant_nodes().end()), deferred;
  const auto add_tensor = [&](const NodeProto& node, const NetTensor& t) {
    check_tensor_size(g, node, t.name, t.shape);
    check_declared_output(g, node, t.name, onnx_type(t.dtype), t.shape, "node");
    if (!net.tensors.emplace(t.name, t).second) g.fail(node, "output '" + t.name + "' is produced twice");
    if (t.quantized()) cx.produced.emplace(t.name, t.qtensor());
  };
  const auto data_inputs = [&](const NodeProto& node, NetNode& n) {
    std::vector<const NetTensor*> in;
    for (int i = 0; i < node.input_size(); ++i) {
      if (node.input(i).empty() || g.is_initializer(node.input(i))) continue;
      const auto it = net.tensors.find(node.input(i));
      if (it == net.tensors.end()) g.fail(node, "input '" + node.input(i) + "' is not produced by any earlier node or graph input");
      in.push_back(&it->second);
      n.inputs.push_back(node.input(i));
    }
    if (in.empty()) g.fail(node, "has no activation input");
    return in;
  };
  const auto host_node = [&](const NodeProto& node) {
    NetNode n;
    n.name = g.name_of(node), n.onnx_nodes = {n.name};
    for (const NetTensor& t : import_host_node(g, node, data_inputs(node, n), n)) add_tensor(node, t);
    consumed.insert(&node);
    net.nodes.push_back(std::move(n));
  };
  for (const NodeProto& node : g.graph().node()) {
    if (consumed.count(&node)) continue;
    const Pattern* p = find_pattern(node);
    if (p && p->accepts(cx, node)) {
      Match m = p->match(cx, node);
      finish_match(cx, node, m, consumed);
      NetNode n;
      n.name = m.layer.name, n.op = node.op_type();
      for (const NodeProto* x : m.nodes) n.onnx_nodes.push_back(g.name_of(*x));
      std::rotate(n.onnx_nodes.begin(), std::find(n.onnx_nodes.begin(), n.onnx_nodes.end(), n.name), n.onnx_nodes.end());
      for (const QTensor& q : m.layer.inputs) {
        n.inputs.push_back(q.name);
        auto& t = net.tensors[q.name];  // a quantized graph input learns its quantization here
        if (net.is_input(q.name) && t.quantized()) t.scale = q.scale, t.zero_point = q.zero_point;
      }
      n.outputs = {m.layer.output.name};
      net.tensors.emplace(m.layer.output.name, net_tensor(m.layer.output));
      n.layer = std::move(m.layer);
      net.nodes.push_back(std::move(n));
    } else if (quantized_reshape(cx, node)) {
      NetNode n;
      n.name = g.name_of(node), n.reshape = true, n.onnx_nodes = {n.name};
      const NodeProto* dq = from_dequantizer(g, node, 0) ? g.producer(node.input(0)) : nullptr;
      NetTensor in = dq ? net_tensor(activation(cx, *dq, 0, 1, 2, "x")) : net.tensors.at(node.input(0));
      NetTensor shape_only = in;
      shape_only.dtype = DType::FLOAT32;  // the shape rules only
      NetNode scratch;
      NetTensor out = import_host_node(g, node, {&shape_only}, scratch).at(0);
      out.dtype = in.dtype, out.scale = in.scale, out.zero_point = in.zero_point;
      consumed.insert(&node);
      if (dq) {
        const NodeProto* q = g.sole_consumer(node.output(0), "QuantizeLinear");
        if (!same_quantization(g, *q, in.qtensor()))
          g.fail(node, "the QuantizeLinear after it must keep its input's quantization");
        out.name = q->output(0);
        consumed.insert({dq, q});
        n.onnx_nodes.push_back(g.name_of(*dq)), n.onnx_nodes.push_back(g.name_of(*q));
      }
      n.op = node.op_type(), n.inputs = {in.name}, n.outputs = {out.name};
      add_tensor(node, out);
      net.nodes.push_back(std::move(n));
    } else if (deferred_dequantizer(g, node)) {
      deferred.insert(&node);
    } else {
      for (int i = 0; i < node.input_size(); ++i) {  // a declined QDQ op: its dequantizers run on the host
        const NodeProto* dq = g.has_input(node, i) ? g.producer(node.input(i)) : nullptr;
        if (dq && deferred.count(dq) && !consumed.count(dq)) host_node(*dq);
      }
      host_node(node);
    }
  }
  for (const NodeProto* dq : deferred)
    if (!consumed.count(dq)) g.fail(*dq, "no quantized operator takes this DequantizeLinear's output");
  for (const auto& vi : g.graph().output()) {
    if (!net.tensors.count(vi.name())) throw ImportError(origin + ": graph output '" + vi.name() + "' is not produced by any node");
    net.outputs.push_back(vi.name());
  }
  if (net.outputs.empty()) throw ImportError(origin + ": the graph has no outputs");
  return net;
}

Network import_onnx_network_file(const std::string& path) { return import_onnx_network(read_model_file(path), path); }

Model import_onnx(const std::vector<uint8_t>& bytes, const std::string& origin) {
  OnnxGraph g(bytes, origin);
  Context cx{g, {}};
  std::set<const NodeProto*> consumed(g.constant_nodes().begin(), g.constant_nodes().end());
  Model model;
  model.source = origin;
  for (const NodeProto& node : g.graph().node()) {
    const Pattern* p = consumed.count(&node) ? nullptr : find_pattern(node);
    if (!p) continue;
    Match m = p->match(cx, node);
    finish_match(cx, node, m, consumed);
    model.layers.push_back(std::move(m.layer));
  }
  for (const NodeProto& node : g.graph().node())
    if (!consumed.count(&node))
      g.fail(node, "operator is not supported here (supported: QLinearConv [+ DequantizeLinear->Relu->QuantizeLinear], "
                   "QLinearMatMul, QDQ Conv/Gemm/MatMul, QLinearAdd, QLinearGlobalAveragePool, MaxPool after a layer)");
  for (const auto& vi : g.graph().output())
    if (!cx.produced.count(vi.name()))
      throw ImportError(origin + ": graph output '" + vi.name() + "' is not produced by a supported layer");
  return model;
}

// Matches the parser's limit, checked before reading so a huge file is not loaded at all.
constexpr uintmax_t kMaxModelFileBytes = uintmax_t{1} << 30;

std::vector<uint8_t> read_model_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ImportError(path + ": cannot open file");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxModelFileBytes)
    throw ImportError(path + ": " + std::to_string(size) + " bytes is larger than the " +
                      std::to_string(kMaxModelFileBytes) + "-byte limit");
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

Model import_onnx_file(const std::string& path) { return import_onnx(read_model_file(path), path); }

}  // namespace tessera::compiler
