// Random quantized layers for tests: parameters drawn so outputs neither saturate nor collapse.
#include "compiler/import/random_layer.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "compiler/import/layer_shapes.h"

namespace tessera::compiler {

namespace {

double log_uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
}

int32_t uniform_int(std::mt19937_64& rng, int32_t lo, int32_t hi) {
  return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
}

QTensor random_activation(std::mt19937_64& rng, const std::string& name, ElemType type) {
  QTensor q;
  q.name = name;
  q.type = type;
  q.scale = log_uniform(rng, 0.002, 0.05);
  // Zero points away from the range ends, as calibrated models have them.
  q.zero_point = type == ElemType::UINT8 ? uniform_int(rng, 64, 192) : uniform_int(rng, -64, 64);
  return q;
}

}  // namespace

std::vector<int32_t> random_values(ElemType type, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> v(count);
  for (auto& x : v) x = uniform_int(rng, elem_min(type), elem_max(type));
  return v;
}

Layer random_layer(const RandomLayerSpec& s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Layer l;
  l.name = "layer";
  l.kind = s.kind;
  l.relu = s.relu && (s.kind == LayerKind::CONV2D || s.kind == LayerKind::DENSE || s.kind == LayerKind::ADD);
  QTensor x = random_activation(rng, "x", s.type);
  x.shape = s.kind == LayerKind::DENSE ? std::vector<int64_t>{s.n, s.c} : std::vector<int64_t>{s.n, s.c, s.h, s.w};
  l.inputs = {x};
  if (s.kind == LayerKind::ADD) {
    QTensor x2 = random_activation(rng, "x2", s.type);
    x2.shape = x.shape;
    l.inputs.push_back(x2);
  }
  if (s.kind == LayerKind::CONV2D || s.kind == LayerKind::MAX_POOL) {
    l.kernel_h = l.kernel_w = s.kernel;
    l.stride_h = l.stride_w = s.stride;
    l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = s.pad;
  }
  l.output = random_activation(rng, "y", s.type);
  // Typical |acc| of a dot product of `terms` random (x - zp) * w products.
  double acc_spread = 64.0;
  if (s.kind == LayerKind::CONV2D || s.kind == LayerKind::DENSE) {
    if (s.kind == LayerKind::CONV2D) l.group = s.group;
    const int64_t terms = s.kind == LayerKind::CONV2D ? s.c / s.group * s.kernel * s.kernel : s.c;
    l.weights.resize(static_cast<size_t>(s.k * terms));
    for (auto& w : l.weights) w = static_cast<int8_t>(uniform_int(rng, -127, 127));
    l.weight_scales.resize(s.per_channel ? static_cast<size_t>(s.k) : 1);
    for (auto& ws : l.weight_scales) ws = log_uniform(rng, 0.001, 0.02);
    acc_spread = 90.0 * 73.0 * std::sqrt(static_cast<double>(terms));
    if (s.bias) {
      l.bias.resize(static_cast<size_t>(s.k));
      for (auto& b : l.bias) b = uniform_int(rng, -static_cast<int32_t>(acc_spread), static_cast<int32_t>(acc_spread));
    }
    // Map about two typical accumulators onto the output's 128 steps either side of its zero point.
    const double max_ws = *std::max_element(l.weight_scales.begin(), l.weight_scales.end());
    l.output.scale = x.scale * max_ws * acc_spread * log_uniform(rng, 1.0, 3.0) / 128.0;
  } else if (s.kind == LayerKind::GLOBAL_AVG_POOL) {
    // A mean of h*w uniform values spreads about 74 / sqrt(h*w) steps: stretch that over ~32 steps.
    l.output.scale = x.scale * 74.0 / std::sqrt(static_cast<double>(s.h * s.w)) / 32.0;
    // ...around the middle of the output range, where the mean of uniform inputs lands; that only
    // fits when the input zero point is near the middle too.
    const double mid = (elem_min(s.type) + elem_max(s.type)) / 2.0;
    l.inputs[0].zero_point = static_cast<int32_t>(mid) + uniform_int(rng, -4, 4);
    const QTensor& x = l.inputs[0];
    l.output.zero_point = static_cast<int32_t>(std::clamp<double>(
        std::round(mid - (mid - x.zero_point) * x.scale / l.output.scale), elem_min(s.type), elem_max(s.type)));
  } else if (s.kind == LayerKind::MAX_POOL) {
    l.output.scale = x.scale;
    l.output.zero_point = x.zero_point;
  }
  if (s.clamp && s.kind == LayerKind::CONV2D)  // about 60% of the way from the zero point to the maximum
    l.clamp_hi = l.output.zero_point + (elem_max(s.type) - l.output.zero_point) * 3 / 5;
  l.output.shape = layer_output_shape(l, "random layer");
  return l;
}

}  // namespace tessera::compiler
