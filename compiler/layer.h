// Quantized layer descriptors: what the importers (ONNX, JSON) produce and the lowering consumes.
//
// Quantization follows ONNX QLinearConv: real = scale * (q - zero_point). Weights are int8 and
// symmetric (zero point 0), with one scale per tensor or per output channel; bias is int32 with
// scale x_scale * w_scale[k] and zero point 0. A conv/dense output is
//   y = saturate(round_half_to_even(acc * x_scale * w_scale[k] / y_scale) + y_zero_point)
// where acc = bias[k] + sum (x - x_zero_point) * w, then max(y, y_zero_point) when relu is set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"

namespace tessera::compiler {

enum class ElemType : uint8_t { INT8, UINT8 };
// The program tensor type of a quantized activation.
inline DType dtype_of(ElemType t) { return t == ElemType::UINT8 ? DType::UINT8 : DType::INT8; }

// A quantized activation tensor at a layer boundary. Shapes are NCHW for conv/pool, NC for dense.
struct QTensor {
  std::string name;
  ElemType type = ElemType::INT8;
  std::vector<int64_t> shape;
  double scale = 1.0;
  int32_t zero_point = 0;
};

enum class LayerKind : uint8_t { CONV2D, DENSE, ADD, MAX_POOL, GLOBAL_AVG_POOL };

// A residual add fused into a CONV2D's epilogue (networks): the conv result, requantized to the
// layer's `output` as usual, is added to `skip` as QLinearAdd does and requantized to `sum` (ReLU
// at its zero point when `relu`). The conv's own output is then never stored.
struct ResidualAdd {
  QTensor skip, sum;
  bool relu = false;
  bool skip_first = false;  // the skip is the add's first input (onnxruntime's A)
};

struct Layer {
  std::string name;  // node name in the source model, for error messages and listings
  LayerKind kind = LayerKind::CONV2D;
  std::vector<QTensor> inputs;  // one, or two for ADD
  QTensor output;
  // Geometry of CONV2D and MAX_POOL (dilation 1).
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  // CONV2D and DENSE parameters.
  // CONV2D: `group` channel groups (ONNX Conv's attribute): output channel k reads only the C/group
  // input channels of its group k / (K/group); group == C == K is a depthwise conv.
  int group = 1;
  std::vector<int8_t> weights;        // K x C/group x R x S (DENSE: K x C), C order
  std::vector<double> weight_scales;  // size 1 (per tensor) or K (per output channel)
  std::vector<int32_t> bias;          // size K, or empty for no bias
  bool relu = false;                  // fused ReLU (clamp at the output zero point)
  // An explicit upper clamp of the output in its own type's values (a Clip's max, e.g. ReLU6, that
  // the output range does not already make redundant); unset: the type's maximum.
  std::optional<int32_t> clamp_hi;
  std::optional<ResidualAdd> residual;  // CONV2D only
};

// A model as the importers deliver it: layers in execution order (one layer for now; networks later).
struct Model {
  std::string source;  // file it came from
  std::vector<Layer> layers;
};

}  // namespace tessera::compiler
