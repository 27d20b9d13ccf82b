// Random networks' architectures (as layer specs named like torchvision's modules) and their float
// model: shapes, He-initialized parameters, a plain-loop forward pass and MinMax calibration.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "compiler/import/import_error.h"
#include "compiler/import/layer_shapes.h"
#include "compiler/import/random_network_model.h"

namespace tessera::compiler::random_net {

namespace {

// Collects an architecture's layers; every method returns the id of the value the layer produces.
class Arch {
 public:
  int conv(int x, const std::string& scope, int channels, int kernel, int stride, const std::string& relu = "") {
    return push({Op::CONV, scope, relu, {x}, channels, kernel, stride, kernel / 2}, channels);
  }
  // torchvision's Conv2dNormActivation with ReLU6 (batch norm folded): the conv at scope.0, the ReLU6 at scope.2.
  int conv_relu6(int x, const std::string& scope, int channels, int kernel, int stride, bool depthwise = false) {
    return push({Op::CONV, scope + ".0", scope + ".2", {x}, channels, kernel, stride, kernel / 2,
                 depthwise ? channels_[x] : 1, true, true},
                channels);
  }
  // MobileNetV2's InvertedResidual: 1x1 expansion (t > 1) + ReLU6, 3x3 depthwise + ReLU6, 1x1
  // projection without activation, and the residual add (no ReLU) when the shape is kept.
  int inverted_residual(int x, const std::string& p, int t, int channels, int stride) {
    const int in = channels_[x];
    int y = x, i = 0;
    if (t != 1) y = conv_relu6(y, p + ".conv." + std::to_string(i++), in * t, 1, 1);
    y = conv_relu6(y, p + ".conv." + std::to_string(i++), channels_[y], 3, stride, true);
    y = push({Op::CONV, p + ".conv." + std::to_string(i), "", {y}, channels, 1, 1, 0, 1, false, true}, channels);
    return stride == 1 && in == channels ? add(x, y, p, "") : y;
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
  std::vector<LayerSpec> head(int x, int classes, const std::string& pool = "avgpool", const std::string& fc = "fc") {
    x = push({Op::GLOBAL_AVG_POOL, pool, "", {x}}, channels_[x]);
    x = push({Op::FLATTEN, "", "", {x}}, channels_[x]);
    push({Op::GEMM, fc, "", {x}, classes}, classes);
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

}  // namespace

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
    case NetworkArch::MOBILENETV2: {
      // torchvision's mobilenet_v2 (width 1.0): features.0 stem, 17 inverted residuals (t, c, n, s),
      // features.18 1x1 to 1280, global average pool, classifier.1 Linear.
      x = a.conv_relu6(x, "features.0", 32, 3, 2);
      int index = 1;
      for (const auto& [t, c, n, s] : std::vector<std::array<int, 4>>{
               {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}})
        for (int i = 0; i < n; ++i, ++index)
          x = a.inverted_residual(x, "features." + std::to_string(index), t, c, i == 0 ? s : 1);
      x = a.conv_relu6(x, "features.18", 1280, 1, 1);
      return a.head(x, classes, "", "classifier.1");
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


// He-normal weights (gain 1 for the final Linear, whose output has no ReLU) and small uniform biases.
Params random_params(const LayerSpec& l, int64_t in_channels, std::mt19937_64& rng) {
  Params p;
  p.dims = l.op == Op::CONV ? std::vector<int64_t>{l.channels, in_channels / l.group, l.kernel, l.kernel}
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
static std::pair<int64_t, int64_t> valid_outputs(int64_t out, int64_t in, int stride, int pad, int offset) {
  int64_t lo = 0;
  while (lo < out && lo * stride - pad + offset < 0) ++lo;
  int64_t hi = out;
  while (hi > lo && (hi - 1) * stride - pad + offset >= in) --hi;
  return {lo, hi};
}

void normalize_outputs(const LayerSpec& l, const std::vector<const Tensor*>& in, Params& p, const std::vector<int64_t>& shape) {
  LayerSpec linear = l;
  linear.relu.clear();
  const Tensor y = forward(linear, in, p, shape);
  const int64_t k = shape[1], plane = count(shape) / k / shape[0], per_channel = static_cast<int64_t>(p.w.size()) / k;
  const auto moments = [&](int64_t c0, int64_t c1) {  // mean and variance over channels [c0, c1)
    double sum = 0, sq = 0;
    for (int64_t b = 0; b < shape[0]; ++b)
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t i = 0; i < plane; ++i) {
          const double v = y.v[static_cast<size_t>((b * k + c) * plane + i)];
          sum += v, sq += v * v;
        }
    const double n = static_cast<double>(plane * shape[0] * (c1 - c0)), mean = sum / n;
    return std::pair<double, double>{mean, std::max(sq / n - mean * mean, 0.0)};
  };
  // Small images (ctest's sizes) leave a few values per channel: the layer's variance bounds each
  // channel's from below, and below 16 values per channel the layer's moments stand for every channel.
  const auto [layer_mean, layer_var] = moments(0, k);
  for (int64_t c = 0; c < k; ++c) {
    auto [mean, var] = plane * shape[0] < 16 ? std::pair<double, double>{layer_mean, layer_var} : moments(c, c + 1);
    var = std::max(var, 0.1 * layer_var);
    const double inv = 1.0 / std::sqrt(var + 1e-5);
    for (int64_t j = 0; j < per_channel; ++j) p.w[static_cast<size_t>(c * per_channel + j)] *= static_cast<float>(inv);
    const float beta = p.b[static_cast<size_t>(c)];
    p.b[static_cast<size_t>(c)] = static_cast<float>((beta - mean) * inv) + beta;
  }
}

// The float reference of one layer, in plain loops.
Tensor forward(const LayerSpec& l, const std::vector<const Tensor*>& in, const Params& p, std::vector<int64_t> shape) {
  const Tensor& x = *in[0];
  Tensor y{std::move(shape), {}};
  y.v.assign(static_cast<size_t>(count(y.shape)), 0.0f);
  switch (l.op) {
    case Op::CONV: {
      // Grouped: output channel k reads the c_in input channels of its group.
      const int64_t c_in = x.shape[1] / l.group, ih = x.shape[2], iw = x.shape[3], oh = y.shape[2], ow = y.shape[3];
      const int64_t k_group = y.shape[1] / l.group;
      for (int64_t k = 0; k < y.shape[1]; ++k) {
        float* out = &y.v[static_cast<size_t>(k * oh * ow)];
        std::fill(out, out + oh * ow, p.b[static_cast<size_t>(k)]);
        for (int64_t j = 0; j < c_in; ++j)
          for (int r = 0; r < l.kernel; ++r) {
            const int64_t c = (k / k_group) * c_in + j;
            const auto [y0, y1] = valid_outputs(oh, ih, l.stride, l.pad, r);
            for (int s = 0; s < l.kernel; ++s) {
              const auto [x0, x1] = valid_outputs(ow, iw, l.stride, l.pad, s);
              const float w = p.w[static_cast<size_t>(((k * c_in + j) * l.kernel + r) * l.kernel + s)];
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
    for (float& v : y.v) v = l.relu6 ? std::clamp(v, 0.0f, 6.0f) : std::max(v, 0.0f);
  return y;
}

// Each value's float tensor name: the graph input, then what each layer (or its ReLU) writes; the final
// layer writes "output" unless a Softmax follows.
std::vector<std::string> value_names(const std::vector<LayerSpec>& layers, bool softmax) {
  std::vector<std::string> names = {"input"};
  for (const LayerSpec& l : layers)
    names.push_back((l.relu.empty() ? node_name(l.scope, onnx_op(l.op)) : node_name(l.relu, l.relu6 ? "Clip" : "Relu")) +
                    "_output_0");
  if (!softmax) names.back() = "output";
  return names;
}


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

}  // namespace tessera::compiler::random_net
