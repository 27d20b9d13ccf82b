// JSON layer descriptions: valid files give the described layers; bad ones name the file, JSON path and reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "compiler/import/json_export.h"
#include "compiler/import/json_import.h"
#include "compiler/import/random_layer.h"
#include "isa/npy.h"

namespace tessera::compiler {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class JsonImport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera_json_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    NpyArray w{NpyDType::INT8, {4, 3, 3, 3}, {}};
    for (int i = 0; i < 108; ++i) w.data.push_back(static_cast<uint8_t>(i * 37 - 60));
    write_npy_file(w, (dir_ / "w.npy").string());
    NpyArray b{NpyDType::INT32, {4}, {}};
    for (int32_t v : {-1000, 0, 7, 123456}) {
      for (int s = 0; s < 32; s += 8) b.data.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> s));
    }
    write_npy_file(b, (dir_ / "b.npy").string());
    NpyArray d{NpyDType::INT8, {5, 4}, std::vector<uint8_t>(20, 3)};
    write_npy_file(d, (dir_ / "dense.npy").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  static json conv() {
    return {{"name", "conv1"},
            {"op", "conv2d"},
            {"inputs", {{{"name", "x"}, {"type", "uint8"}, {"shape", {1, 3, 10, 9}}, {"scale", 0.02}, {"zero_point", 120}}}},
            {"output", {{"name", "y"}, {"type", "uint8"}, {"scale", 0.1}, {"zero_point", 3}}},
            {"weights", "w.npy"},
            {"weight_scales", {0.01, 0.02, 0.03, 0.04}},
            {"bias", "b.npy"},
            {"strides", {2, 1}},
            {"pads", {1, 0, 1, 2}},
            {"relu", true}};
  }

  Model import(const json& layers) {
    const std::string path = (dir_ / "model.json").string();
    std::ofstream(path) << json{{"layers", layers}}.dump(2);
    return import_layer_json_file(path);
  }

  // The ImportError message for `layers`, with the file name replaced by "F".
  std::string error(const json& layers) {
    try {
      import(layers);
    } catch (const ImportError& e) {
      std::string m = e.what();
      const std::string file = (dir_ / "model.json").string();
      for (size_t at; (at = m.find(file)) != std::string::npos;) m.replace(at, file.size(), "F");
      for (size_t at; (at = m.find(dir_.string())) != std::string::npos;) m.replace(at, dir_.string().size(), "D");
      return m;
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(JsonImport, ConvLayerReadsEveryField) {
  const Model m = import(json::array({conv()}));
  ASSERT_EQ(m.layers.size(), 1u);
  const Layer& l = m.layers[0];
  EXPECT_EQ(l.name, "conv1");
  EXPECT_EQ(l.kind, LayerKind::CONV2D);
  EXPECT_EQ(l.inputs[0].type, ElemType::UINT8);
  EXPECT_EQ(l.inputs[0].shape, (std::vector<int64_t>{1, 3, 10, 9}));
  EXPECT_EQ(l.inputs[0].zero_point, 120);
  EXPECT_EQ(l.kernel_h, 3);
  EXPECT_EQ(l.kernel_w, 3);
  EXPECT_EQ(l.stride_h, 2);
  EXPECT_EQ(l.stride_w, 1);
  EXPECT_EQ(l.pad_top, 1);
  EXPECT_EQ(l.pad_left, 0);
  EXPECT_EQ(l.pad_bottom, 1);
  EXPECT_EQ(l.pad_right, 2);
  EXPECT_EQ(l.output.shape, (std::vector<int64_t>{1, 4, 5, 9}));  // (10+2-3)/2+1, (9+2-3)/1+1
  ASSERT_EQ(l.weights.size(), 108u);
  EXPECT_EQ(l.weights[1], static_cast<int8_t>(37 - 60));
  EXPECT_EQ(l.weight_scales, (std::vector<double>{0.01, 0.02, 0.03, 0.04}));
  EXPECT_EQ(l.bias, (std::vector<int32_t>{-1000, 0, 7, 123456}));
  EXPECT_TRUE(l.relu);
}

TEST_F(JsonImport, LayersChainByTensorName) {
  json pool = {{"name", "pool"}, {"op", "max_pool"}, {"inputs", {"y"}}, {"kernel", {2, 2}}, {"strides", {2, 2}},
               {"output", {{"name", "p"}, {"type", "uint8"}, {"scale", 0.1}, {"zero_point", 3}, {"shape", {1, 4, 2, 4}}}}};
  json add = {{"name", "res"}, {"op", "add"}, {"inputs", {"p", "p"}},
              {"output", {{"name", "s"}, {"type", "uint8"}, {"scale", 0.3}, {"zero_point", 0}}}};
  json gap = {{"name", "gap"}, {"op", "global_avg_pool"}, {"inputs", {"s"}},
              {"output", {{"name", "g"}, {"type", "uint8"}, {"scale", 0.05}, {"zero_point", 1}}}};
  json fc = {{"name", "fc"}, {"op", "dense"},
             {"inputs", {{{"name", "v"}, {"type", "int8"}, {"shape", {2, 4}}, {"scale", 0.5}, {"zero_point", -3}}}},
             {"output", {{"name", "z"}, {"type", "int8"}, {"scale", 0.25}, {"zero_point", 0}}},
             {"weights", "dense.npy"}, {"weight_scales", 0.125}};
  const Model m = import(json::array({conv(), pool, add, gap, fc}));
  ASSERT_EQ(m.layers.size(), 5u);
  EXPECT_EQ(m.layers[1].kind, LayerKind::MAX_POOL);
  EXPECT_EQ(m.layers[1].inputs[0].scale, 0.1);
  EXPECT_EQ(m.layers[2].kind, LayerKind::ADD);
  EXPECT_EQ(m.layers[2].output.shape, (std::vector<int64_t>{1, 4, 2, 4}));
  EXPECT_EQ(m.layers[3].output.shape, (std::vector<int64_t>{1, 4, 1, 1}));
  EXPECT_EQ(m.layers[4].kind, LayerKind::DENSE);
  EXPECT_EQ(m.layers[4].output.shape, (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(m.layers[4].weight_scales, std::vector<double>{0.125});
  EXPECT_TRUE(m.layers[4].bias.empty());
}

// Every kind of layer written by write_layer_json reads back unchanged, chained by tensor name.
TEST_F(JsonImport, WrittenModelsReadBackUnchanged) {
  Model model;
  for (LayerKind kind : {LayerKind::CONV2D, LayerKind::DENSE, LayerKind::ADD, LayerKind::MAX_POOL,
                         LayerKind::GLOBAL_AVG_POOL}) {
    RandomLayerSpec s;
    s.kind = kind;
    s.type = kind == LayerKind::DENSE ? ElemType::INT8 : ElemType::UINT8;
    s.c = 5;
    s.k = 7;
    s.h = 9;
    s.w = 6;
    s.stride = 2;
    s.pad = 1;
    s.per_channel = kind == LayerKind::CONV2D;
    s.relu = kind == LayerKind::CONV2D || kind == LayerKind::DENSE;
    Layer l = random_layer(s, 40 + static_cast<int>(kind));
    l.name = std::string("layer/") + std::to_string(static_cast<int>(kind));
    for (auto& t : l.inputs) t.name += std::to_string(static_cast<int>(kind));
    l.output.name += std::to_string(static_cast<int>(kind));
    model.layers.push_back(l);
  }
  // The pool after the conv reads the conv's output by name.
  model.layers[3].inputs = {model.layers[0].output};
  model.layers[3].output = model.layers[0].output;
  model.layers[3].output.name = "pooled";
  model.layers[3].output.shape = {1, 7, 3, 2};
  const std::string path = (dir_ / "written.json").string();
  write_layer_json(model, path);
  const Model back = import_layer_json_file(path);
  ASSERT_EQ(back.layers.size(), model.layers.size());
  for (size_t i = 0; i < model.layers.size(); ++i) {
    SCOPED_TRACE("layer " + std::to_string(i));
    const Layer &a = back.layers[i], &b = model.layers[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    ASSERT_EQ(a.inputs.size(), b.inputs.size());
    for (size_t t = 0; t < a.inputs.size(); ++t) {
      EXPECT_EQ(a.inputs[t].name, b.inputs[t].name);
      EXPECT_EQ(a.inputs[t].shape, b.inputs[t].shape);
      EXPECT_EQ(a.inputs[t].scale, b.inputs[t].scale);
      EXPECT_EQ(a.inputs[t].zero_point, b.inputs[t].zero_point);
    }
    EXPECT_EQ(a.output.name, b.output.name);
    EXPECT_EQ(a.output.type, b.output.type);
    EXPECT_EQ(a.output.shape, b.output.shape);
    EXPECT_EQ(a.output.scale, b.output.scale);
    EXPECT_EQ(a.output.zero_point, b.output.zero_point);
    EXPECT_EQ(a.kernel_h, b.kernel_h);
    EXPECT_EQ(a.stride_w, b.stride_w);
    EXPECT_EQ(a.pad_bottom, b.pad_bottom);
    EXPECT_EQ(a.weights, b.weights);
    EXPECT_EQ(a.weight_scales, b.weight_scales);
    EXPECT_EQ(a.bias, b.bias);
    EXPECT_EQ(a.relu, b.relu);
  }
}

TEST_F(JsonImport, BadFilesNameTheFileJsonPathAndReason) {
  auto with = [](const char* key, json value) {
    json c = conv();
    c[key] = value;
    return json::array({c});
  };
  auto without = [](const char* key) {
    json c = conv();
    c.erase(key);
    return json::array({c});
  };
  EXPECT_EQ(error(with("dilations", {2, 2})), "F: /layers/0/dilations: unknown key");
  EXPECT_EQ(error(without("weight_scales")), "F: /layers/0/weight_scales: missing required key");
  EXPECT_EQ(error(with("weights", "missing.npy")).rfind("F: /layers/0/weights: D/missing.npy", 0), 0u)
      << error(with("weights", "missing.npy"));
  EXPECT_EQ(error(with("weights", "dense.npy")), "F: /layers/0/weights: shape [5,4] is not [K,3,R,S]");
  EXPECT_EQ(error(with("bias", "w.npy")), "F: /layers/0/bias: 'w.npy' holds int8, expected int32");
  EXPECT_EQ(error(with("weight_scales", {0.1, 0.2})), "F: /layers/0/weight_scales: has 2 values, expected 1 or 4");
  EXPECT_EQ(error(with("weight_scales", -1)), "F: /layers/0/weight_scales: expected a positive number");
  EXPECT_EQ(error(with("pads", {1, 1})), "F: /layers/0/pads: expected an array of 4 integers");
  EXPECT_EQ(error(with("strides", {0, 1})), "F: /layers/0/strides/0: value 0 out of range [1, 64]");
  EXPECT_EQ(error(with("op", "conv3d")),
            "F: /layers/0/op: 'conv3d' is not supported (conv2d, dense, add, max_pool, global_avg_pool)");
  EXPECT_EQ(error(with("relu", "yes")), "F: /layers/0/relu: expected true or false");
  json c = conv();
  c["inputs"][0]["shape"] = {1, 4, 10, 9};
  EXPECT_EQ(error(json::array({c})), "F: /layers/0/weights: shape [4,3,3,3] does not match [K,4,R,S]");
  c = conv();
  c["inputs"][0]["zero_point"] = 300;
  EXPECT_EQ(error(json::array({c})), "F: /layers/0/inputs/0/zero_point: value 300 out of range [0, 255]");
  c = conv();
  c["output"]["shape"] = {1, 4, 5, 8};
  EXPECT_EQ(error(json::array({c})), "F: /layers/0/output: declared shape [1,4,5,8] but the layer produces [1,4,5,9]");
  c = conv();
  c["inputs"] = {"nothing"};
  EXPECT_EQ(error(json::array({c})), "F: /layers/0/inputs/0: 'nothing' is not an earlier layer's output");
  json pool = {{"name", "pool"}, {"op", "max_pool"}, {"inputs", {"y"}}, {"kernel", {2, 2}},
               {"output", {{"name", "p"}, {"type", "uint8"}, {"scale", 0.2}, {"zero_point", 3}}}};
  EXPECT_EQ(error(json::array({conv(), pool})),
            "F: /layers/1/output: max_pool keeps its input's quantization: type, scale and zero_point must equal the input's");
  EXPECT_EQ(error(json::array()), "F: /layers: expected a non-empty array of layers");
}

TEST_F(JsonImport, InvalidJsonAndUnknownFormatsAreErrors) {
  const std::string path = (dir_ / "bad.json").string();
  std::ofstream(path) << "{\"layers\": [";
  EXPECT_THROW(import_layer_json_file(path), ImportError);
  EXPECT_THROW(import_model_file((dir_ / "model.txt").string()), ImportError);
  EXPECT_THROW(import_layer_json_file((dir_ / "none.json").string()), ImportError);
}

TEST_F(JsonImport, HugeShapesAndCorruptWeightFilesAreErrors) {
  json c = conv();
  c["inputs"][0]["shape"] = {16777216, 3, 16777216, 16777216};
  EXPECT_EQ(error(json::array({c})),
            "F: /layers/0: input 'x' has shape [16777216,3,16777216,16777216] (1 to 2^31 elements allowed)");
  std::ofstream((dir_ / "w.npy").string(), std::ios::trunc) << "\x93NUMPY garbage";
  EXPECT_EQ(error(json::array({conv()})).rfind("F: /layers/0/weights: D/w.npy", 0), 0u) << error(json::array({conv()}));
}

// Truncated and byte-mutated descriptions either import or throw ImportError; nothing else escapes.
TEST_F(JsonImport, MutatedDescriptionsNeverCrash) {
  const std::string good = json{{"layers", {conv()}}}.dump();
  std::mt19937_64 rng(5);
  const char replacements[] = "{}[]\":,0123456789-.e truefalsn";
  size_t errors = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string text = good;
    if (i % 4 == 0) {
      text.resize(rng() % text.size());
    } else {
      for (int n = 1 + i % 3; n > 0; --n) text[rng() % text.size()] = replacements[rng() % (sizeof replacements - 1)];
    }
    try {
      import_layer_json(text, "fuzz.json", dir_.string());
    } catch (const ImportError& e) {
      ++errors;
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.json: ", 0), 0u) << e.what();
    }
  }
  EXPECT_GT(errors, 1000u);
}

}  // namespace
}  // namespace tessera::compiler
