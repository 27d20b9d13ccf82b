// The quantized-layer patterns: QLinear* (QOperator) and DequantizeLinear -> op -> QuantizeLinear (QDQ).
#include "compiler/import/onnx_patterns.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "compiler/import/layer_shapes.h"

namespace tessera::compiler::onnx_patterns {

using onnx::NodeProto;
using onnx::TensorProto;

// A zero point input; an absent one is ONNX's default, 0 of type uint8.
int64_t zero_point_input(const OnnxGraph& g, const NodeProto& node, int index, const std::string& role, ElemType* type) {
  if (!g.has_input(node, index)) {
    *type = ElemType::UINT8;
    return 0;
  }
  return g.scalar_int(node, index, role.c_str(), type);
}

// A quantized activation: value input plus its scale and zero point inputs.
QTensor activation(const Context& cx, const NodeProto& node, int value, int scale, int zero_point, const char* role) {
  const OnnxGraph& g = cx.g;
  const std::string& name = g.input(node, value, role);
  auto it = cx.produced.find(name);
  QTensor q = it != cx.produced.end() ? it->second : g.graph_input(name, node);
  const std::string r(role);
  const double s = g.scalar_real(node, scale, (r + "_scale").c_str());
  ElemType zp_type;
  const int64_t zp = zero_point_input(g, node, zero_point, r + "_zero_point", &zp_type);
  if (zp_type != q.type)
    g.fail(node, r + "_zero_point has type " + elem_type_name(zp_type) + " but '" + name + "' is " + elem_type_name(q.type));
  if (it != cx.produced.end() && (s != q.scale || zp != q.zero_point))
    g.fail(node, r + " quantization (scale " + std::to_string(s) + ", zero point " + std::to_string(zp) +
                     ") differs from the one '" + name + "' was produced with");
  q.scale = s;
  q.zero_point = static_cast<int32_t>(zp);
  return q;
}

QTensor output_tensor(const Context& cx, const NodeProto& node, const std::string& name, int scale, int zero_point) {
  QTensor q;
  q.name = name;
  q.scale = cx.g.scalar_real(node, scale, "y_scale");
  q.zero_point = static_cast<int32_t>(zero_point_input(cx.g, node, zero_point, "y_zero_point", &q.type));
  return q;
}

// Per-tensor or per-output-channel weight scales with all-zero (symmetric) zero points.
void read_weight_quantization(const Context& cx, const NodeProto& node, int scale, int zero_point, int64_t k,
                              Layer& l) {
  const OnnxGraph& g = cx.g;
  const ConstTensor s = g.constant(node, scale, "w_scale", {TensorProto::FLOAT});
  if (s.size() != 1 && static_cast<int64_t>(s.size()) != k)
    g.fail(node, "w_scale has " + std::to_string(s.size()) + " values (expected 1 or " + std::to_string(k) + ")");
  for (double v : s.reals)
    if (!(v > 0)) g.fail(node, "w_scale holds " + std::to_string(v) + " (scales must be positive)");
  if (g.has_input(node, zero_point)) {
    // ONNX gives a zero point the quantized tensor's type, and the weights are int8.
    const ConstTensor zp = g.constant(node, zero_point, "w_zero_point", {TensorProto::INT8});
    for (int64_t v : zp.ints)
      if (v != 0) g.fail(node, "w_zero_point holds " + std::to_string(v) + " (only symmetric weights, zero point 0)");
  }
  l.weight_scales = s.reals;
}

std::vector<int8_t> to_int8(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

int same_pad_total(int64_t in, int kernel, int stride) {
  const int64_t out = (in + stride - 1) / stride;
  return static_cast<int>(std::max<int64_t>((out - 1) * stride + kernel - in, 0));
}

// kernel_shape, strides, pads, auto_pad and dilations of a 2-D windowed op.
void read_window(const OnnxGraph& g, const NodeProto& node, int64_t kh, int64_t kw, Layer& l) {
  const auto kernel = g.attr_ints(node, "kernel_shape");
  if (!kernel.empty() && kernel != std::vector<int64_t>{kh, kw})
    g.fail(node, "attribute 'kernel_shape' = " + ints_string(kernel) + " does not match the weights' " +
                     ints_string({kh, kw}));
  for (int64_t d : g.attr_ints(node, "dilations"))
    if (d != 1) g.fail(node, "attribute 'dilations' = " + ints_string(g.attr_ints(node, "dilations")) +
                                 " is not supported (only 1)");
  auto strides = g.attr_ints(node, "strides");
  if (strides.empty()) strides = {1, 1};
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1 || strides[0] > 64 || strides[1] > 64)
    g.fail(node, "attribute 'strides' = " + ints_string(strides) + " is not supported (two values in 1..64)");
  auto pads = g.attr_ints(node, "pads");
  const std::string auto_pad = g.attr_string(node, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && !pads.empty()) g.fail(node, "attributes 'pads' and 'auto_pad' are both given");
  const auto& in = l.inputs.at(0).shape;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const int th = same_pad_total(in[2], static_cast<int>(kh), static_cast<int>(strides[0]));
    const int tw = same_pad_total(in[3], static_cast<int>(kw), static_cast<int>(strides[1]));
    const bool upper = auto_pad == "SAME_UPPER";  // the odd pixel goes at the end
    pads = {upper ? th / 2 : th - th / 2, upper ? tw / 2 : tw - tw / 2, upper ? th - th / 2 : th / 2,
            upper ? tw - tw / 2 : tw / 2};
  } else if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    g.fail(node, "attribute 'auto_pad' = '" + auto_pad + "' is not supported");
  }
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (pads.size() != 4) g.fail(node, "attribute 'pads' = " + ints_string(pads) + " must have 4 values");
  for (int64_t p : pads)
    if (p < 0 || p > 64) g.fail(node, "attribute 'pads' = " + ints_string(pads) + " is not supported (0..64)");
  l.kernel_h = static_cast<int>(kh);
  l.kernel_w = static_cast<int>(kw);
  l.stride_h = static_cast<int>(strides[0]);
  l.stride_w = static_cast<int>(strides[1]);
  l.pad_top = static_cast<int>(pads[0]);
  l.pad_left = static_cast<int>(pads[1]);
  l.pad_bottom = static_cast<int>(pads[2]);
  l.pad_right = static_cast<int>(pads[3]);
}

// Conv weights [K, C, R, S] for input `l.inputs[0]`: checks the layout, group and geometry.
void read_conv_weights(const Context& cx, const NodeProto& node, const ConstTensor& w, Layer& l) {
  const OnnxGraph& g = cx.g;
  const auto& in = l.inputs[0].shape;
  if (in.size() != 4) g.fail(node, "input shape " + shape_string(in) + " is not NCHW (only 2-D convolution)");
  // group > 1: grouped conv (group == C == K: depthwise); weights are [K, C/group, R, S].
  const int64_t group = g.attr_int(node, "group", 1);
  if (group < 1 || in[1] % group != 0)
    g.fail(node, "attribute 'group' = " + std::to_string(group) + " does not divide the input's " +
                     std::to_string(in[1]) + " channels");
  const int64_t cg = in[1] / group;
  if (w.dims.size() != 4 || w.dims[1] != cg || w.dims[0] < 1 || w.dims[2] < 1 || w.dims[3] < 1)
    g.fail(node, "weights have dims " + ints_string(w.dims) + ", expected [K," + std::to_string(cg) + ",R,S]" +
                     (group > 1 ? " (C/group = " + std::to_string(in[1]) + "/" + std::to_string(group) + ")" : ""));
  if (w.dims[0] % group != 0)
    g.fail(node, "attribute 'group' = " + std::to_string(group) + " does not divide the " + std::to_string(w.dims[0]) +
                     " output channels");
  l.group = static_cast<int>(group);
  if (w.dims[2] > 64 || w.dims[3] > 64) g.fail(node, "kernel " + ints_string(w.dims) + " is larger than 64x64");
  l.kind = LayerKind::CONV2D;
  l.weights = to_int8(w.ints);
  read_window(g, node, w.dims[2], w.dims[3], l);
}

std::vector<int32_t> read_bias(const Context& cx, const NodeProto& node, int index, int64_t k) {
  const ConstTensor b = cx.g.constant(node, index, "bias", {TensorProto::INT32});
  if (b.dims != std::vector<int64_t>{k})
    cx.g.fail(node, "bias has dims " + ints_string(b.dims) + " (expected [" + std::to_string(k) + "])");
  return {b.ints.begin(), b.ints.end()};
}

// Whether DequantizeLinear/QuantizeLinear `node` uses exactly the quantization of `q`.
bool same_quantization(const OnnxGraph& g, const NodeProto& node, const QTensor& q) {
  if (!g.has_input(node, 2) || !g.is_initializer(node.input(1)) || !g.is_initializer(node.input(2))) return false;
  ElemType type;
  return g.scalar_real(node, 1, "scale") == q.scale && g.scalar_int(node, 2, "zero_point", &type) == q.zero_point &&
         type == q.type;
}

// A float bound of Clip `clip` (input `index`, or the attribute of opset < 11), if given.
std::optional<double> clip_bound(const OnnxGraph& g, const NodeProto& clip, int index, const char* name) {
  for (const auto& a : clip.attribute())
    if (a.name() == name) return a.f();
  if (!g.has_input(clip, index)) return std::nullopt;
  const ConstTensor t = g.constant(clip, index, name, {TensorProto::FLOAT});
  if (t.size() != 1) g.fail(clip, std::string(name) + " must be a scalar");
  return t.reals[0];
}

// Clip(min, max) before a QuantizeLinear to `y` (already read into the layer's output) becomes the
// layer's output clamp: Q is monotone, so Q(clip(v)) = clamp(Q(v), Q(min), Q(max)). Q(min) must be
// at most the type's minimum (no clamp) or the zero point (a ReLU: Clip(0, 6) is ReLU6); Q(max)
// below the type's maximum is the explicit upper clamp.
void apply_clip(const OnnxGraph& g, const NodeProto& clip, Layer& l) {
  g.check_attributes(clip, {"min", "max"});
  const QTensor& y = l.output;
  const auto quantized = [&](double v) {
    return std::clamp<double>(std::nearbyint(v / y.scale) + y.zero_point, elem_min(y.type), elem_max(y.type));
  };
  if (const auto lo = clip_bound(g, clip, 1, "min")) {
    const double q = quantized(*lo);
    if (q == y.zero_point && *lo >= 0) l.relu = true;
    else if (q > elem_min(y.type))
      g.fail(clip, "Clip min " + std::to_string(*lo) + " is neither 0 nor below the output range (not supported)");
  }
  if (const auto hi = clip_bound(g, clip, 2, "max")) {
    const double q = quantized(*hi);
    if (q < elem_max(y.type)) l.clamp_hi = static_cast<int32_t>(q);
  }
}

// QLinear* -> DequantizeLinear -> Relu or Clip -> QuantizeLinear with unchanged quantization is a
// fused ReLU (Clip: ReLU and/or an upper clamp).
void fuse_dq_relu_q(const Context& cx, Match& m) {
  const OnnxGraph& g = cx.g;
  const NodeProto* dq = g.sole_consumer(m.layer.output.name, "DequantizeLinear");
  if (!dq || !same_quantization(g, *dq, m.layer.output)) return;
  const NodeProto* relu = g.sole_consumer(dq->output(0), "Relu");
  const NodeProto* clip = relu ? nullptr : g.sole_consumer(dq->output(0), "Clip");
  const NodeProto* act = relu ? relu : clip;
  if (!act) return;
  const NodeProto* q = g.sole_consumer(act->output(0), "QuantizeLinear");
  if (!q || !same_quantization(g, *q, m.layer.output)) return;
  m.layer.output.name = q->output(0);
  if (relu) m.layer.relu = true;
  else apply_clip(g, *clip, m.layer);
  if (m.layer.clamp_hi && m.layer.kind != LayerKind::CONV2D && m.layer.kind != LayerKind::DENSE)
    g.fail(*clip, "a Clip max inside the output range is supported after QLinearConv, QLinearMatMul and QGemm only");
  m.nodes.insert(m.nodes.end(), {dq, act, q});
}

Match match_qlinear_conv(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  Match m{{}, {&node}};
  m.layer.inputs = {activation(cx, node, 0, 1, 2, "x")};
  const ConstTensor w = g.constant(node, 3, "w", {TensorProto::INT8});
  read_conv_weights(cx, node, w, m.layer);
  read_weight_quantization(cx, node, 4, 5, w.dims[0], m.layer);
  m.layer.output = output_tensor(cx, node, node.output(0), 6, 7);
  if (g.has_input(node, 8)) m.layer.bias = read_bias(cx, node, 8, w.dims[0]);
  fuse_dq_relu_q(cx, m);
  return m;
}

Match match_qlinear_matmul(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {});
  Match m{{}, {&node}};
  m.layer.kind = LayerKind::DENSE;
  m.layer.inputs = {activation(cx, node, 0, 1, 2, "a")};
  const auto& in = m.layer.inputs[0].shape;
  if (in.size() != 2) g.fail(node, "input shape " + shape_string(in) + " is not [N,C] (only 2-D matmul)");
  const ConstTensor b = g.constant(node, 3, "b", {TensorProto::INT8});
  if (b.dims.size() != 2 || b.dims[0] != in[1] || b.dims[1] < 1)
    g.fail(node, "b has dims " + ints_string(b.dims) + ", expected [" + std::to_string(in[1]) + ",K]");
  const int64_t c = b.dims[0], k = b.dims[1];
  m.layer.weights.resize(static_cast<size_t>(c * k));
  for (int64_t i = 0; i < c; ++i)
    for (int64_t j = 0; j < k; ++j) m.layer.weights[j * c + i] = static_cast<int8_t>(b.ints[i * k + j]);
  read_weight_quantization(cx, node, 4, 5, k, m.layer);
  m.layer.output = output_tensor(cx, node, node.output(0), 6, 7);
  fuse_dq_relu_q(cx, m);
  return m;
}

// The DequantizeLinear producing input `index` of `node`, or a clear error.
const NodeProto& dequantizer(const OnnxGraph& g, const NodeProto& node, int index, const char* role) {
  const NodeProto* dq = g.producer(g.input(node, index, role));
  if (!dq || dq->op_type() != "DequantizeLinear")
    g.fail(node, std::string(role) + " must come from a DequantizeLinear (QDQ form)");
  return *dq;
}

// QDQ bias: DequantizeLinear of an int32 [K] initializer whose scale is x_scale * w_scale.
void read_qdq_bias(const Context& cx, const NodeProto& node, int index, int64_t k, Match& m) {
  const OnnxGraph& g = cx.g;
  const NodeProto& dq_b = dequantizer(g, node, index, "bias");
  m.layer.bias = read_bias(cx, dq_b, 0, k);
  const ConstTensor bs = g.constant(dq_b, 1, "bias_scale", {TensorProto::FLOAT});
  if (g.has_input(dq_b, 2))
    for (int64_t v : g.constant(dq_b, 2, "bias_zero_point", {TensorProto::INT32}).ints)
      if (v != 0) g.fail(dq_b, "bias_zero_point holds " + std::to_string(v) + " (a bias has zero point 0)");
  if (bs.size() != 1 && static_cast<int64_t>(bs.size()) != k)
    g.fail(dq_b, "bias_scale has " + std::to_string(bs.size()) + " values (expected 1 or " + std::to_string(k) + ")");
  for (size_t i = 0; i < bs.reals.size(); ++i) {
    const double want = m.layer.inputs[0].scale * m.layer.weight_scales[m.layer.weight_scales.size() > 1 ? i : 0];
    if (std::abs(bs.reals[i] - want) > 1e-6 * want)
      g.fail(dq_b, "bias scale " + std::to_string(bs.reals[i]) + " is not x_scale * w_scale = " + std::to_string(want));
  }
  m.nodes.push_back(&dq_b);
}

// QDQ output: the op [-> Relu | Clip] -> QuantizeLinear (Clip: ReLU6 and the like, see apply_clip).
void read_qdq_output(const Context& cx, const NodeProto& node, Match& m) {
  const OnnxGraph& g = cx.g;
  const NodeProto* relu = g.sole_consumer(node.output(0), "Relu");
  const NodeProto* clip = relu ? nullptr : g.sole_consumer(node.output(0), "Clip");
  const NodeProto* act = relu ? relu : clip;
  const NodeProto* q = g.sole_consumer(act ? act->output(0) : node.output(0), "QuantizeLinear");
  if (!q) g.fail(node, "output must go to a QuantizeLinear (optionally through a Relu or Clip) in the QDQ form");
  m.layer.relu = relu != nullptr;
  if (act) m.nodes.push_back(act);
  m.nodes.push_back(q);
  m.layer.output = output_tensor(cx, *q, "", 1, 2);
  m.layer.output.name = q->output(0);
  if (clip) apply_clip(g, *clip, m.layer);
  if (m.layer.clamp_hi && m.layer.kind != LayerKind::CONV2D && m.layer.kind != LayerKind::DENSE)
    g.fail(*clip, "a Clip max inside the output range is supported after Conv, Gemm and MatMul only");
}

// Weights of a QDQ op: DequantizeLinear of an int8 initializer whose dimension `k_axis` is the output
// channels, which per-channel scales must follow.
ConstTensor read_qdq_weights(const Context& cx, const NodeProto& dq_w, int k_axis, Layer& l) {
  const OnnxGraph& g = cx.g;
  ConstTensor w = g.constant(dq_w, 0, "w", {TensorProto::INT8});
  if (static_cast<int>(w.dims.size()) <= k_axis) g.fail(dq_w, "weights have dims " + ints_string(w.dims));
  read_weight_quantization(cx, dq_w, 1, 2, w.dims[k_axis], l);
  if (l.weight_scales.size() > 1 && g.attr_int(dq_w, "axis", 1) != k_axis)
    g.fail(dq_w, "per-channel weight scales must use 'axis' = " + std::to_string(k_axis) + " (output channels)");
  return w;
}

// QDQ form: DequantizeLinear(x), DequantizeLinear(w) [, DequantizeLinear(bias)] -> Conv [-> Relu] -> QuantizeLinear.
Match match_qdq_conv(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const NodeProto& dq_x = dequantizer(g, node, 0, "X");
  const NodeProto& dq_w = dequantizer(g, node, 1, "W");
  Match m{{}, {&dq_x, &dq_w, &node}};
  m.layer.inputs = {activation(cx, dq_x, 0, 1, 2, "x")};
  const ConstTensor w = read_qdq_weights(cx, dq_w, 0, m.layer);
  read_conv_weights(cx, node, w, m.layer);
  if (g.has_input(node, 2)) read_qdq_bias(cx, node, 2, w.dims[0], m);
  read_qdq_output(cx, node, m);
  return m;
}

// A Gemm's B ([C,K], or [K,C] with transB) as K x C weights; returns K.
int64_t read_dense_weights(const OnnxGraph& g, const NodeProto& node, const ConstTensor& b, int64_t c, bool trans_b,
                           Layer& l) {
  if (b.dims.size() != 2 || b.dims[trans_b ? 1 : 0] != c || b.dims[trans_b ? 0 : 1] < 1)
    g.fail(node, "B has dims " + ints_string(b.dims) + ", expected " +
                     (trans_b ? "[K," + std::to_string(c) + "]" : "[" + std::to_string(c) + ",K]"));
  const int64_t k = b.dims[trans_b ? 0 : 1];
  l.weights.resize(static_cast<size_t>(c * k));
  for (int64_t ko = 0; ko < k; ++ko)
    for (int64_t ci = 0; ci < c; ++ci)
      l.weights[ko * c + ci] = static_cast<int8_t>(b.ints[trans_b ? ko * c + ci : ci * k + ko]);
  return k;
}

// QDQ dense: DequantizeLinear(a), DequantizeLinear(b) [, DequantizeLinear(bias)] -> Gemm or MatMul
// [-> Relu] -> QuantizeLinear. Gemm needs alpha = beta = 1 and no transA; transB picks the weight layout.
Match match_qdq_dense(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  const bool gemm = node.op_type() == "Gemm";
  g.check_attributes(node, gemm ? std::set<std::string>{"alpha", "beta", "transA", "transB"} : std::set<std::string>{});
  for (const char* a : {"alpha", "beta"})
    for (const auto& attr : node.attribute())
      if (attr.name() == a && (attr.type() != onnx::AttributeProto::FLOAT || attr.f() != 1.0f))
        g.fail(node, std::string("attribute '") + a + "' = " + std::to_string(attr.f()) + " is not supported (only 1.0)");
  if (g.attr_int(node, "transA", 0) != 0) g.fail(node, "attribute 'transA' = 1 is not supported (only 0)");
  const bool trans_b = g.attr_int(node, "transB", 0) != 0;
  const NodeProto& dq_a = dequantizer(g, node, 0, "A");
  const NodeProto& dq_b = dequantizer(g, node, 1, "B");
  Match m{{}, {&dq_a, &dq_b, &node}};
  m.layer.kind = LayerKind::DENSE;
  m.layer.inputs = {activation(cx, dq_a, 0, 1, 2, "a")};
  const auto& in = m.layer.inputs[0].shape;
  if (in.size() != 2) g.fail(node, "input shape " + shape_string(in) + " is not [N,C] (only 2-D)");
  const ConstTensor b = read_qdq_weights(cx, dq_b, trans_b ? 0 : 1, m.layer);
  const int64_t k = read_dense_weights(g, node, b, in[1], trans_b, m.layer);
  if (gemm && g.has_input(node, 2)) read_qdq_bias(cx, node, 2, k, m);
  read_qdq_output(cx, node, m);
  return m;
}

Match match_qlinear_add(const Context& cx, const NodeProto& node) {
  cx.g.check_attributes(node, {});
  Match m{{}, {&node}};
  m.layer.kind = LayerKind::ADD;
  m.layer.inputs = {activation(cx, node, 0, 1, 2, "a"), activation(cx, node, 3, 4, 5, "b")};
  m.layer.output = output_tensor(cx, node, node.output(0), 6, 7);
  fuse_dq_relu_q(cx, m);
  return m;
}

Match match_qlinear_global_avg_pool(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {"channels_last"});
  if (g.attr_int(node, "channels_last", 0) != 0) g.fail(node, "attribute 'channels_last' = 1 is not supported (only NCHW)");
  Match m{{}, {&node}};
  m.layer.kind = LayerKind::GLOBAL_AVG_POOL;
  m.layer.inputs = {activation(cx, node, 0, 1, 2, "x")};
  m.layer.output = output_tensor(cx, node, node.output(0), 3, 4);
  return m;
}

// Whether input `index` of `node` is a DequantizeLinear of an activation (the QDQ form).
bool from_dequantizer(const OnnxGraph& g, const NodeProto& node, int index) {
  if (!g.has_input(node, index)) return false;
  const NodeProto* p = g.producer(node.input(index));
  return p && p->op_type() == "DequantizeLinear" && !g.is_initializer(p->input(0));
}

// A quantized MaxPool keeps its input's quantization, which only a preceding layer can supply.
Match match_max_pool(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
  if (g.attr_int(node, "ceil_mode", 0) != 0) g.fail(node, "attribute 'ceil_mode' = 1 is not supported (only 0)");
  if (g.attr_int(node, "storage_order", 0) != 0) g.fail(node, "attribute 'storage_order' = 1 is not supported");
  if (node.output_size() > 1 && !node.output(1).empty()) g.fail(node, "output 'Indices' is not supported");
  Match m{{}, {&node}};
  m.layer.kind = LayerKind::MAX_POOL;
  const bool qdq = from_dequantizer(g, node, 0);
  if (qdq) {
    const NodeProto& dq = dequantizer(g, node, 0, "X");
    m.nodes.push_back(&dq);
    m.layer.inputs = {activation(cx, dq, 0, 1, 2, "x")};
  } else {
    auto it = cx.produced.find(g.input(node, 0, "X"));
    if (it == cx.produced.end()) g.fail(node, "input must be the output of a quantized layer (it carries no scale)");
    m.layer.inputs = {it->second};
  }
  const QTensor& x = m.layer.inputs[0];
  const auto kernel = g.attr_ints(node, "kernel_shape");
  if (kernel.empty()) g.fail(node, "required attribute 'kernel_shape' is missing");
  if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1 || kernel[0] > 64 || kernel[1] > 64)
    g.fail(node, "attribute 'kernel_shape' = " + ints_string(kernel) + " is not supported (two values in 1..64)");
  if (x.shape.size() != 4) g.fail(node, "input shape " + shape_string(x.shape) + " is not NCHW");
  read_window(g, node, kernel[0], kernel[1], m.layer);
  m.layer.output = x;
  m.layer.output.name = node.output(0);
  if (qdq) {
    read_qdq_output(cx, node, m);
    if (m.layer.relu || m.layer.output.scale != x.scale || m.layer.output.zero_point != x.zero_point ||
        m.layer.output.type != x.type)
      g.fail(node, "the QuantizeLinear after a MaxPool must keep its input's quantization");
  }
  return m;
}

// com.microsoft QGemm (what onnxruntime's quantizer writes for Gemm/Linear): A, a_scale, a_zp, B,
// b_scale, b_zp [, C int32 bias [, y_scale, y_zp]]; a quantized output is required here.
Match match_qgemm(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {"alpha", "beta", "transA", "transB"});
  for (const auto& attr : node.attribute())
    if ((attr.name() == "alpha" || attr.name() == "beta") && (attr.type() != onnx::AttributeProto::FLOAT || attr.f() != 1.0f))
      g.fail(node, "attribute '" + attr.name() + "' = " + std::to_string(attr.f()) + " is not supported (only 1.0)");
  if (g.attr_int(node, "transA", 0) != 0) g.fail(node, "attribute 'transA' = 1 is not supported (only 0)");
  if (!g.has_input(node, 7)) g.fail(node, "a float output (no y_scale) is not supported; quantize the output");
  const bool trans_b = g.attr_int(node, "transB", 0) != 0;
  Match m{{}, {&node}};
  m.layer.kind = LayerKind::DENSE;
  m.layer.inputs = {activation(cx, node, 0, 1, 2, "a")};
  const auto& in = m.layer.inputs[0].shape;
  if (in.size() != 2) g.fail(node, "input shape " + shape_string(in) + " is not [N,C] (only 2-D)");
  const ConstTensor b = g.constant(node, 3, "b", {TensorProto::INT8});
  const int64_t k = read_dense_weights(g, node, b, in[1], trans_b, m.layer);
  read_weight_quantization(cx, node, 4, 5, k, m.layer);
  if (g.has_input(node, 6)) m.layer.bias = read_bias(cx, node, 6, k);
  m.layer.output = output_tensor(cx, node, node.output(0), 7, 8);
  fuse_dq_relu_q(cx, m);
  return m;
}

// QDQ add: DequantizeLinear(a), DequantizeLinear(b) -> Add [-> Relu] -> QuantizeLinear.
Match match_qdq_add(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {});
  const NodeProto& dq_a = dequantizer(g, node, 0, "A");
  const NodeProto& dq_b = dequantizer(g, node, 1, "B");
  Match m{{}, {&dq_a, &dq_b, &node}};
  m.layer.kind = LayerKind::ADD;
  m.layer.inputs = {activation(cx, dq_a, 0, 1, 2, "a"), activation(cx, dq_b, 0, 1, 2, "b")};
  read_qdq_output(cx, node, m);
  return m;
}

// QDQ global average pool: DequantizeLinear -> GlobalAveragePool -> QuantizeLinear.
Match match_qdq_global_avg_pool(const Context& cx, const NodeProto& node) {
  const OnnxGraph& g = cx.g;
  g.check_attributes(node, {});
  const NodeProto& dq = dequantizer(g, node, 0, "X");
  Match m{{}, {&dq, &node}};
  m.layer.kind = LayerKind::GLOBAL_AVG_POOL;
  m.layer.inputs = {activation(cx, dq, 0, 1, 2, "x")};
  read_qdq_output(cx, node, m);
  if (m.layer.relu) g.fail(node, "a Relu after a global average pool is not supported");
  return m;
}

bool quantized_operand(const Context& cx, const NodeProto& node) {
  return cx.g.has_input(node, 0) && (cx.produced.count(node.input(0)) || from_dequantizer(cx.g, node, 0));
}


bool always(const Context&, const NodeProto&) { return true; }
bool qdq_anchor(const Context& cx, const NodeProto& node) { return from_dequantizer(cx.g, node, 0); }
bool qdq_add(const Context& cx, const NodeProto& node) {
  return from_dequantizer(cx.g, node, 0) && from_dequantizer(cx.g, node, 1);
}

constexpr Pattern kPatterns[] = {
    {"QLinearConv", false, match_qlinear_conv, always},
    {"QLinearMatMul", false, match_qlinear_matmul, always},
    {"Conv", false, match_qdq_conv, always},
    {"Gemm", false, match_qdq_dense, qdq_anchor},
    {"MatMul", false, match_qdq_dense, qdq_anchor},
    {"MaxPool", false, match_max_pool, quantized_operand},
    {"Add", false, match_qdq_add, qdq_add},
    {"GlobalAveragePool", false, match_qdq_global_avg_pool, qdq_anchor},
    {"QLinearAdd", true, match_qlinear_add, always},
    {"QLinearGlobalAveragePool", true, match_qlinear_global_avg_pool, always},
    {"QGemm", true, match_qgemm, always},
};

const Pattern* find_pattern(const NodeProto& node) {
  const bool microsoft = node.domain() == "com.microsoft";
  const bool standard = node.domain().empty() || node.domain() == "ai.onnx";
  for (const Pattern& p : kPatterns)
    if (node.op_type() == p.anchor_op && (p.microsoft_domain ? microsoft : standard)) return &p;
  return nullptr;
}

// A declared graph output must agree with what the node computes.
void check_declared_output(const OnnxGraph& g, const NodeProto& node, const std::string& name, int32_t onnx_type,
                           const std::vector<int64_t>& shape, const char* producer) {
  for (const auto& vi : g.graph().output()) {
    if (vi.name() != name || !vi.type().has_tensor_type()) continue;
    const auto& tt = vi.type().tensor_type();
    if (tt.elem_type() != 0 && tt.elem_type() != onnx_type)
      g.fail(node, "graph output '" + name + "' is declared " + onnx_type_name(tt.elem_type()) + " but is " +
                       onnx_type_name(onnx_type));
    if (!tt.has_shape()) continue;
    std::vector<int64_t> declared;
    for (const auto& d : tt.shape().dim()) declared.push_back(d.has_dim_value() ? d.dim_value() : -1);
    bool agrees = declared.size() == shape.size();
    for (size_t i = 0; agrees && i < declared.size(); ++i) agrees = declared[i] < 0 || declared[i] == shape[i];
    if (!agrees)
      g.fail(node, "graph output '" + name + "' is declared " + shape_string(declared) + " but the " + producer +
                       " produces " + shape_string(shape));
  }
}

// Names the match's layer, infers its output shape and records what it produces.
void finish_match(Context& cx, const NodeProto& node, Match& m, std::set<const NodeProto*>& consumed) {
  const OnnxGraph& g = cx.g;
  m.layer.name = g.name_of(node);
  m.layer.output.shape = layer_output_shape(m.layer, g.where(node));
  check_tensor_size(g, node, m.layer.output.name, m.layer.output.shape);
  check_declared_output(g, node, m.layer.output.name,
                        m.layer.output.type == ElemType::UINT8 ? TensorProto::UINT8 : TensorProto::INT8,
                        m.layer.output.shape, "layer");
  if (!cx.produced.emplace(m.layer.output.name, m.layer.output).second)
    g.fail(node, "output '" + m.layer.output.name + "' is produced twice");
  consumed.insert(m.nodes.begin(), m.nodes.end());
}

}  // namespace tessera::compiler::onnx_patterns
