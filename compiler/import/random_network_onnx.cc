// Random networks written as onnxruntime's static quantizer writes them: QOperator (QLinearConv,
// QLinearAdd, QLinearGlobalAveragePool, QGemm) or QDQ (float ops between DequantizeLinear and
// QuantizeLinear pairs), with per-channel int8 weights and int32 biases.
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <type_traits>

#include <onnx/onnx_pb.h>

#include "compiler/import/random_network_model.h"

namespace tessera::compiler::random_net {

namespace {

using onnx::TensorProto;

// The operator onnxruntime's QOperator format puts in place of `op` (MaxPool and Flatten stay as they
// are, on the quantized tensor).
const char* qoperator_op(Op op) {
  switch (op) {
    case Op::CONV: return "QLinearConv";
    case Op::ADD: return "QLinearAdd";
    case Op::GLOBAL_AVG_POOL: return "QLinearGlobalAveragePool";
    case Op::GEMM: return "QGemm";
    default: return onnx_op(op);
  }
}


onnx::ValueInfoProto value_info(const std::string& name, int32_t type, const std::vector<int64_t>& shape) {
  onnx::ValueInfoProto vi;
  vi.set_name(name);
  auto* tt = vi.mutable_type()->mutable_tensor_type();
  tt->set_elem_type(type);
  for (int64_t d : shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
  return vi;
}

// The graph under construction, with the activation tensors it declares for --all-outputs.
class Writer {
 public:
  Writer() : g_(*model_.mutable_graph()) {}
  onnx::ModelProto& model() { return model_; }
  onnx::GraphProto& graph() { return g_; }

  // Stored as raw little-endian bytes, as onnxruntime's quantizer stores them.
  template <typename T>
  void initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<T>& values) {
    TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(std::is_same_v<T, float>     ? TensorProto::FLOAT
                     : std::is_same_v<T, int8_t>  ? TensorProto::INT8
                     : std::is_same_v<T, uint8_t> ? TensorProto::UINT8
                                                  : TensorProto::INT32);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
  }

  // `count` copies of `zero_point` as `type`; a scalar when dims is empty.
  void zero_points(const std::string& name, int32_t type, const std::vector<int64_t>& dims, size_t count, int32_t zero_point) {
    if (type == TensorProto::UINT8) initializer(name, dims, std::vector<uint8_t>(count, static_cast<uint8_t>(zero_point)));
    else if (type == TensorProto::INT8) initializer(name, dims, std::vector<int8_t>(count, static_cast<int8_t>(zero_point)));
    else initializer(name, dims, std::vector<int32_t>(count, zero_point));
  }

  onnx::NodeProto* node(const char* op, const std::string& name, const std::vector<std::string>& inputs,
                        const std::string& output, const char* domain = "") {
    if (!names_.insert(name).second) throw std::logic_error("random network: node name " + name + " repeats");
    onnx::NodeProto* n = g_.add_node();
    n->set_op_type(op);
    n->set_name(name);
    n->set_domain(domain);
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }

  // An activation tensor some node writes.
  void declare(const std::string& name, int32_t type, const std::vector<int64_t>& shape) {
    if (!declared_names_.insert(name).second) throw std::logic_error("random network: tensor " + name + " repeats");
    declared_.push_back(value_info(name, type, shape));
  }
  const std::vector<onnx::ValueInfoProto>& declared() const { return declared_; }

 private:
  onnx::ModelProto model_;
  onnx::GraphProto& g_;
  std::set<std::string> names_, declared_names_;
  std::vector<onnx::ValueInfoProto> declared_;
};

void attr_ints(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void attr_int(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void attr_float(onnx::NodeProto* n, const char* name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

// Attributes of a layer's node as PyTorch's exporter writes them and onnxruntime's quantizer keeps them.
void layer_attributes(onnx::NodeProto* n, const LayerSpec& l, NetworkForm form) {
  switch (l.op) {
    case Op::CONV:
    case Op::MAX_POOL:
      if (l.op == Op::CONV) {
        attr_ints(n, "dilations", {1, 1});
        attr_int(n, "group", l.group);
      } else {
        attr_int(n, "ceil_mode", 0);
      }
      attr_ints(n, "kernel_shape", {l.kernel, l.kernel});
      attr_ints(n, "pads", {l.pad, l.pad, l.pad, l.pad});
      attr_ints(n, "strides", {l.stride, l.stride});
      break;
    case Op::GLOBAL_AVG_POOL:
      if (form == NetworkForm::QOPERATOR) attr_int(n, "channels_last", 0);
      break;
    case Op::FLATTEN: attr_int(n, "axis", 1); break;
    case Op::GEMM:
      attr_float(n, "alpha", 1.0f);
      if (form == NetworkForm::QDQ) attr_float(n, "beta", 1.0f);  // QGemm has no beta
      attr_int(n, "transB", 1);
      break;
    case Op::ADD: break;
  }
}

// Writes the calibrated network in one form. Value v's float tensor is float_[v]; quant_[v] its quantization.
class NetworkWriter {
 public:
  NetworkWriter(const NetworkSpec& spec, const std::vector<LayerSpec>& layers, std::vector<std::string> names,
                const std::vector<Tensor>& values, const std::vector<Params>& params, const std::vector<Quant>& quant)
      : spec_(spec), layers_(layers), values_(values), params_(params), quant_(quant), float_(std::move(names)) {}

  RandomNetwork write() {
    onnx::ModelProto& m = w_.model();
    m.set_ir_version(8);
    m.set_producer_name("onnx.quantize");
    m.add_opset_import()->set_version(13);
    auto* ms = m.add_opset_import();
    ms->set_domain("com.microsoft");
    ms->set_version(1);
    onnx::GraphProto& g = w_.graph();
    g.set_name(std::string(network_arch_name(spec_.arch)) + "_quantized");
    *g.add_input() = value_info("input", TensorProto::FLOAT, values_[0].shape);
    *g.add_output() = value_info("output", TensorProto::FLOAT, {1, spec_.classes});

    write_quantization(0);
    for (size_t i = 0; i < layers_.size(); ++i) write_layer(static_cast<int>(i));
    const int last = static_cast<int>(layers_.size());
    if (qoperator()) {
      w_.node("DequantizeLinear", float_[last] + "_DequantizeLinear", {quantized(last), scale(last), zero_point(last)}, float_[last]);
      if (spec_.softmax) w_.declare(float_[last], TensorProto::FLOAT, values_[last].shape);
    }
    // The float Softmax reads the dequantized logits: onnxruntime's quantizer rewires every consumer of
    // a quantized tensor to its DequantizeLinear, in both forms (QDQ: Gemm -> Q -> DQ -> Softmax).
    if (spec_.softmax)
      attr_int(w_.node("Softmax", "/softmax/Softmax", {qoperator() ? float_[last] : dequantized(last)}, "output"), "axis", 1);
    for (const auto& vi : w_.declared())
      if (spec_.all_outputs && vi.name() != "output") *g.add_output() = vi;

    RandomNetwork net;
    std::string bytes;
    m.SerializeToString(&bytes);
    net.onnx.assign(bytes.begin(), bytes.end());
    net.quantized = std::move(quantized_);
    return net;
  }

 private:
  bool qoperator() const { return spec_.form == NetworkForm::QOPERATOR; }
  int32_t elem_type() const { return spec_.type == ElemType::UINT8 ? TensorProto::UINT8 : TensorProto::INT8; }
  std::string scale(int v) const { return quant_[v].owner + "_scale"; }
  std::string zero_point(int v) const { return quant_[v].owner + "_zero_point"; }
  // QOperator's quantized tensor; QDQ's QuantizeLinear output.
  std::string quantized(int v) const { return float_[v] + (qoperator() ? "_quantized" : "_QuantizeLinear_Output"); }
  // QDQ: what the producing op writes and what consumers read; the graph output keeps its name on the
  // consumer side, as onnxruntime renames the producer's output instead.
  bool graph_output(int v) const { return float_[v] == "output"; }
  std::string produced(int v) const { return graph_output(v) ? "output_QuantizeLinear_Input" : float_[v]; }
  std::string dequantized(int v) const { return graph_output(v) ? "output" : float_[v] + "_DequantizeLinear_Output"; }

  // Value v's scale and zero point (once per owner); QuantizeLinear of the graph input in both forms,
  // and in QDQ the QuantizeLinear -> DequantizeLinear pair after every producer.
  void write_quantization(int v) {
    const Quant& q = quant_[v];
    if (q.owner == float_[v]) {
      w_.initializer(scale(v), {}, std::vector<float>{q.scale});
      w_.zero_points(zero_point(v), elem_type(), {}, 1, q.zero_point);
    }
    quantized_.push_back({quantized(v), spec_.type, q.scale, q.zero_point});
    if (qoperator() && v != 0) return;
    const std::string& in = v == 0 ? float_[0] : produced(v);
    w_.node("QuantizeLinear", float_[v] + "_QuantizeLinear", {in, scale(v), zero_point(v)}, quantized(v));
    w_.declare(quantized(v), elem_type(), values_[v].shape);
    if (qoperator()) return;
    w_.node("DequantizeLinear", float_[v] + "_DequantizeLinear", {quantized(v), scale(v), zero_point(v)}, dequantized(v));
    if (!graph_output(v)) w_.declare(dequantized(v), TensorProto::FLOAT, values_[v].shape);
  }

  // Per-channel int8 weights and the int32 bias of layer i, in QDQ behind DequantizeLinear nodes;
  // returns the names the layer's node takes (QOperator: weight, scale, zero point, bias).
  std::vector<std::string> write_params(int i) {
    const LayerSpec& l = layers_[i];
    const Params& p = params_[i];
    const std::string w = l.scope + ".weight", b = l.scope + ".bias";
    const size_t k = p.b.size(), per_channel = p.w.size() / k;
    const float x_scale = quant_[l.inputs[0]].scale;
    std::vector<float> w_scales(k), b_scales(k);
    std::vector<int8_t> wq(p.w.size());
    std::vector<int32_t> bq(k);
    for (size_t c = 0; c < k; ++c) {
      float absmax = 0;
      for (size_t j = 0; j < per_channel; ++j) absmax = std::max(absmax, std::abs(p.w[c * per_channel + j]));
      w_scales[c] = absmax > 0 ? absmax / 127.0f : 1.0f;
      for (size_t j = 0; j < per_channel; ++j)
        wq[c * per_channel + j] = static_cast<int8_t>(std::clamp(std::nearbyint(p.w[c * per_channel + j] / w_scales[c]), -127.0f, 127.0f));
      b_scales[c] = x_scale * w_scales[c];
      bq[c] = static_cast<int32_t>(std::nearbyint(static_cast<double>(p.b[c]) / b_scales[c]));
    }
    const std::vector<int64_t> channels = {static_cast<int64_t>(k)};
    w_.initializer(w + "_quantized", p.dims, wq);
    w_.initializer(w + "_scale", channels, w_scales);
    w_.zero_points(w + "_zero_point", TensorProto::INT8, channels, k, 0);
    w_.initializer(b + "_quantized", channels, bq);
    if (qoperator()) return {w + "_quantized", w + "_scale", w + "_zero_point", b + "_quantized"};
    w_.initializer(b + "_quantized_scale", channels, b_scales);
    w_.zero_points(b + "_quantized_zero_point", TensorProto::INT32, channels, k, 0);
    const auto dequantize = [&](const std::string& q, const std::string& base, const std::string& s, const std::string& z) {
      attr_int(w_.node("DequantizeLinear", base + "_DequantizeLinear", {q, s, z}, base + "_DequantizeLinear_Output"), "axis", 0);
      return base + "_DequantizeLinear_Output";
    };
    return {dequantize(w + "_quantized", w, w + "_scale", w + "_zero_point"),
            dequantize(b + "_quantized", b, b + "_quantized_scale", b + "_quantized_zero_point")};
  }

  void write_layer(int i) {
    const LayerSpec& l = layers_[i];
    const int y = i + 1;
    // QOperator operands: each input with its scale and zero point, weights, bias and output quantization;
    // MaxPool and Flatten take only the quantized tensor. QDQ ops take dequantized tensors.
    const bool requantizes = qoperator() && l.op != Op::MAX_POOL && l.op != Op::FLATTEN;
    std::vector<std::string> in;
    for (int v : l.inputs) {
      if (!qoperator()) in.push_back(dequantized(v));
      else if (!requantizes) in.push_back(quantized(v));
      else in.insert(in.end(), {quantized(v), scale(v), zero_point(v)});
    }
    const bool weighted = l.op == Op::CONV || l.op == Op::GEMM;
    const std::vector<std::string> params = weighted ? write_params(i) : std::vector<std::string>{};
    // QGemm takes its bias before the output quantization, QLinearConv after it.
    const bool bias_last = qoperator() && l.op == Op::CONV;
    in.insert(in.end(), params.begin(), params.end() - (bias_last ? 1 : 0));
    if (requantizes) in.insert(in.end(), {scale(y), zero_point(y)});
    if (bias_last) in.push_back(params.back());

    const std::string name = node_name(l.scope, onnx_op(l.op));
    const std::string pre = name + "_output_0";
    if (qoperator()) {
      const bool microsoft = l.op == Op::ADD || l.op == Op::GLOBAL_AVG_POOL || l.op == Op::GEMM;
      layer_attributes(w_.node(qoperator_op(l.op), requantizes ? name + "_quant" : name, in, quantized(y),
                               microsoft ? "com.microsoft" : ""),
                       l, spec_.form);
      w_.declare(quantized(y), elem_type(), values_[y].shape);
    } else {
      const bool relu = !l.relu.empty();
      layer_attributes(w_.node(onnx_op(l.op), name, in, relu ? pre : produced(y)), l, spec_.form);
      if (relu) {
        w_.declare(pre, TensorProto::FLOAT, values_[y].shape);
        if (l.relu6) {
          // PyTorch exports ReLU6 as Clip(x, 0, 6) with constant bounds; onnxruntime's QDQ form keeps it
          // between the Conv and the QuantizeLinear (its QOperator form drops it into the output range).
          if (!relu6_bounds_) {
            w_.initializer("relu6_min", {}, std::vector<float>{0.0f});
            w_.initializer("relu6_max", {}, std::vector<float>{6.0f});
            relu6_bounds_ = true;
          }
          w_.node("Clip", node_name(l.relu, "Clip"), {pre, "relu6_min", "relu6_max"}, produced(y));
        } else {
          w_.node("Relu", node_name(l.relu, "Relu"), {pre}, produced(y));
        }
      }
      w_.declare(produced(y), TensorProto::FLOAT, values_[y].shape);
    }
    write_quantization(y);
  }

  const NetworkSpec& spec_;
  const std::vector<LayerSpec>& layers_;
  const std::vector<Tensor>& values_;
  const std::vector<Params>& params_;
  const std::vector<Quant>& quant_;
  std::vector<std::string> float_;
  Writer w_;
  std::vector<QuantizedTensor> quantized_;
  bool relu6_bounds_ = false;
};


}  // namespace

RandomNetwork write_network(const NetworkSpec& spec, const std::vector<LayerSpec>& layers, std::vector<std::string> names,
                            const std::vector<Tensor>& values, const std::vector<Params>& params,
                            const std::vector<Quant>& quant) {
  return NetworkWriter(spec, layers, std::move(names), values, params, quant).write();
}

}  // namespace tessera::compiler::random_net
