// Random single-layer ONNX models run on onnxruntime (CPU) and on the plain-loop reference must agree.
#include <gtest/gtest.h>

#include <tuple>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <random>
#include <string>

#include "compiler/import/layer_shapes.h"
#include "compiler/import/onnx_export.h"
#include "compiler/import/random_layer.h"
#include "isa/npy.h"
#include "tests/reference/quantized_ops.h"

namespace tessera::compiler {
namespace {

namespace fs = std::filesystem;

const std::string kScript = std::string(TESSERA_SOURCE_DIR) + "/tests/onnx/run_onnx.js";

// Why onnxruntime cannot run here, or "" when it can.
std::string oracle_unavailable() {
  const std::string node = TESSERA_NODE;
  if (node.empty() || node.find("NOTFOUND") != std::string::npos) return "node is not installed";
  if (!fs::exists(std::string(TESSERA_SOURCE_DIR) + "/node_modules/onnxruntime-node"))
    return "onnxruntime-node is not installed (scripts/setup.sh installs it)";
  return "";
}

NpyArray to_npy(const QTensor& t, const std::vector<int32_t>& v) {
  NpyArray a;
  a.dtype = t.type == ElemType::UINT8 ? NpyDType::UINT8 : NpyDType::INT8;
  a.shape = t.shape;
  for (int32_t x : v) a.data.push_back(static_cast<uint8_t>(x));
  return a;
}

std::vector<int32_t> from_npy(const NpyArray& a) {
  std::vector<int32_t> v;
  for (uint8_t b : a.data) v.push_back(a.dtype == NpyDType::INT8 ? static_cast<int8_t>(b) : b);
  return v;
}

class OnnxOracle : public ::testing::Test {
 protected:
  struct Case {
    Model model;  // its last layer's output is the graph's only output
    std::map<std::string, reference::QValues> inputs;
    std::string label, out;
  };

  void SetUp() override {
    const std::string why = oracle_unavailable();
    if (!why.empty()) GTEST_SKIP() << why;
    dir_ = fs::temp_directory_path() / ("tessera_oracle_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    fs::remove_all(dir_);
    std::cout << "onnxruntime vs reference: " << off_by_one_ << " of " << elements_ << " elements differ by 1 LSB\n";
  }

  // Writes the model and random inputs; run_and_compare() runs every added case.
  void add(const Model& model, uint64_t seed, const std::string& label, OnnxForm form = OnnxForm::QLINEAR) {
    const fs::path d = dir_ / ("case" + std::to_string(cases_.size()));
    fs::create_directories(d);
    Case c{model, {}, label, (d / "out.npy").string()};
    write_onnx_file(model, (d / "model.onnx").string(), form);
    batch_ += (d / "model.onnx").string();
    std::set<std::string> produced;
    for (const Layer& l : model.layers) {
      for (const QTensor& t : l.inputs) {
        if (produced.count(t.name) || c.inputs.count(t.name)) continue;  // graph inputs in first-use order
        int64_t count = 1;
        for (int64_t d : t.shape) count *= d;
        c.inputs[t.name] = random_values(t.type, static_cast<size_t>(count), seed * 7 + c.inputs.size());
        const std::string path = (d / (t.name + ".npy")).string();
        write_npy_file(to_npy(t, c.inputs[t.name]), path);
        batch_ += " " + path;
      }
      produced.insert(l.output.name);
    }
    batch_ += " " + c.out + "\n";
    cases_.push_back(std::move(c));
  }
  void add(const Layer& layer, uint64_t seed, const std::string& label, OnnxForm form = OnnxForm::QLINEAR) {
    add(Model{"", {layer}}, seed, label, form);
  }

  // Runs all cases on onnxruntime in one node process, then compares each with the reference:
  // at most 1 LSB apart, on at most 0.1% of the elements.
  void run_and_compare() {
    const std::string list = (dir_ / "batch.txt").string();
    std::ofstream(list) << batch_;
    const std::string cmd = std::string(TESSERA_NODE) + " " + kScript + " --batch " + list;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    for (const Case& c : cases_) compare(c);
  }

  void compare(const Case& c) {
    SCOPED_TRACE(c.label);
    const QTensor& output = c.model.layers.back().output;
    const NpyArray got_npy = read_npy_file(c.out);
    ASSERT_EQ(got_npy.shape, output.shape);
    const std::vector<int32_t> got = from_npy(got_npy);
    std::map<std::string, reference::QValues> tensors = c.inputs;
    reference::run_model(c.model, tensors);
    const std::vector<int32_t> want = tensors.at(output.name);
    ASSERT_EQ(got.size(), want.size());
    size_t off_by_one = 0, distinct = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const int32_t diff = std::abs(got[i] - want[i]);
      ASSERT_LE(diff, 1) << "element " << i << ": onnxruntime " << got[i] << ", reference " << want[i];
      off_by_one += diff;
      if (i && want[i] != want[0]) ++distinct;
    }
    off_by_one_ += off_by_one;
    elements_ += got.size();
    EXPECT_LE(off_by_one * 1000, got.size()) << off_by_one << " of " << got.size() << " elements differ by 1";
    EXPECT_GT(distinct, 0u) << "degenerate test: every output is the same";
  }

  std::vector<Case> cases_;
  std::string batch_;  // run_onnx.js --batch lines
  fs::path dir_;
  size_t off_by_one_ = 0, elements_ = 0;
};

RandomLayerSpec random_conv_spec(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int kernels[] = {1, 3, 5, 7};
  RandomLayerSpec s;
  s.type = pick(0, 1) ? ElemType::UINT8 : ElemType::INT8;
  s.kernel = kernels[pick(0, 3)];
  s.stride = pick(1, 2);
  s.pad = pick(0, 3);
  s.n = pick(1, 2);
  s.c = pick(1, 37);
  s.k = pick(1, 37);
  s.h = pick(std::max(1, s.kernel - 2 * s.pad), 19);
  s.w = pick(std::max(1, s.kernel - 2 * s.pad), 19);
  s.per_channel = pick(0, 1);
  s.bias = pick(0, 3) != 0;
  s.relu = pick(0, 1);
  return s;
}

std::string describe(const RandomLayerSpec& s) {
  return std::string(s.type == ElemType::UINT8 ? "uint8" : "int8") + " n" + std::to_string(s.n) + " c" +
         std::to_string(s.c) + " " + std::to_string(s.h) + "x" + std::to_string(s.w) + " k" + std::to_string(s.k) +
         " kernel " + std::to_string(s.kernel) + " stride " + std::to_string(s.stride) + " pad " + std::to_string(s.pad) +
         (s.per_channel ? " per-channel" : " per-tensor") + (s.bias ? " bias" : "") + (s.relu ? " relu" : "");
}

TEST_F(OnnxOracle, RandomConvLayersAgree) {
  std::mt19937_64 rng(20261122);
  for (int i = 0; i < 48; ++i) {
    const RandomLayerSpec s = random_conv_spec(rng);
    add(random_layer(s, 1000 + i), 1000 + i, "case " + std::to_string(i) + ": " + describe(s));
  }
  run_and_compare();
}

// Grouped and depthwise convs (MobileNet), some with a Clip max inside the output range, both forms.
TEST_F(OnnxOracle, GroupedAndDepthwiseConvsAgree) {
  uint64_t seed = 40;
  for (const auto& [c, k, group] : std::vector<std::tuple<int, int, int>>{{32, 32, 32}, {20, 20, 20}, {24, 36, 3}, {64, 64, 2}, {8, 16, 8}})
    for (int v = 0; v < 2; ++v) {
      RandomLayerSpec s;
      s.type = v ? ElemType::UINT8 : ElemType::INT8;
      s.c = c, s.k = k, s.group = group, s.h = 9, s.w = 11, s.kernel = 3, s.stride = 1 + v, s.pad = 1;
      s.per_channel = true, s.relu = v == 0, s.clamp = true;
      add(random_layer(s, seed), seed, describe(s) + " group " + std::to_string(group), v ? OnnxForm::QDQ : OnnxForm::QLINEAR);
      ++seed;
    }
  run_and_compare();
}

TEST_F(OnnxOracle, EveryKernelStridePaddingAndType) {
  uint64_t seed = 1;
  for (int kernel : {1, 3, 5, 7})
    for (int stride : {1, 2})
      for (ElemType type : {ElemType::INT8, ElemType::UINT8}) {
        RandomLayerSpec s;
        s.type = type;
        s.kernel = kernel;
        s.stride = stride;
        s.pad = static_cast<int>(seed % 4);
        s.c = 17;
        s.k = 19;
        s.h = 11;
        s.w = 13;
        s.per_channel = seed % 2;
        add(random_layer(s, seed), seed, describe(s));
        ++seed;
      }
  run_and_compare();
}

// Non-square kernels, unequal strides and asymmetric padding.
TEST_F(OnnxOracle, RectangularGeometryAgrees) {
  const struct { int r, s, sh, sw, top, left, bottom, right; } shapes[] = {
      {1, 3, 1, 2, 0, 1, 0, 2}, {3, 1, 2, 1, 2, 0, 1, 0}, {5, 3, 2, 2, 0, 3, 2, 1}, {2, 7, 1, 3, 1, 3, 0, 2}};
  uint64_t seed = 700;
  for (const auto& g : shapes) {
    RandomLayerSpec s;
    s.c = 11;
    s.k = 13;
    s.h = 12;
    s.w = 15;
    s.per_channel = seed % 2;
    s.type = seed % 2 ? ElemType::UINT8 : ElemType::INT8;
    Layer l = random_layer(s, seed);
    l.kernel_h = g.r;
    l.kernel_w = g.s;
    l.stride_h = g.sh;
    l.stride_w = g.sw;
    l.pad_top = g.top;
    l.pad_left = g.left;
    l.pad_bottom = g.bottom;
    l.pad_right = g.right;
    const std::vector<int32_t> w = random_values(ElemType::INT8, static_cast<size_t>(s.k * s.c * g.r * g.s), seed);
    l.weights.assign(w.begin(), w.end());
    l.output.shape = layer_output_shape(l, "test");
    add(l, seed, "kernel " + std::to_string(g.r) + "x" + std::to_string(g.s) + " stride " + std::to_string(g.sh) + "," +
                     std::to_string(g.sw));
    ++seed;
  }
  run_and_compare();
}

TEST_F(OnnxOracle, QdqConvAndGemmLayersAgree) {
  std::mt19937_64 rng(77);
  for (int i = 0; i < 12; ++i) {
    const RandomLayerSpec s = random_conv_spec(rng);
    add(random_layer(s, 500 + i), 500 + i, "QDQ case " + std::to_string(i) + ": " + describe(s), OnnxForm::QDQ);
  }
  for (int i = 0; i < 6; ++i) {  // dense with bias, which only the QDQ form (Gemm) can carry
    RandomLayerSpec s;
    s.kind = LayerKind::DENSE;
    s.type = i % 2 ? ElemType::UINT8 : ElemType::INT8;
    s.n = 1 + i % 3;
    s.c = 9 + 41 * i;
    s.k = 3 + 17 * i;
    s.per_channel = i % 4 < 2;
    s.relu = i % 3 == 0;
    add(random_layer(s, 520 + i), 520 + i, "QDQ Gemm " + describe(s), OnnxForm::QDQ);
  }
  run_and_compare();
}

// Renames a random layer's tensors so layers can be chained.
Layer renamed(Layer l, const std::string& name, const std::string& input, const std::string& output) {
  l.name = name;
  l.inputs.at(0).name = input;
  l.output.name = output;
  return l;
}

TEST_F(OnnxOracle, ChainedLayersAgree) {
  for (int i = 0; i < 4; ++i) {
    RandomLayerSpec s;
    s.type = i % 2 ? ElemType::UINT8 : ElemType::INT8;
    s.c = s.k = 6 + 5 * i;
    s.h = 9 + i;
    s.w = 8 + 2 * i;
    s.kernel = 3;
    s.pad = 1;
    s.relu = true;
    s.per_channel = i % 2 == 0;
    const Layer conv = renamed(random_layer(s, 600 + i), "conv", "x", "c");
    // Residual: add(x, conv(x)), so x feeds two layers; then max-pool and global average pool.
    RandomLayerSpec a = s;
    a.kind = LayerKind::ADD;
    a.relu = i % 2 == 1;
    Layer add_layer = random_layer(a, 610 + i);
    add_layer.name = "residual";
    add_layer.inputs = {conv.inputs[0], conv.output};
    add_layer.output.name = "r";
    // Room for the sum of two full-range operands, centred.
    add_layer.output.scale = 2 * std::max(conv.inputs[0].scale, conv.output.scale);
    add_layer.output.zero_point = s.type == ElemType::UINT8 ? 128 : 0;
    RandomLayerSpec p = s;
    p.kind = LayerKind::MAX_POOL;
    p.kernel = 2;
    p.stride = 2;
    p.pad = 0;
    Layer pool = random_layer(p, 620 + i);
    pool.name = "pool";
    pool.inputs = {add_layer.output};
    pool.output = add_layer.output;
    pool.output.name = "p";
    pool.output.shape = {1, s.c, s.h / 2, s.w / 2};
    add(Model{"", {conv, add_layer, pool}}, 630 + i, "conv -> residual add -> max pool, case " + std::to_string(i));
  }
  run_and_compare();
}

TEST_F(OnnxOracle, DenseLayersAgree) {
  for (int i = 0; i < 8; ++i) {
    RandomLayerSpec s;
    s.kind = LayerKind::DENSE;
    s.type = i % 2 ? ElemType::UINT8 : ElemType::INT8;
    s.n = 1 + i % 3;
    s.c = 7 + 29 * i;
    s.k = 5 + 13 * i;
    s.bias = false;  // QLinearMatMul has no bias input
    s.per_channel = i % 4 >= 2;
    s.relu = i % 3 == 0;
    add(random_layer(s, 50 + i), 50 + i, describe(s));
  }
  run_and_compare();
}

TEST_F(OnnxOracle, AddMaxPoolAndGlobalAveragePoolAgree) {
  for (int i = 0; i < 6; ++i) {
    RandomLayerSpec s;
    s.type = i % 2 ? ElemType::UINT8 : ElemType::INT8;
    s.n = 1 + i % 2;
    s.c = 3 + 5 * i;
    s.h = 5 + 3 * i;
    s.w = 4 + 2 * i;
    s.kind = LayerKind::ADD;
    s.relu = i % 3 == 0;
    add(random_layer(s, 70 + i), 70 + i, "add " + describe(s));
    s.kind = LayerKind::GLOBAL_AVG_POOL;
    s.relu = false;
    add(random_layer(s, 80 + i), 80 + i, "global average pool " + describe(s));
    s.kind = LayerKind::MAX_POOL;
    s.kernel = 2 + i % 2;
    s.stride = 1 + i % 2;
    s.pad = i % 2;
    add(random_layer(s, 90 + i), 90 + i, "max pool " + describe(s));
  }
  run_and_compare();
}

}  // namespace
}  // namespace tessera::compiler
