// Random quantized layers (weights, scales, zero points, bias) and inputs for tests and benchmarks.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/layer.h"

namespace tessera::compiler {

struct RandomLayerSpec {
  LayerKind kind = LayerKind::CONV2D;
  ElemType type = ElemType::INT8;         // input and output activations
  int64_t n = 1, c = 3, h = 8, w = 8;     // input shape (DENSE uses n x c)
  int64_t k = 4;                          // output channels of CONV2D/DENSE
  int kernel = 3, stride = 1, pad = 0;    // square windows, equal padding on all sides
  bool per_channel = false, bias = true;
  bool relu = false;  // for CONV2D, DENSE and ADD
  int group = 1;        // CONV2D: channel groups (c and k multiples of it; c == k == group is depthwise)
  bool clamp = false;   // CONV2D: an explicit upper clamp (a Clip's max) inside the output range
};

// Tensor names are "x" (and "x2" for ADD) in, "y" out; the layer is called "layer". Output scales
// are chosen so results spread over the output range instead of saturating.
Layer random_layer(const RandomLayerSpec& spec, uint64_t seed);

// `count` uniformly random values of `type`'s range.
std::vector<int32_t> random_values(ElemType type, size_t count, uint64_t seed);

}  // namespace tessera::compiler
