// Random quantized networks: an architecture as a list of layer specs, a float forward pass that
// calibrates it, and one writer for onnxruntime's QOperator and QDQ formats.
#include "compiler/import/random_network.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <type_traits>

#include <onnx/onnx_pb.h>

#include "compiler/import/import_error.h"
#include "compiler/import/layer_shapes.h"

namespace tessera::compiler {

namespace {

using onnx::TensorProto;

enum class Op { CONV, MAX_POOL, ADD, GLOBAL_AVG_POOL, FLATTEN, GEMM };

// One layer, named after the PyTorch module computing it so node and tensor names look like those of
// a model exported from torchvision and then quantized.
struct LayerSpec {
  Op op = Op::CONV;
  std::string scope;        // module path ("layer1.0.conv1"); for Add the block's path
  std::string relu;         // module path of a ReLU applied to the output, or empty
  std::vector<int> inputs;  // value ids: 0 is the graph input, layer i produces value i + 1
  int channels = 0;         // output channels of CONV and GEMM
  int kernel = 1, stride = 1, pad = 0;
};

// Collects an architecture's layers; every method returns the id of the value the layer produces.
class Arch {
 public:
  int conv(int x, const std::string& scope, int channels, int kernel, int stride, const std::string& relu = "") {
    return push({Op::CONV, scope, relu, {x}, channels, kernel, stride, kernel / 2}, channels);
  }
  int max_pool(int x, const std::string& scope, int kernel, int stride, int pad) {
    return push({Op::MAX_POOL, scope, "", {x}, 0, kernel, stride, pad}, channels_[x]);
  }
  int add(int a, int b, const std::string& scope, const std::string& relu) {
    return push({Op::ADD, scope, relu, {a, b}}, channels_[a]);
  }
  // A BasicBlock: conv1 (k1, stride) + ReLU, conv2 (k2), a 1x1 downsample when the shape changes,
  // Add + ReLU.
  int residual_block(int x, const std::string& p, int channels, int k1, int k2, int stride) {
    const int y = conv(conv(x, p + ".conv1", channels, k1, stride, p + ".relu"), p + ".conv2", channels, k2, 1);
    const bool reshape = stride != 1 || channels_[x] != channels;
    return add(y, reshape ? conv(x, p + ".downsample.0", channels, 1, stride) : x, p, p + ".relu_1");
  }
  // GlobalAveragePool, Flatten, Linear.
  std::vector<LayerSpec> head(int x, int classes) {
    x = push({Op::GLOBAL_AVG_POOL, "avgpool", "", {x}}, channels_[x]);
    x = push({Op::FLATTEN, "", "", {x}}, channels_[x]);
    push({Op::GEMM, "fc", "", {x}, classes}, classes);
    return layers_;
  }

 private:
  int push(LayerSpec l, int channels) {
    layers_.push_back(std::move(l));
    channels_.push_back(channels);
    return static_cast<int>(layers_.size());
  }
  std::vector<LayerSpec> layers_;
  std::vector<int> channels_ = {3};  // per value id
};

std::vector<LayerSpec> architecture(NetworkArch arch, int classes) {
  Arch a;
  int x = 0;
  switch (arch) {
    case NetworkArch::RESNET18:
      x = a.max_pool(a.conv(x, "conv1", 64, 7, 2, "relu"), "maxpool", 3, 2, 1);
      for (int stage = 0; stage < 4; ++stage)
        for (int block = 0; block < 2; ++block)
          x = a.residual_block(x, "layer" + std::to_string(stage + 1) + "." + std::to_string(block), 64 << stage,
                               3, 3, stage > 0 && block == 0 ? 2 : 1);
      break;
    case NetworkArch::RESNET_ODD:
      x = a.max_pool(a.conv(x, "conv1", 24, 5, 1, "relu"), "maxpool", 2, 2, 0);
      x = a.residual_block(x, "layer1.0", 40, 1, 5, 1);  // channels change at stride 1
      x = a.residual_block(x, "layer2.0", 72, 5, 1, 2);
      x = a.residual_block(x, "layer2.1", 72, 1, 5, 1);
      break;
    case NetworkArch::VGG_ODD: {
      int index = 0;  // torchvision's VGG numbers every conv, ReLU and pool within "features"
      const auto feature = [&index] { return "features." + std::to_string(index++); };
      for (const auto& stage : std::vector<std::vector<std::pair<int, int>>>{
               {{20, 3}, {20, 5}}, {{36, 3}, {36, 5}}, {{52, 5}, {52, 3}}}) {
        for (const auto& [channels, kernel] : stage) {
          const std::string conv = feature();
          x = a.conv(x, conv, channels, kernel, 1, feature());
        }
        x = a.max_pool(x, feature(), 2, 2, 0);
      }
      break;
    }
    case NetworkArch::TINY: {
      x = a.max_pool(a.conv(x, "conv1", 16, 3, 1, "relu"), "maxpool", 2, 2, 0);
      const int branch = a.conv(x, "conv3", 24, 3, 1);
      x = a.add(a.conv(x, "conv2", 24, 1, 1), branch, "", "relu_1");
      break;
    }
  }
  return a.head(x, classes);
}

const char* onnx_op(Op op) {
  switch (op) {
    case Op::CONV: return "Conv";
    case Op::MAX_POOL: return "MaxPool";
    case Op::ADD: return "Add";
    case Op::GLOBAL_AVG_POOL: return "GlobalAveragePool";
    case Op::FLATTEN: return "Flatten";
    case Op::GEMM: return "Gemm";
  }
  return "";
}

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

// PyTorch's exporter scopes: "layer1.0.downsample.0" + "Conv" -> "/layer1/layer1.0/downsample/downsample.0/Conv".
std::string node_name(const std::string& scope, const char* op) {
  std::string path, part, prev;
  for (size_t begin = 0; begin < scope.size();) {
    const size_t end = std::min(scope.find('.', begin), scope.size());
    part = scope.substr(begin, end - begin);
    const bool index = part.find_first_not_of("0123456789") == std::string::npos;
    prev = index ? prev + "." + part : part;
    path += "/" + prev;
    begin = end + 1;
  }
  return path + "/" + op;
}

struct Tensor {
  std::vector<int64_t> shape;  // batch 1: [1, C, H, W] or [1, C]
  std::vector<float> v;
};

int64_t count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// The output shape, or an ImportError naming the layer when the input is too small for it.
std::vector<int64_t> output_shape(const LayerSpec& l, const std::vector<std::vector<int64_t>>& in, const std::string& node) {
  const auto& x = in[0];
  switch (l.op) {
    case Op::CONV:
    case Op::MAX_POOL: {
      const int64_t h = window_output_extent(x[2], l.kernel, l.stride, l.pad, l.pad);
      const int64_t w = window_output_extent(x[3], l.kernel, l.stride, l.pad, l.pad);
      if (h <= 0 || w <= 0)
        throw ImportError(node + ": its " + std::to_string(l.kernel) + "x" + std::to_string(l.kernel) +
                          " window does not fit its input " + shape_string(x));
      return {1, l.op == Op::CONV ? l.channels : x[1], h, w};
    }
    case Op::ADD:
      if (in[1] != x) throw std::logic_error(node + ": adds " + shape_string(x) + " and " + shape_string(in[1]));
      return x;
    case Op::GLOBAL_AVG_POOL: return {1, x[1], 1, 1};
    case Op::FLATTEN: return {1, count(x)};
    case Op::GEMM: return {1, l.channels};
  }
  return {};
}

// Weights and bias of a CONV or GEMM layer: [K, C, R, S] or [N, K] like PyTorch's.
struct Params {
  std::vector<int64_t> dims;
  std::vector<float> w, b;
};

// He-normal weights (gain 1 for the final Linear, whose output has no ReLU) and small uniform biases.
Params random_params(const LayerSpec& l, int64_t in_channels, std::mt19937_64& rng) {
  Params p;
  p.dims = l.op == Op::CONV ? std::vector<int64_t>{l.channels, in_channels, l.kernel, l.kernel}
                            : std::vector<int64_t>{l.channels, in_channels};
  const double fan_in = static_cast<double>(count(p.dims) / l.channels);
  std::normal_distribution<float> w(0.0f, static_cast<float>(std::sqrt((l.op == Op::CONV ? 2.0 : 1.0) / fan_in)));
  std::uniform_real_distribution<float> b(-0.1f, 0.1f);
  p.w.resize(static_cast<size_t>(count(p.dims)));
  for (float& v : p.w) v = w(rng);
  p.b.resize(static_cast<size_t>(l.channels));
  for (float& v : p.b) v = b(rng);
  return p;
}

// [lo, hi) of the output positions whose tap at `offset` within the window lands inside the input.
std::pair<int64_t, int64_t> valid_outputs(int64_t out, int64_t in, int stride, int pad, int offset) {
  int64_t lo = 0;
  while (lo < out && lo * stride - pad + offset < 0) ++lo;
  int64_t hi = out;
  while (hi > lo && (hi - 1) * stride - pad + offset >= in) --hi;
  return {lo, hi};
}

// The float reference of one layer, in plain loops.
Tensor forward(const LayerSpec& l, const std::vector<const Tensor*>& in, const Params& p, std::vector<int64_t> shape) {
  const Tensor& x = *in[0];
  Tensor y{std::move(shape), {}};
  y.v.assign(static_cast<size_t>(count(y.shape)), 0.0f);
  switch (l.op) {
    case Op::CONV: {
      const int64_t c_in = x.shape[1], ih = x.shape[2], iw = x.shape[3], oh = y.shape[2], ow = y.shape[3];
      for (int64_t k = 0; k < y.shape[1]; ++k) {
        float* out = &y.v[static_cast<size_t>(k * oh * ow)];
        std::fill(out, out + oh * ow, p.b[static_cast<size_t>(k)]);
        for (int64_t c = 0; c < c_in; ++c)
          for (int r = 0; r < l.kernel; ++r) {
            const auto [y0, y1] = valid_outputs(oh, ih, l.stride, l.pad, r);
            for (int s = 0; s < l.kernel; ++s) {
              const auto [x0, x1] = valid_outputs(ow, iw, l.stride, l.pad, s);
              const float w = p.w[static_cast<size_t>(((k * c_in + c) * l.kernel + r) * l.kernel + s)];
              for (int64_t oy = y0; oy < y1; ++oy) {
                const float* row = &x.v[static_cast<size_t>((c * ih + oy * l.stride - l.pad + r) * iw)];
                for (int64_t ox = x0; ox < x1; ++ox) out[oy * ow + ox] += w * row[ox * l.stride - l.pad + s];
              }
            }
          }
      }
      break;
    }
    case Op::MAX_POOL: {
      const int64_t ih = x.shape[2], iw = x.shape[3], oh = y.shape[2], ow = y.shape[3];
      for (int64_t c = 0; c < y.shape[1]; ++c)
        for (int64_t oy = 0; oy < oh; ++oy)
          for (int64_t ox = 0; ox < ow; ++ox) {
            float m = -std::numeric_limits<float>::infinity();
            for (int64_t iy = oy * l.stride - l.pad; iy < oy * l.stride - l.pad + l.kernel; ++iy)
              for (int64_t ix = ox * l.stride - l.pad; ix < ox * l.stride - l.pad + l.kernel; ++ix)
                if (iy >= 0 && iy < ih && ix >= 0 && ix < iw) m = std::max(m, x.v[static_cast<size_t>((c * ih + iy) * iw + ix)]);
            y.v[static_cast<size_t>((c * oh + oy) * ow + ox)] = m;
          }
      break;
    }
    case Op::ADD:
      for (size_t i = 0; i < y.v.size(); ++i) y.v[i] = x.v[i] + in[1]->v[i];
      break;
    case Op::GLOBAL_AVG_POOL: {
      const int64_t plane = x.shape[2] * x.shape[3];
      for (int64_t c = 0; c < x.shape[1]; ++c) {
        double sum = 0;
        for (int64_t i = 0; i < plane; ++i) sum += x.v[static_cast<size_t>(c * plane + i)];
        y.v[static_cast<size_t>(c)] = static_cast<float>(sum / static_cast<double>(plane));
      }
      break;
    }
    case Op::FLATTEN: y.v = x.v; break;
    case Op::GEMM: {
      const size_t k_in = x.v.size();
      for (size_t n = 0; n < y.v.size(); ++n) {
        double acc = p.b[n];
        for (size_t k = 0; k < k_in; ++k) acc += static_cast<double>(p.w[n * k_in + k]) * x.v[k];
        y.v[n] = static_cast<float>(acc);
      }
      break;
    }
  }
  if (!l.relu.empty())
    for (float& v : y.v) v = std::max(v, 0.0f);
  return y;
}

// Each value's float tensor name: the graph input, then what each layer (or its ReLU) writes; the final
// layer writes "output" unless a Softmax follows.
std::vector<std::string> value_names(const std::vector<LayerSpec>& layers, bool softmax) {
  std::vector<std::string> names = {"input"};
  for (const LayerSpec& l : layers)
    names.push_back((l.relu.empty() ? node_name(l.scope, onnx_op(l.op)) : node_name(l.relu, "Relu")) + "_output_0");
  if (!softmax) names.back() = "output";
  return names;
}

// An activation's quantization and the tensor whose "_scale"/"_zero_point" initializers hold it:
// MaxPool and Flatten outputs share their input's, as onnxruntime writes them.
struct Quant {
  float scale = 1.0f;
  int32_t zero_point = 0;
  std::string owner;
};

// onnxruntime's MinMax calibration: the range widened to include 0, spread over the whole type range.
Quant calibrate(const Tensor& t, ElemType type, const std::string& owner) {
  const auto [lo_it, hi_it] = std::minmax_element(t.v.begin(), t.v.end());
  const float lo = std::min(*lo_it, 0.0f), hi = std::max(*hi_it, 0.0f);
  const float qmin = static_cast<float>(elem_min(type)), qmax = static_cast<float>(elem_max(type));
  Quant q{(hi - lo) / (qmax - qmin), 0, owner};
  if (q.scale < std::numeric_limits<float>::min()) return {1.0f, 0, owner};
  q.zero_point = static_cast<int32_t>(std::clamp(std::nearbyint(qmin - lo / q.scale), qmin, qmax));
  return q;
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
        attr_int(n, "group", 1);
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
        w_.node("Relu", node_name(l.relu, "Relu"), {pre}, produced(y));
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
};

}  // namespace

const char* network_arch_name(NetworkArch arch) {
  switch (arch) {
    case NetworkArch::RESNET18: return "resnet18";
    case NetworkArch::RESNET_ODD: return "resnet_odd";
    case NetworkArch::VGG_ODD: return "vgg_odd";
    case NetworkArch::TINY: return "tiny";
  }
  return "?";
}

RandomNetwork random_network(const NetworkSpec& spec) {
  const std::string arch = network_arch_name(spec.arch);
  if (spec.input_size < 1 || spec.input_size > 4096) throw ImportError(arch + ": the input size must be in 1..4096");
  if (spec.classes < 1 || spec.classes > 100000) throw ImportError(arch + ": the class count must be in 1..100000");
  const std::vector<LayerSpec> layers = architecture(spec.arch, spec.classes);

  // Shapes first, so a too small input fails before any work.
  std::vector<std::vector<int64_t>> shapes = {{1, 3, spec.input_size, spec.input_size}};
  for (const LayerSpec& l : layers) {
    std::vector<std::vector<int64_t>> in;
    for (int v : l.inputs) in.push_back(shapes[static_cast<size_t>(v)]);
    try {
      shapes.push_back(output_shape(l, in, node_name(l.scope, onnx_op(l.op))));
    } catch (const ImportError& e) {
      throw ImportError(arch + ": input size " + std::to_string(spec.input_size) + " is too small: " + e.what());
    }
  }

  std::mt19937_64 rng(spec.seed);
  std::vector<Tensor> values(1);
  values[0].shape = shapes[0];
  std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);
  values[0].v.resize(static_cast<size_t>(count(shapes[0])));
  for (float& v : values[0].v) v = pixel(rng);

  const std::vector<std::string> names = value_names(layers, spec.softmax);
  std::vector<Params> params;
  std::vector<Quant> quant = {calibrate(values[0], spec.type, "input")};
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    const int x = l.inputs[0];
    params.push_back(l.op == Op::CONV || l.op == Op::GEMM ? random_params(l, shapes[x][1], rng) : Params{});
    std::vector<const Tensor*> in;
    for (int v : l.inputs) in.push_back(&values[static_cast<size_t>(v)]);
    values.push_back(forward(l, in, params.back(), shapes[i + 1]));
    const bool keeps_quant = l.op == Op::MAX_POOL || l.op == Op::FLATTEN;
    quant.push_back(keeps_quant ? quant[static_cast<size_t>(x)] : calibrate(values.back(), spec.type, names[i + 1]));
  }

  RandomNetwork net = NetworkWriter(spec, layers, names, values, params, quant).write();
  net.input.dtype = NpyDType::FLOAT32;
  net.input.shape = shapes[0];
  net.input.data.resize(values[0].v.size() * sizeof(float));
  std::memcpy(net.input.data.data(), values[0].v.data(), net.input.data.size());
  return net;
}

}  // namespace tessera::compiler
