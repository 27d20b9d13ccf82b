// tessera_random_layer: writes a random quantized layer as .onnx or .json (+ .npy) and random inputs,
// for trying the compiler by hand and for benchmarks.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>

#include "compiler/import/import_error.h"
#include "compiler/import/json_export.h"
#include "compiler/import/onnx_export.h"
#include "compiler/import/random_layer.h"
#include "isa/npy.h"

int main(int argc, char** argv) {
  using namespace tessera;
  using namespace tessera::compiler;
  CLI::App app{"Write a random quantized layer as ONNX or JSON, plus random input tensors"};
  RandomLayerSpec s;
  std::vector<int64_t> shape = {1, 16, 14, 14};
  bool no_bias = false, qdq = false;
  uint64_t seed = 1;
  std::string out, inputs_dir;
  const std::map<std::string, LayerKind> kinds = {{"conv2d", LayerKind::CONV2D}, {"dense", LayerKind::DENSE},
                                                  {"add", LayerKind::ADD}, {"max_pool", LayerKind::MAX_POOL},
                                                  {"global_avg_pool", LayerKind::GLOBAL_AVG_POOL}};
  const std::map<std::string, ElemType> types = {{"int8", ElemType::INT8}, {"uint8", ElemType::UINT8}};
  app.add_option("--kind", s.kind, "layer kind")->transform(CLI::CheckedTransformer(kinds));
  app.add_option("--type", s.type, "activation type")->transform(CLI::CheckedTransformer(types));
  app.add_option("--shape", shape, "input shape: N C H W (N C for dense)")->delimiter(',');
  app.add_option("--out-channels", s.k, "K of conv2d/dense")->check(CLI::Range(1, 1 << 16));
  app.add_option("--kernel", s.kernel, "square kernel size")->check(CLI::Range(1, 64));
  app.add_option("--stride", s.stride, "stride")->check(CLI::Range(1, 64));
  app.add_option("--pad", s.pad, "padding on every side")->check(CLI::Range(0, 64));
  app.add_flag("--per-channel", s.per_channel, "one weight scale per output channel");
  app.add_flag("--no-bias", no_bias, "leave out the bias");
  app.add_flag("--relu", s.relu, "fused ReLU (conv2d, dense, add)");
  app.add_flag("--qdq", qdq, "ONNX QDQ form (DequantizeLinear -> Conv/Gemm -> QuantizeLinear) instead of QLinearConv/QLinearMatMul");
  app.add_option("--seed", seed, "random seed");
  app.add_option("-o,--output", out, "model file: .onnx, or .json (weights go next to it)")->required();
  app.add_option("--inputs-dir", inputs_dir, "also write each input as DIR/<name>.npy");
  CLI11_PARSE(app, argc, argv);
  try {
    const bool dense = s.kind == LayerKind::DENSE;
    if (shape.size() != (dense ? 2u : 4u)) throw ImportError("--shape needs " + std::string(dense ? "2" : "4") + " values");
    for (int64_t d : shape)
      if (d < 1 || d > (1 << 20)) throw ImportError("--shape values must be in 1..2^20");
    s.n = shape[0];
    s.c = shape[1];
    s.h = dense ? 1 : shape[2];
    s.w = dense ? 1 : shape[3];
    s.bias = !no_bias && (s.kind != LayerKind::DENSE || qdq);  // QLinearMatMul has no bias input
    const Layer layer = random_layer(s, seed);
    const std::string ext = std::filesystem::path(out).extension().string();
    if (ext == ".onnx") write_onnx_file(Model{out, {layer}}, out, qdq ? OnnxForm::QDQ : OnnxForm::QLINEAR);
    else if (ext == ".json") write_layer_json(Model{out, {layer}}, out);
    else throw ImportError(out + ": the output must end in .onnx or .json");
    for (size_t i = 0; !inputs_dir.empty() && i < layer.inputs.size(); ++i) {
      const QTensor& t = layer.inputs[i];
      int64_t count = 1;
      for (int64_t d : t.shape) count *= d;
      NpyArray a{t.type == ElemType::UINT8 ? NpyDType::UINT8 : NpyDType::INT8, t.shape, {}};
      for (int32_t v : random_values(t.type, static_cast<size_t>(count), seed + 1 + i)) a.data.push_back(static_cast<uint8_t>(v));
      std::filesystem::create_directories(inputs_dir);
      write_npy_file(a, inputs_dir + "/" + t.name + ".npy");
    }
  } catch (const std::exception& e) {
    std::cerr << "tessera_random_layer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
