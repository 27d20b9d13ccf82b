// ONNX writer: each layer becomes one quantized node (plus a ReLU tail) with its tensors as initializers.
#include "compiler/import/onnx_export.h"

#include <cstring>
#include <fstream>
#include <set>

#include <onnx/onnx_pb.h>

#include "compiler/import/import_error.h"
#include "compiler/import/layer_shapes.h"

namespace tessera::compiler {

namespace {

using onnx::TensorProto;

// The graph being written; an initializer shared by several layers (a tensor's scale) is added once.
struct Graph {
  onnx::GraphProto& proto;
  std::set<std::string> initializers;
};

int32_t onnx_type(ElemType t) { return t == ElemType::UINT8 ? TensorProto::UINT8 : TensorProto::INT8; }

template <typename T, typename V>
void add_initializer(Graph& g, const std::string& name, int32_t type, const std::vector<V>& values,
                     const std::vector<int64_t>& dims) {
  if (!g.initializers.insert(name).second) return;
  TensorProto* t = g.proto.add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  std::string raw(values.size() * sizeof(T), '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    const T v = static_cast<T>(values[i]);
    std::memcpy(&raw[i * sizeof(T)], &v, sizeof(T));
  }
  t->set_raw_data(raw);
}

void add_scale(Graph& g, const std::string& name, const std::vector<double>& s, bool as_vector) {
  add_initializer<float>(g, name, TensorProto::FLOAT, s, as_vector ? std::vector<int64_t>{int64_t(s.size())}
                                                                   : std::vector<int64_t>{});
}

void add_zero_point(Graph& g, const std::string& name, ElemType type, std::vector<int32_t> zp,
                    bool as_vector) {
  const std::vector<int64_t> dims = as_vector ? std::vector<int64_t>{int64_t(zp.size())} : std::vector<int64_t>{};
  if (type == ElemType::UINT8) add_initializer<uint8_t>(g, name, TensorProto::UINT8, zp, dims);
  else add_initializer<int8_t>(g, name, TensorProto::INT8, zp, dims);
}

void add_value_info(onnx::ValueInfoProto* vi, const QTensor& q) {
  vi->set_name(q.name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_type(q.type));
  for (int64_t d : q.shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

// Scale and zero point initializers of an activation; returns their names.
std::pair<std::string, std::string> add_quantization(Graph& g, const QTensor& q) {
  add_scale(g, q.name + "_scale", {q.scale}, false);
  add_zero_point(g, q.name + "_zero_point", q.type, {q.zero_point}, false);
  return {q.name + "_scale", q.name + "_zero_point"};
}

onnx::NodeProto* add_node(Graph& g, const std::string& name, const char* op,
                          const std::vector<std::string>& inputs, const std::string& output) {
  onnx::NodeProto* n = g.proto.add_node();
  n->set_name(name);
  n->set_op_type(op);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return n;
}

void add_ints(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void add_window(onnx::NodeProto* n, const Layer& l) {
  add_ints(n, "kernel_shape", {l.kernel_h, l.kernel_w});
  add_ints(n, "strides", {l.stride_h, l.stride_w});
  add_ints(n, "pads", {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right});
}

// Weights, their scales and zero zero points; `dims` is how the op wants the weight tensor.
std::vector<std::string> add_weights(Graph& g, const Layer& l, const std::vector<int8_t>& w,
                                     const std::vector<int64_t>& dims) {
  const std::string base = l.name + "_w";
  add_initializer<int8_t>(g, base, TensorProto::INT8, w, dims);
  const bool per_channel = l.weight_scales.size() > 1;
  add_scale(g, base + "_scale", l.weight_scales, per_channel);
  add_zero_point(g, base + "_zero_point", ElemType::INT8, std::vector<int32_t>(l.weight_scales.size(), 0), per_channel);
  return {base, base + "_scale", base + "_zero_point"};
}

void add_int_attribute(onnx::NodeProto* n, const char* name, int64_t v);

// The node computing the layer, writing `out`.
void add_layer_node(Graph& g, const Layer& l, const std::string& out) {
  const std::string& x = l.inputs.at(0).name;
  if (l.kind == LayerKind::MAX_POOL) {  // works on quantized values directly, keeping their quantization
    add_window(add_node(g, l.name, "MaxPool", {x}, out), l);
    return;
  }
  const auto [xs, xz] = add_quantization(g, l.inputs[0]);
  QTensor y = l.output;
  y.name = l.name + "_y";
  const auto [ys, yz] = add_quantization(g, y);
  switch (l.kind) {
    case LayerKind::CONV2D: {
      const int64_t c = l.inputs[0].shape.at(1) / l.group;
      const int64_t k = static_cast<int64_t>(l.weights.size()) / (c * l.kernel_h * l.kernel_w);
      const auto w = add_weights(g, l, l.weights, {k, c, l.kernel_h, l.kernel_w});
      std::vector<std::string> in = {x, xs, xz, w[0], w[1], w[2], ys, yz};
      if (!l.bias.empty()) {
        add_initializer<int32_t>(g, l.name + "_bias", TensorProto::INT32, l.bias, {k});
        in.push_back(l.name + "_bias");
      }
      add_window(add_node(g, l.name, "QLinearConv", in, out), l);
      if (l.group != 1) add_int_attribute(g.proto.mutable_node(g.proto.node_size() - 1), "group", l.group);
      return;
    }
    case LayerKind::DENSE: {
      if (!l.bias.empty()) throw ImportError(l.name + ": QLinearMatMul cannot carry a bias");
      const int64_t c = l.inputs[0].shape.at(1);
      const int64_t k = static_cast<int64_t>(l.weights.size()) / c;
      std::vector<int8_t> b(l.weights.size());  // ONNX wants [C, K]
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < c; ++j) b[j * k + i] = l.weights[i * c + j];
      const auto w = add_weights(g, l, b, {c, k});
      add_node(g, l.name, "QLinearMatMul", {x, xs, xz, w[0], w[1], w[2], ys, yz}, out);
      return;
    }
    case LayerKind::ADD: {
      const auto [bs, bz] = add_quantization(g, l.inputs.at(1));
      add_node(g, l.name, "QLinearAdd", {x, xs, xz, l.inputs[1].name, bs, bz, ys, yz}, out)
          ->set_domain("com.microsoft");
      return;
    }
    case LayerKind::GLOBAL_AVG_POOL:
      add_node(g, l.name, "QLinearGlobalAveragePool", {x, xs, xz, ys, yz}, out)->set_domain("com.microsoft");
      return;
    case LayerKind::MAX_POOL: return;
  }
}

void add_int_attribute(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// Clip(min, max) in real values for a layer with an explicit upper clamp: min 0 with a ReLU (else
// the range's bottom), max the clamp's real value.
void add_clip(Graph& g, const Layer& l, const std::string& in, const std::string& out) {
  const QTensor& y = l.output;
  const float lo = l.relu ? 0.0f : static_cast<float>((elem_min(y.type) - y.zero_point) * y.scale);
  const float hi = static_cast<float>((*l.clamp_hi - y.zero_point) * y.scale);
  add_initializer<float>(g, l.name + "_clip_min", TensorProto::FLOAT, std::vector<float>{lo}, {});
  add_initializer<float>(g, l.name + "_clip_max", TensorProto::FLOAT, std::vector<float>{hi}, {});
  add_node(g, l.name + "_clip", "Clip", {in, l.name + "_clip_min", l.name + "_clip_max"}, out);
}

// DequantizeLinear(x), DequantizeLinear(w) [, DequantizeLinear(bias)] -> Conv or Gemm (transB)
// [-> Relu] -> QuantizeLinear.
void add_qdq_layer(Graph& g, const Layer& l) {
  const bool conv = l.kind == LayerKind::CONV2D;
  if (!conv && l.kind != LayerKind::DENSE)
    throw ImportError(l.name + ": the QDQ form is written for conv2d and dense layers only");
  const QTensor& x = l.inputs.at(0);
  const auto [xs, xz] = add_quantization(g, x);
  add_node(g, l.name + "_dq_x", "DequantizeLinear", {x.name, xs, xz}, x.name + "_real");
  const int64_t c = x.shape.at(1) / (conv ? l.group : 1);
  const int64_t k = static_cast<int64_t>(l.weights.size()) / (conv ? c * l.kernel_h * l.kernel_w : c);
  const auto w = add_weights(g, l, l.weights, conv ? std::vector<int64_t>{k, c, l.kernel_h, l.kernel_w}
                                                   : std::vector<int64_t>{k, c});
  const bool per_channel = l.weight_scales.size() > 1;
  auto* dq_w = add_node(g, l.name + "_dq_w", "DequantizeLinear", {w[0], w[1], w[2]}, w[0] + "_real");
  if (per_channel) add_int_attribute(dq_w, "axis", 0);
  std::vector<std::string> op_in = {x.name + "_real", w[0] + "_real"};
  if (!l.bias.empty()) {
    const std::string b = l.name + "_bias";
    add_initializer<int32_t>(g, b, TensorProto::INT32, l.bias, {k});
    std::vector<double> bias_scales;
    for (double ws : l.weight_scales) bias_scales.push_back(static_cast<float>(x.scale) * static_cast<float>(ws));
    add_scale(g, b + "_scale", bias_scales, per_channel);
    auto* dq_b = add_node(g, l.name + "_dq_b", "DequantizeLinear", {b, b + "_scale"}, b + "_real");
    if (per_channel) add_int_attribute(dq_b, "axis", 0);
    op_in.push_back(b + "_real");
  }
  if (conv) {
    add_window(add_node(g, l.name, "Conv", op_in, l.name + "_real"), l);
    if (l.group != 1) add_int_attribute(g.proto.mutable_node(g.proto.node_size() - 1), "group", l.group);
  } else {
    add_int_attribute(add_node(g, l.name, "Gemm", op_in, l.name + "_real"), "transB", 1);
  }
  std::string real = l.name + "_real";
  QTensor y = l.output;
  y.name = l.name + "_y";
  const auto [ys, yz] = add_quantization(g, y);
  if (l.clamp_hi) {
    add_clip(g, l, real, l.name + "_clip_real");
    real = l.name + "_clip_real";
  } else if (l.relu) {
    add_node(g, l.name + "_relu", "Relu", {real}, l.name + "_relu_real");
    real = l.name + "_relu_real";
  }
  add_node(g, l.name + "_quantize", "QuantizeLinear", {real, ys, yz}, l.output.name);
}

void add_layer(Graph& g, const Layer& l, OnnxForm form) {
  if (form == OnnxForm::QDQ) {
    add_qdq_layer(g, l);
  } else if (l.clamp_hi) {
    // Clip (ReLU6-like) between a DequantizeLinear and a QuantizeLinear of the same parameters.
    const std::string pre = l.name + "_preclip";
    add_layer_node(g, l, pre);
    const std::string ys = l.name + "_y_scale", yz = l.name + "_y_zero_point";
    add_node(g, l.name + "_dequantize", "DequantizeLinear", {pre, ys, yz}, pre + "_real");
    add_clip(g, l, pre + "_real", l.name + "_clip_real");
    add_node(g, l.name + "_quantize", "QuantizeLinear", {l.name + "_clip_real", ys, yz}, l.output.name);
  } else if (!l.relu) {
    add_layer_node(g, l, l.output.name);
  } else {
    // ReLU in the QDQ style onnxruntime fuses: dequantize, Relu, quantize with the same parameters.
    const std::string pre = l.name + "_prerelu";
    add_layer_node(g, l, pre);
    const std::string ys = l.name + "_y_scale", yz = l.name + "_y_zero_point";
    add_node(g, l.name + "_dequantize", "DequantizeLinear", {pre, ys, yz}, pre + "_real");
    add_node(g, l.name + "_relu", "Relu", {pre + "_real"}, l.name + "_relu_real");
    add_node(g, l.name + "_quantize", "QuantizeLinear", {l.name + "_relu_real", ys, yz}, l.output.name);
  }
}

}  // namespace

std::vector<uint8_t> export_onnx(const Model& m, OnnxForm form) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("tessera");
  model.add_opset_import()->set_version(13);
  bool microsoft = false;
  for (const Layer& l : m.layers) microsoft |= l.kind == LayerKind::ADD || l.kind == LayerKind::GLOBAL_AVG_POOL;
  if (microsoft) {
    auto* ms = model.add_opset_import();
    ms->set_domain("com.microsoft");
    ms->set_version(1);
  }
  Graph g{*model.mutable_graph(), {}};
  g.proto.set_name(m.layers.empty() ? "empty" : m.layers[0].name);
  // Graph inputs are the tensors no layer produces; outputs are those no later layer consumes.
  std::set<std::string> produced, consumed;
  for (const Layer& l : m.layers) {
    for (const QTensor& in : l.inputs)
      if (!produced.count(in.name) && consumed.insert(in.name).second) add_value_info(g.proto.add_input(), in);
    for (const QTensor& in : l.inputs) consumed.insert(in.name);
    produced.insert(l.output.name);
    add_layer(g, l, form);
  }
  for (const Layer& l : m.layers)
    if (!consumed.count(l.output.name)) add_value_info(g.proto.add_output(), l.output);
  std::string bytes;
  model.SerializeToString(&bytes);
  return {bytes.begin(), bytes.end()};
}

std::vector<uint8_t> export_onnx(const Layer& layer, OnnxForm form) { return export_onnx(Model{"", {layer}}, form); }

void write_onnx_file(const Model& model, const std::string& path, OnnxForm form) {
  const auto bytes = export_onnx(model, form);
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw ImportError(path + ": cannot write file");
}

}  // namespace tessera::compiler
