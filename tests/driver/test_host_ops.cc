// Host-op kernels: hand-computed cases, numeric properties, and every kind of rejection naming its cause.
#include "driver/host_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace tessera {
namespace {

using Shape = std::vector<int64_t>;
const std::string kWhere = "node 'n0' (test)";

NpyArray f32(const Shape& shape, const std::vector<float>& v) {
  NpyArray a{NpyDType::FLOAT32, shape, std::vector<uint8_t>(v.size() * 4)};
  std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}

NpyArray ints(NpyDType t, const Shape& shape, const std::vector<int32_t>& v) {
  NpyArray a{t, shape, {}};
  for (int32_t x : v) {
    if (t == NpyDType::INT32) {
      const auto* b = reinterpret_cast<const uint8_t*>(&x);
      a.data.insert(a.data.end(), b, b + 4);
    } else {
      a.data.push_back(static_cast<uint8_t>(x));
    }
  }
  return a;
}

std::vector<float> floats_of(const NpyArray& a) {
  EXPECT_EQ(a.dtype, NpyDType::FLOAT32);
  std::vector<float> v(a.data.size() / 4);
  std::memcpy(v.data(), a.data.data(), a.data.size());
  return v;
}

std::vector<int32_t> ints_of(const NpyArray& a) {
  std::vector<int32_t> v;
  for (size_t i = 0; i < a.data.size(); i += npy_dtype_bytes(a.dtype)) {
    int32_t x = 0;
    if (a.dtype == NpyDType::INT32) std::memcpy(&x, &a.data[i], 4);
    else x = a.dtype == NpyDType::INT8 ? static_cast<int8_t>(a.data[i]) : a.data[i];
    v.push_back(x);
  }
  return v;
}

// Runs a one-output op and checks the result carries exactly the spec's dtype and shape.
NpyArray run1(const std::string& op, const HostAttrs& attrs, const std::vector<HostOperand>& in,
              const HostResultSpec& out) {
  const std::vector<NpyArray> r = run_host_op(op, attrs, in, {out}, kWhere);
  EXPECT_EQ(r.size(), 1u);
  EXPECT_EQ(r.at(0).dtype, out.dtype);
  EXPECT_EQ(r.at(0).shape, out.shape);
  return r.at(0);
}

HostResultSpec fspec(const Shape& s) { return {NpyDType::FLOAT32, s, {}}; }

// `tol` is relative for magnitudes above 1 (results are float32).
void expect_floats(const NpyArray& a, const std::vector<float>& want, float tol = 1e-6f) {
  const std::vector<float> got = floats_of(a);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol * std::max(1.0f, std::fabs(want[i]))) << "element " << i;
}

TEST(HostOps, NamesCoverTheListedOpsOnly) {
  for (const char* op : {"QuantizeLinear", "DequantizeLinear", "Softmax", "Transpose", "Reshape", "Flatten", "Squeeze",
                         "Unsqueeze", "Identity", "Concat", "Resize", "Relu", "Clip", "Add", "Mul", "AveragePool",
                         "GlobalAveragePool", "Im2Col"})
    EXPECT_TRUE(is_host_op(op)) << op;
  EXPECT_EQ(host_op_names().size(), 18u);
  for (const char* op : {"QLinearSoftmax", "Conv", "QLinearConv", "softmax", ""}) EXPECT_FALSE(is_host_op(op)) << op;
}

TEST(HostOps, SoftmaxOfZeroAndLn2IsOneThirdTwoThirds) {
  expect_floats(run1("Softmax", {}, {{f32({1, 2}, {0.0f, std::log(2.0f)}), {}}}, fspec({1, 2})), {1.0f / 3, 2.0f / 3});
}

TEST(HostOps, SoftmaxAlongAxisZeroNormalizesColumns) {
  // Columns [0, ln 3] -> [1/4, 3/4] and [5, 5] -> [1/2, 1/2].
  expect_floats(run1("Softmax", {{"axis", "0"}}, {{f32({2, 2}, {0.0f, 5.0f, std::log(3.0f), 5.0f}), {}}}, fspec({2, 2})),
                {0.25f, 0.5f, 0.75f, 0.5f});
}

TEST(HostOps, SoftmaxRowsSumToOneEvenForLargeInputs) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-50.0f, 50.0f);
  std::vector<float> x(3 * 4 * 5);
  for (auto& v : x) v = d(rng);
  x[0] = 1000.0f;  // would overflow exp() without subtracting the row maximum
  x[1] = 999.0f;
  const std::vector<float> y = floats_of(run1("Softmax", {{"axis", "-1"}}, {{f32({3, 4, 5}, x), {}}}, fspec({3, 4, 5})));
  for (int row = 0; row < 12; ++row) {
    double sum = 0;
    for (int k = 0; k < 5; ++k) {
      EXPECT_TRUE(std::isfinite(y[row * 5 + k]));
      sum += y[row * 5 + k];
    }
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << row;
  }
  EXPECT_NEAR(y[0], 1.0 / (1.0 + std::exp(-1.0)), 1e-5);
}

TEST(HostOps, QuantizeRoundsHalfToEvenAndSaturates) {
  const NpyArray x = f32({7}, {2.5f, 3.5f, -2.5f, 0.5f, 1.5f, 300.0f, -300.0f});
  EXPECT_EQ(ints_of(run1("QuantizeLinear", {}, {{x, {}}}, {NpyDType::INT8, {7}, {1.0, 0}})),
            (std::vector<int32_t>{2, 4, -2, 0, 2, 127, -128}));
  // scale 0.5, zero point 128: 1.25 -> 2.5 -> 2 -> 130; -100 -> 0; 100 -> 255; 2.5/0.5 = 5 -> 133.
  const NpyArray u = f32({4}, {1.25f, -100.0f, 100.0f, 2.5f});
  EXPECT_EQ(ints_of(run1("QuantizeLinear", {{"axis", "0"}}, {{u, {}}}, {NpyDType::UINT8, {4}, {0.5, 128}})),
            (std::vector<int32_t>{130, 0, 255, 133}));
}

TEST(HostOps, DequantizeUsesTheInputQuantization) {
  expect_floats(run1("DequantizeLinear", {}, {{ints(NpyDType::INT8, {3}, {-128, 0, 5}), {0.5, 2}}}, fspec({3})),
                {-65.0f, -1.0f, 1.5f});
  expect_floats(run1("DequantizeLinear", {}, {{ints(NpyDType::UINT8, {2}, {0, 255}), {0.25, 128}}}, fspec({2})),
                {-32.0f, 31.75f});
  expect_floats(run1("DequantizeLinear", {}, {{ints(NpyDType::INT32, {2}, {100000, -7}), {0.001, 0}}}, fspec({2})),
                {100.0f, -0.007f});
}

TEST(HostOps, DequantizeOfQuantizeIsWithinHalfAScale) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-6.0f, 6.0f);  // inside int8's range at this quant: no saturation
  std::vector<float> x(257);
  for (auto& v : x) v = d(rng);
  const HostQuant q{0.05, -3};
  const NpyArray qx = run1("QuantizeLinear", {}, {{f32({257}, x), {}}}, {NpyDType::INT8, {257}, q});
  const std::vector<float> back = floats_of(run1("DequantizeLinear", {}, {{qx, q}}, fspec({257})));
  for (size_t i = 0; i < x.size(); ++i) EXPECT_LE(std::fabs(back[i] - x[i]), q.scale / 2 + 1e-6) << x[i];
}

TEST(HostOps, TransposeOf2x3AndAPermutationOf3D) {
  EXPECT_EQ(ints_of(run1("Transpose", {}, {{ints(NpyDType::INT8, {2, 3}, {1, 2, 3, 4, 5, 6}), {}}},
                         {NpyDType::INT8, {3, 2}, {}})),
            (std::vector<int32_t>{1, 4, 2, 5, 3, 6}));
  expect_floats(run1("Transpose", {{"perm", "0,2,1"}}, {{f32({1, 2, 3}, {1, 2, 3, 4, 5, 6}), {}}}, fspec({1, 3, 2})),
                {1, 4, 2, 5, 3, 6});
  // perm 1,2,0 of a 2x1x3: out[j][k][i] = in[i][j][k].
  expect_floats(run1("Transpose", {{"perm", "1,2,0"}}, {{f32({2, 1, 3}, {1, 2, 3, 4, 5, 6}), {}}}, fspec({1, 3, 2})),
                {1, 4, 2, 5, 3, 6});
}

TEST(HostOps, ShapeOpsKeepTheDataAndTakeTheOutputShape) {
  const NpyArray x = ints(NpyDType::UINT8, {2, 3, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  const HostQuant q{0.1, 3};
  for (const auto& [op, attrs, shape] : std::vector<std::tuple<std::string, HostAttrs, Shape>>{
           {"Reshape", {}, {4, 3}},
           {"Flatten", {{"axis", "1"}}, {2, 6}},
           {"Flatten", {}, {2, 6}},
           {"Flatten", {{"axis", "0"}}, {1, 12}},
           {"Unsqueeze", {{"axes", "0,-1"}}, {1, 2, 3, 2, 1}},
           {"Identity", {}, {2, 3, 2}}}) {
    const NpyArray y = run1(op, attrs, {{x, q}}, {NpyDType::UINT8, shape, q});
    EXPECT_EQ(y.data, x.data) << op;
  }
  const NpyArray s = f32({1, 3, 1}, {1, 2, 3});
  expect_floats(run1("Squeeze", {{"axes", "0,2"}}, {{s, {}}}, fspec({3})), {1, 2, 3});
  // Reshape's ONNX shape operand is accepted; the output spec is what counts.
  expect_floats(run1("Reshape", {}, {{s, {}}, {ints(NpyDType::INT32, {2}, {-1, 1}), {}}}, fspec({3, 1})), {1, 2, 3});
}

TEST(HostOps, ConcatFloatAlongAxisOne) {
  expect_floats(run1("Concat", {{"axis", "1"}},
                     {{f32({2, 1}, {1, 2}), {}}, {f32({2, 2}, {3, 4, 5, 6}), {}}, {f32({2, 0}, {}), {}}},
                     fspec({2, 3})),
                {1, 3, 4, 2, 5, 6});
}

TEST(HostOps, QLinearConcatRequantizesEachInputToTheOutput) {
  // Output scale 0.5, zero point 1.
  // input 0 (0.5, 0): ratio 1, so q + 1: 4 -> 5, -3 -> -2, 127 -> 128 saturates to 127.
  // input 1 (0.25, 10): ratio 0.5: (14-10)*0.5 = 2 -> 3; (11-10)*0.5 = 0.5 -> 0 (half to even) -> 1;
  //                     (127-10)*0.5 = 58.5 -> 58 -> 59.
  const NpyArray y = run1("Concat", {{"axis", "0"}},
                          {{ints(NpyDType::INT8, {3}, {4, -3, 127}), {0.5, 0}},
                           {ints(NpyDType::INT8, {3}, {14, 11, 127}), {0.25, 10}}},
                          {NpyDType::INT8, {6}, {0.5, 1}});
  EXPECT_EQ(ints_of(y), (std::vector<int32_t>{5, -2, 127, 3, 1, 59}));
}

TEST(HostOps, ResizeNearest2x2To4x4) {
  const std::vector<int32_t> want = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
  const NpyArray x = ints(NpyDType::UINT8, {1, 1, 2, 2}, {1, 2, 3, 4});
  for (const HostAttrs& attrs : {HostAttrs{{"mode", "nearest"}, {"coordinate_transformation_mode", "asymmetric"},
                                           {"nearest_mode", "floor"}},
                                 HostAttrs{}}) {
    EXPECT_EQ(ints_of(run1("Resize", attrs, {{x, {0.5, 7}}}, {NpyDType::UINT8, {1, 1, 4, 4}, {0.5, 7}})), want);
  }
}

TEST(HostOps, ResizeCoordinateModesDiffer) {
  // 3 -> 2: asymmetric/floor samples 0, floor(1.5) = 1; half_pixel/round_prefer_floor samples
  // round(0.25) = 0, round(1.75) = 2.
  const NpyArray x = f32({3}, {10, 20, 30});
  expect_floats(run1("Resize", {{"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", "floor"}}, {{x, {}}},
                     fspec({2})),
                {10, 20});
  expect_floats(run1("Resize", {{"coordinate_transformation_mode", "half_pixel"}, {"nearest_mode", "round_prefer_floor"}},
                     {{x, {}}}, fspec({2})),
                {10, 30});
  // round_prefer_floor on a tie: 4 -> 2 half_pixel gives 0.5 and 2.5, both go down.
  expect_floats(run1("Resize", {}, {{f32({4}, {1, 2, 3, 4}), {}}}, fspec({2})), {1, 3});
  // An explicit scales operand (with an empty roi) is honoured.
  expect_floats(run1("Resize", {{"coordinate_transformation_mode", "asymmetric"}, {"nearest_mode", "floor"}},
                     {{f32({2}, {5, 6}), {}}, {f32({0}, {}), {}}, {f32({1}, {3.0f}), {}}}, fspec({6})),
                {5, 5, 5, 6, 6, 6});
}

TEST(HostOps, ReluAndClipFloat) {
  expect_floats(run1("Relu", {}, {{f32({3}, {-1, 0, 2.5}), {}}}, fspec({3})), {0, 0, 2.5});
  expect_floats(run1("Clip", {{"min", "-1"}, {"max", "2"}}, {{f32({3}, {-3, 0.5, 5}), {}}}, fspec({3})), {-1, 0.5, 2});
  expect_floats(run1("Clip", {{"max", "0.25"}}, {{f32({2}, {-30, 5}), {}}}, fspec({2})), {-30, 0.25});
}

TEST(HostOps, ReluAndClipQuantizedCompareInTheQuantizedDomain) {
  EXPECT_EQ(ints_of(run1("Relu", {}, {{ints(NpyDType::UINT8, {3}, {100, 128, 200}), {0.1, 128}}},
                         {NpyDType::UINT8, {3}, {0.1, 128}})),
            (std::vector<int32_t>{128, 128, 200}));
  // scale 0.5, zero point -10: min -1 -> -2 - 10 = -12; max 2.2 -> round(4.4) - 10 = -6.
  EXPECT_EQ(ints_of(run1("Clip", {{"min", "-1"}, {"max", "2.2"}}, {{ints(NpyDType::INT8, {3}, {-20, -11, 0}), {0.5, -10}}},
                         {NpyDType::INT8, {3}, {0.5, -10}})),
            (std::vector<int32_t>{-12, -11, -6}));
}

TEST(HostOps, AddAndMulBroadcastLikeNumpy) {
  expect_floats(run1("Add", {}, {{f32({2, 3}, {1, 2, 3, 4, 5, 6}), {}}, {f32({3}, {10, 20, 30}), {}}}, fspec({2, 3})),
                {11, 22, 33, 14, 25, 36});
  expect_floats(run1("Mul", {}, {{f32({2, 1}, {2, 3}), {}}, {f32({1, 3}, {1, 10, 100}), {}}}, fspec({2, 3})),
                {2, 20, 200, 3, 30, 300});
  expect_floats(run1("Mul", {}, {{f32({}, {4}), {}}, {f32({2}, {1.5, -1}), {}}}, fspec({2})), {6, -4});
}

TEST(HostOps, AveragePoolWithAndWithoutPadCounting) {
  const NpyArray x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  expect_floats(run1("AveragePool", {{"kernel_shape", "2,2"}}, {{x, {}}}, fspec({1, 1, 2, 2})), {3, 4, 6, 7});
  // 3x3 windows at stride 2 over one ring of padding: the four corners hold 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
  const HostAttrs pooled = {{"kernel_shape", "3,3"}, {"strides", "2,2"}, {"pads", "1,1,1,1"}};
  expect_floats(run1("AveragePool", pooled, {{x, {}}}, fspec({1, 1, 2, 2})), {3, 4, 6, 7});
  HostAttrs counted = pooled;
  counted["count_include_pad"] = "1";
  expect_floats(run1("AveragePool", counted, {{x, {}}}, fspec({1, 1, 2, 2})), {12.0f / 9, 16.0f / 9, 24.0f / 9, 28.0f / 9});
}

TEST(HostOps, GlobalAveragePoolMeansEachPlane) {
  expect_floats(run1("GlobalAveragePool", {}, {{f32({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 9}), {}}}, fspec({1, 2, 1, 1})),
                {2.5f, 6.75f});
}

TEST(HostOps, Im2ColOf3x3By2x2MakesEachTapAChannel) {
  // Input 1 2 3 / 4 5 6 / 7 8 9; channel r*2 + s holds tap (r, s) of the four 2x2 windows.
  const HostOperand x{ints(NpyDType::UINT8, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), {0.5, 3}};
  const NpyArray y = run1("Im2Col", {{"kernel_shape", "2,2"}}, {x}, {NpyDType::UINT8, {1, 4, 2, 2}, {0.5, 3}});
  EXPECT_EQ(ints_of(y), (std::vector<int32_t>{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}));
}

TEST(HostOps, Im2ColPaddingHoldsTheZeroPointAndChannelsComeFirst) {
  // Two 2x2 channels, 2x2 kernel at stride 2 with one pad row on top and one pad column on the left:
  // one window per channel, whose taps (0,0), (0,1), (1,0) fall into the padding (zero point -7).
  const HostOperand x{ints(NpyDType::INT8, {1, 2, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -4}), {0.25, -7}};
  const HostAttrs a = {{"kernel_shape", "2,2"}, {"strides", "2,2"}, {"pads", "1,1,0,0"}};
  const NpyArray y = run1("Im2Col", a, {x}, {NpyDType::INT8, {1, 8, 1, 1}, {0.25, -7}});
  EXPECT_EQ(ints_of(y), (std::vector<int32_t>{-7, -7, -7, 1, -7, -7, -7, -1}));
}

// One rejected call: the message must name the node and every listed word (attribute, operand, reason).
struct Rejection {
  std::string name, op;
  HostAttrs attrs;
  std::vector<HostOperand> in;
  std::vector<HostResultSpec> out;
  std::vector<std::string> words;
};

class HostOpRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(HostOpRejects, NamingTheCause) {
  const Rejection& r = GetParam();
  try {
    run_host_op(r.op, r.attrs, r.in, r.out, kWhere);
    FAIL() << "accepted";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(kWhere), std::string::npos) << msg;
    for (const auto& w : r.words) EXPECT_NE(msg.find(w), std::string::npos) << "'" << w << "' missing in: " << msg;
  }
}

const NpyArray k2x3 = f32({2, 3}, {1, 2, 3, 4, 5, 6});
const HostOperand kF{k2x3, {}};
const HostOperand kQ{ints(NpyDType::INT8, {2, 3}, {1, 2, 3, 4, 5, 6}), {0.5, 0}};
const NpyArray kImg = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
const HostOperand kQImg{ints(NpyDType::INT8, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), {0.5, 0}};

INSTANTIATE_TEST_SUITE_P(
    HostOps, HostOpRejects,
    ::testing::Values(
        Rejection{"UnknownOp", "QLinearSoftmax", {}, {kF}, {fspec({2, 3})}, {"QLinearSoftmax", "not a host op"}},
        Rejection{"UnknownAttribute", "Softmax", {{"axes", "1"}}, {kF}, {fspec({2, 3})}, {"unknown attribute 'axes'"}},
        Rejection{"AxisNotAnInteger", "Softmax", {{"axis", "x"}}, {kF}, {fspec({2, 3})}, {"'axis'", "not an integer"}},
        Rejection{"AxisOutOfRange", "Softmax", {{"axis", "2"}}, {kF}, {fspec({2, 3})}, {"'axis'", "out of range"}},
        Rejection{"AxisHugelyOutOfRange", "Softmax", {{"axis", "99999999999999999999"}}, {kF}, {fspec({2, 3})}, {"'axis'"}},
        Rejection{"SoftmaxOnInt8", "Softmax", {}, {kQ}, {fspec({2, 3})}, {"input 0", "int8"}},
        Rejection{"PermMalformed", "Transpose", {{"perm", "1,x"}}, {kF}, {fspec({3, 2})}, {"'perm'", "1,x"}},
        Rejection{"PermRepeats", "Transpose", {{"perm", "0,0"}}, {kF}, {fspec({2, 3})}, {"'perm'", "not a permutation"}},
        Rejection{"PermTooShort", "Transpose", {{"perm", "0"}}, {kF}, {fspec({2, 3})}, {"'perm'", "not a permutation"}},
        Rejection{"PermEmpty", "Transpose", {{"perm", ""}}, {kF}, {fspec({3, 2})}, {"'perm'"}},
        Rejection{"PermOutOfRange", "Transpose", {{"perm", "0,2"}}, {kF}, {fspec({2, 3})}, {"'perm'"}},
        Rejection{"TransposeWrongOutputShape", "Transpose", {}, {kF}, {fspec({2, 3})}, {"output 0", "[3,2]"}},
        Rejection{"QuantizeZeroScale", "QuantizeLinear", {}, {kF}, {{NpyDType::INT8, {2, 3}, {0.0, 0}}}, {"output 0", "scale"}},
        Rejection{"QuantizeNanScale", "QuantizeLinear", {}, {kF}, {{NpyDType::INT8, {2, 3}, {NAN, 0}}}, {"output 0", "scale"}},
        Rejection{"QuantizeToFloat", "QuantizeLinear", {}, {kF}, {fspec({2, 3})}, {"output 0", "int8/uint8"}},
        Rejection{"DequantizeZeroScale", "DequantizeLinear", {}, {{kQ.value, {0.0, 0}}}, {fspec({2, 3})}, {"input 0", "scale"}},
        Rejection{"ZeroPointOutOfRange", "DequantizeLinear", {}, {{kQ.value, {1.0, 200}}}, {fspec({2, 3})},
                  {"input 0", "zero point 200"}},
        Rejection{"ReshapeElementCount", "Reshape", {}, {kF}, {fspec({4})}, {"output 0", "6 elements"}},
        Rejection{"ReshapeDtype", "Reshape", {}, {kF}, {{NpyDType::INT8, {6}, {}}}, {"output 0", "float32"}},
        Rejection{"ReshapeQuantChanges", "Reshape", {}, {kQ}, {{NpyDType::INT8, {6}, {0.25, 0}}},
                  {"input 0", "output 0", "quantized differently"}},
        Rejection{"ReshapeShapeOperandNotInt32", "Reshape", {}, {kF, kF}, {fspec({6})}, {"input 1", "int32"}},
        Rejection{"FlattenAxis", "Flatten", {{"axis", "3"}}, {kF}, {fspec({6, 1})}, {"'axis'", "out of range"}},
        Rejection{"FlattenWrongShape", "Flatten", {{"axis", "0"}}, {kF}, {fspec({6, 1})}, {"output 0", "[1,6]"}},
        Rejection{"SqueezeNonUnitAxis", "Squeeze", {{"axes", "0"}}, {kF}, {fspec({6})}, {"'axes'", "not 1"}},
        Rejection{"SqueezeRepeatedAxis", "Squeeze", {{"axes", "0,0"}}, {{f32({1, 1}, {1}), {}}}, {fspec({1})},
                  {"'axes'", "repeats"}},
        Rejection{"UnsqueezeAxes", "Unsqueeze", {{"axes", "1,x"}}, {kF}, {fspec({2, 1, 3})}, {"'axes'"}},
        Rejection{"IdentityShape", "Identity", {}, {kF}, {fspec({3, 2})}, {"output 0"}},
        Rejection{"ConcatNoAxis", "Concat", {}, {kF, kF}, {fspec({4, 3})}, {"'axis'", "required"}},
        Rejection{"ConcatAxisOutOfRange", "Concat", {{"axis", "-3"}}, {kF, kF}, {fspec({4, 3})}, {"'axis'", "out of range"}},
        Rejection{"ConcatShapes", "Concat", {{"axis", "0"}}, {kF, {f32({2, 2}, {1, 2, 3, 4}), {}}}, {fspec({4, 3})},
                  {"input 1", "[2,2]"}},
        Rejection{"ConcatMixedDtypes", "Concat", {{"axis", "0"}}, {kF, kQ}, {fspec({4, 3})}, {"input 1", "int8"}},
        Rejection{"ConcatWrongOutput", "Concat", {{"axis", "0"}}, {kF, kF}, {fspec({4, 4})}, {"output 0", "[4,3]"}},
        Rejection{"ResizeMode", "Resize", {{"mode", "linear"}}, {kF}, {fspec({4, 6})}, {"'mode'", "linear"}},
        Rejection{"ResizeCoordinateMode", "Resize", {{"coordinate_transformation_mode", "align_corners"}}, {kF},
                  {fspec({4, 6})}, {"'coordinate_transformation_mode'", "align_corners"}},
        Rejection{"ResizeNearestMode", "Resize", {{"nearest_mode", "ceil"}}, {kF}, {fspec({4, 6})}, {"'nearest_mode'"}},
        Rejection{"ResizeRank", "Resize", {}, {kF}, {fspec({4, 6, 1})}, {"output 0", "rank 2"}},
        Rejection{"ResizeQuantChanges", "Resize", {}, {kQ}, {{NpyDType::INT8, {4, 6}, {0.5, 1}}}, {"quantized differently"}},
        Rejection{"ResizeScalesLength", "Resize", {}, {kF, {f32({0}, {}), {}}, {f32({1}, {2}), {}}}, {fspec({4, 6})},
                  {"input 2", "scales"}},
        Rejection{"ResizeZeroScale", "Resize", {}, {kF, {f32({0}, {}), {}}, {f32({2}, {0, 2}), {}}}, {fspec({4, 6})},
                  {"input 2", "not positive"}},
        Rejection{"ClipMinNotAReal", "Clip", {{"min", "abc"}}, {kF}, {fspec({2, 3})}, {"'min'", "abc"}},
        Rejection{"ClipMaxNan", "Clip", {{"max", "nan"}}, {kF}, {fspec({2, 3})}, {"'max'"}},
        Rejection{"ReluOnInt32", "Relu", {}, {{ints(NpyDType::INT32, {1}, {1}), {}}}, {{NpyDType::INT32, {1}, {}}},
                  {"input 0", "int32"}},
        Rejection{"AddOneOperand", "Add", {}, {kF}, {fspec({2, 3})}, {"takes 2 inputs, got 1"}},
        Rejection{"AddNoBroadcast", "Add", {}, {kF, {f32({2}, {1, 2}), {}}}, {fspec({2, 3})}, {"inputs 0", "1 [2]", "broadcast"}},
        Rejection{"AddWrongOutput", "Add", {}, {kF, {f32({3}, {1, 2, 3}), {}}}, {fspec({3})}, {"output 0", "[2,3]"}},
        Rejection{"MulInt8", "Mul", {}, {kF, kQ}, {fspec({2, 3})}, {"input 1", "int8"}},
        Rejection{"PoolNoKernel", "AveragePool", {}, {{kImg, {}}}, {fspec({1, 1, 3, 3})}, {"'kernel_shape'", "required"}},
        Rejection{"PoolKernelMalformed", "AveragePool", {{"kernel_shape", "2,,2"}}, {{kImg, {}}}, {fspec({1, 1, 2, 2})},
                  {"'kernel_shape'"}},
        Rejection{"PoolStrideZero", "AveragePool", {{"kernel_shape", "2,2"}, {"strides", "0,1"}}, {{kImg, {}}},
                  {fspec({1, 1, 2, 2})}, {"'strides'"}},
        Rejection{"PoolPadsCount", "AveragePool", {{"kernel_shape", "2,2"}, {"pads", "1,1"}}, {{kImg, {}}},
                  {fspec({1, 1, 2, 2})}, {"'pads'"}},
        Rejection{"PoolPadNotBelowKernel", "AveragePool", {{"kernel_shape", "2,2"}, {"pads", "2,0,0,0"}}, {{kImg, {}}},
                  {fspec({1, 1, 4, 2})}, {"'pads'"}},
        Rejection{"PoolCeilMode", "AveragePool", {{"kernel_shape", "2,2"}, {"ceil_mode", "1"}}, {{kImg, {}}},
                  {fspec({1, 1, 2, 2})}, {"'ceil_mode'"}},
        Rejection{"PoolCountIncludePad", "AveragePool", {{"kernel_shape", "2,2"}, {"count_include_pad", "yes"}},
                  {{kImg, {}}}, {fspec({1, 1, 2, 2})}, {"'count_include_pad'"}},
        Rejection{"PoolKernelTooBig", "AveragePool", {{"kernel_shape", "4,4"}}, {{kImg, {}}}, {fspec({1, 1, 1, 1})},
                  {"input 0", "'kernel_shape'"}},
        Rejection{"PoolNotNCHW", "AveragePool", {{"kernel_shape", "1,1"}}, {kF}, {fspec({2, 3})}, {"input 0", "rank 4"}},
        Rejection{"GlobalPoolWrongOutput", "GlobalAveragePool", {}, {{kImg, {}}}, {fspec({1, 1})}, {"output 0", "[1,1,1,1]"}},
        Rejection{"GlobalPoolEmptyPlane", "GlobalAveragePool", {}, {{f32({1, 1, 0, 2}, {}), {}}}, {fspec({1, 1, 1, 1})},
                  {"input 0", "empty"}},
        Rejection{"Im2ColOnFloat", "Im2Col", {{"kernel_shape", "2,2"}}, {{kImg, {}}}, {fspec({1, 4, 2, 2})},
                  {"input 0", "float32", "int8/uint8"}},
        Rejection{"Im2ColNoKernel", "Im2Col", {}, {kQImg}, {{NpyDType::INT8, {1, 1, 3, 3}, {0.5, 0}}},
                  {"'kernel_shape'", "required"}},
        Rejection{"Im2ColNegativePad", "Im2Col", {{"kernel_shape", "2,2"}, {"pads", "0,-1,0,0"}}, {kQImg},
                  {{NpyDType::INT8, {1, 4, 2, 2}, {0.5, 0}}}, {"'pads'"}},
        Rejection{"Im2ColStrideZero", "Im2Col", {{"kernel_shape", "2,2"}, {"strides", "1,0"}}, {kQImg},
                  {{NpyDType::INT8, {1, 4, 2, 2}, {0.5, 0}}}, {"'strides'"}},
        Rejection{"Im2ColKernelTooBig", "Im2Col", {{"kernel_shape", "4,4"}}, {kQImg},
                  {{NpyDType::INT8, {1, 16, 1, 1}, {0.5, 0}}}, {"input 0", "'kernel_shape'"}},
        Rejection{"Im2ColWrongOutput", "Im2Col", {{"kernel_shape", "2,2"}}, {kQImg},
                  {{NpyDType::INT8, {1, 1, 2, 2}, {0.5, 0}}}, {"output 0", "[1,4,2,2]"}},
        Rejection{"Im2ColQuantChanges", "Im2Col", {{"kernel_shape", "2,2"}}, {kQImg},
                  {{NpyDType::INT8, {1, 4, 2, 2}, {0.5, 1}}}, {"quantized differently"}},
        Rejection{"Im2ColUnknownAttribute", "Im2Col", {{"kernel_shape", "2,2"}, {"dilations", "1,1"}}, {kQImg},
                  {{NpyDType::INT8, {1, 4, 2, 2}, {0.5, 0}}}, {"unknown attribute 'dilations'"}},
        Rejection{"TwoOutputSpecs", "Relu", {}, {kF}, {fspec({2, 3}), fspec({2, 3})}, {"2 output specs"}},
        Rejection{"NegativeDimension", "Relu", {}, {kF}, {fspec({-2, -3})}, {"output 0", "negative"}},
        Rejection{"DataSizeMismatch", "Relu", {}, {{f32({2, 3}, {1, 2}), {}}}, {fspec({2, 3})}, {"input 0", "8 bytes"}}),
    [](const ::testing::TestParamInfo<Rejection>& i) { return i.param.name; });

TEST(HostOps, CheckAloneRejectsWithoutData) {
  const std::vector<HostResultSpec> in = {fspec({2, 3})};
  EXPECT_NO_THROW(check_host_op("Transpose", {{"perm", "1,0"}}, in, {fspec({3, 2})}, kWhere));
  EXPECT_THROW(check_host_op("Transpose", {{"perm", "1,0,2"}}, in, {fspec({3, 2})}, kWhere), std::runtime_error);
  EXPECT_THROW(check_host_op("Softmax", {}, {{static_cast<NpyDType>(9), {2}, {}}}, {fspec({2})}, kWhere),
               std::runtime_error);
}

}  // namespace
}  // namespace tessera
