// Hand-computed cases for the reference quantized ops, so the reference is checked even without onnxruntime.
#include <gtest/gtest.h>

#include "tests/reference/quantized_ops.h"

namespace tessera::reference {
namespace {

using compiler::ElemType;
using compiler::Layer;
using compiler::LayerKind;
using compiler::QTensor;

QTensor tensor(const char* name, ElemType type, std::vector<int64_t> shape, double scale, int32_t zp) {
  QTensor t;
  t.name = name;
  t.type = type;
  t.shape = std::move(shape);
  t.scale = scale;
  t.zero_point = zp;
  return t;
}

TEST(QuantizedReference, QuantizeRoundsHalfToEvenAndSaturates) {
  EXPECT_EQ(quantize(2.5, 0, ElemType::INT8), 2);
  EXPECT_EQ(quantize(3.5, 0, ElemType::INT8), 4);
  EXPECT_EQ(quantize(-2.5, 0, ElemType::INT8), -2);
  EXPECT_EQ(quantize(2.4999, 10, ElemType::UINT8), 12);
  EXPECT_EQ(quantize(200.0, 0, ElemType::INT8), 127);
  EXPECT_EQ(quantize(-200.0, 0, ElemType::INT8), -128);
  EXPECT_EQ(quantize(-3.0, 1, ElemType::UINT8), 0);
  EXPECT_EQ(quantize(250.0, 10, ElemType::UINT8), 255);
}

// 1 input channel 3x3, one 2x2 kernel of ones, pad 1 on top/left only, stride 2: hand-summed windows.
TEST(QuantizedReference, Conv2dWithPaddingStrideBiasAndRelu) {
  Layer l;
  l.kind = LayerKind::CONV2D;
  l.inputs = {tensor("x", ElemType::UINT8, {1, 1, 3, 3}, 0.5, 10)};
  l.output = tensor("y", ElemType::UINT8, {1, 2, 2, 2}, 1.0, 5);
  l.kernel_h = l.kernel_w = 2;
  l.stride_h = l.stride_w = 2;
  l.pad_top = l.pad_left = 1;
  l.weights = {1, 1, 1, 1, -1, -1, -1, -1};  // K=2: sums, then negated sums
  l.weight_scales = {1.0, 0.5};
  l.bias = {1, 0};
  // x - zp = [[1,2,3],[4,5,6],[7,8,9]]
  const QValues x = {11, 12, 13, 14, 15, 16, 17, 18, 19};
  // Windows at (-1,-1),(−1,1),(1,−1),(1,1): sums 1, 2+3=5, 4+7=11, 5+6+8+9=28.
  // k=0: (sum + 1) * 0.5 = 1, 3, 6, 14.5 -> 14 (ties to even), + 5;
  // k=1: -sum * 0.25 = -0.25, -1.25, -2.75, -7 -> 0, -1, -3, -7, + 5 and clamp at 0.
  EXPECT_EQ(conv2d(l, x), (QValues{6, 8, 11, 19, 5, 4, 2, 0}));
  l.relu = true;
  EXPECT_EQ(conv2d(l, x), (QValues{6, 8, 11, 19, 5, 5, 5, 5}));
}

TEST(QuantizedReference, DensePerChannelScales) {
  Layer l;
  l.kind = LayerKind::DENSE;
  l.inputs = {tensor("x", ElemType::INT8, {1, 3}, 0.1, -2)};
  l.output = tensor("y", ElemType::INT8, {1, 2}, 0.05, 0);
  l.weights = {1, 2, 3, -4, 0, 4};
  l.weight_scales = {0.5, 1.0};
  // x - zp = [2, 4, 6]: acc0 = 2+8+18 = 28 -> 28*0.1*0.5/0.05 = 28; acc1 = -8+24 = 16 -> 32.
  EXPECT_EQ(dense(l, {0, 2, 4}), (QValues{28, 32}));
}

TEST(QuantizedReference, AddMaxPoolAndGlobalAveragePool) {
  Layer add_layer;
  add_layer.kind = LayerKind::ADD;
  add_layer.inputs = {tensor("a", ElemType::INT8, {1, 1, 1, 2}, 0.5, 0), tensor("b", ElemType::INT8, {1, 1, 1, 2}, 0.25, 4)};
  add_layer.output = tensor("y", ElemType::INT8, {1, 1, 1, 2}, 1.0, 1);
  // 0.5*3 + 0.25*(8-4) = 2.5 -> 2 (even) + 1; 0.5*(-6) + 0.25*(0-4) = -4 -> -3.
  EXPECT_EQ(add(add_layer, {3, -6}, {8, 0}), (QValues{3, -3}));

  Layer pool;
  pool.kind = LayerKind::MAX_POOL;
  pool.inputs = {tensor("x", ElemType::INT8, {1, 1, 2, 3}, 1.0, 0)};
  pool.kernel_h = pool.kernel_w = 2;
  pool.stride_h = pool.stride_w = 2;
  pool.pad_right = 1;
  // Padding never wins even against negative values.
  EXPECT_EQ(max_pool(pool, {-5, -7, -9, -6, -8, -100}), (QValues{-5, -9}));

  Layer gap;
  gap.kind = LayerKind::GLOBAL_AVG_POOL;
  gap.inputs = {tensor("x", ElemType::UINT8, {1, 2, 2, 2}, 1.0, 10)};
  gap.output = tensor("y", ElemType::UINT8, {1, 2, 1, 1}, 0.5, 0);
  // Channel 0: sum 50, (50 - 40) / 4 / 0.5 = 5; channel 1: (45 - 40) / 4 / 0.5 = 2.5 -> 2.
  EXPECT_EQ(global_avg_pool(gap, {10, 10, 10, 20, 10, 10, 10, 15}), (QValues{5, 2}));
}

TEST(QuantizedReference, RunModelChainsLayersByTensorName) {
  compiler::Model m;
  Layer pool;
  pool.name = "pool";
  pool.kind = LayerKind::MAX_POOL;
  pool.inputs = {tensor("x", ElemType::INT8, {1, 1, 2, 2}, 1.0, 0)};
  pool.output = tensor("p", ElemType::INT8, {1, 1, 1, 1}, 1.0, 0);
  pool.kernel_h = pool.kernel_w = 2;
  Layer sum;
  sum.name = "sum";
  sum.kind = LayerKind::ADD;
  sum.inputs = {pool.output, tensor("b", ElemType::INT8, {1, 1, 1, 1}, 2.0, 0)};
  sum.output = tensor("y", ElemType::INT8, {1, 1, 1, 1}, 1.0, 0);
  m.layers = {pool, sum};
  std::map<std::string, QValues> t = {{"x", {1, 9, 3, 4}}, {"b", {5}}};
  run_model(m, t);
  EXPECT_EQ(t.at("p"), QValues{9});
  EXPECT_EQ(t.at("y"), QValues{19});  // 9 + 2 * 5
  t.erase("b");
  EXPECT_THROW(run_model(m, t), std::invalid_argument);
}

}  // namespace
}  // namespace tessera::reference
