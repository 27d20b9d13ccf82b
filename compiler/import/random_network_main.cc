// tessera_random_network: writes a random, calibrated, quantized network as onnxruntime's static
// quantizer would (QOperator or QDQ), with the float input it was calibrated on.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "compiler/import/import_error.h"
#include "compiler/import/layer_shapes.h"
#include "compiler/import/random_network.h"

int main(int argc, char** argv) {
  using namespace tessera;
  using namespace tessera::compiler;
  CLI::App app{"Write a random quantized network (ResNet-18 and smaller odd-shaped nets) as ONNX, plus its float input"};
  NetworkSpec s;
  std::string out, input, qparams;
  const std::map<std::string, NetworkForm> forms = {{"qoperator", NetworkForm::QOPERATOR}, {"qdq", NetworkForm::QDQ}};
  const std::map<std::string, ElemType> types = {{"int8", ElemType::INT8}, {"uint8", ElemType::UINT8}};
  app.add_option("--arch", s.arch, "architecture")->required()->transform(CLI::CheckedTransformer(network_archs()));
  app.add_option("--form", s.form, "onnxruntime's quantization format")->required()->transform(CLI::CheckedTransformer(forms));
  app.add_option("--type", s.type, "activation type (weights are per-channel int8)")->required()->transform(CLI::CheckedTransformer(types));
  app.add_option("--input-size", s.input_size, "height and width of the [1,3,S,S] input")->check(CLI::Range(1, 4096));
  app.add_option("--classes", s.classes, "outputs of the final Gemm")->check(CLI::Range(1, 100000));
  app.add_flag("--softmax", s.softmax, "append a float Softmax after the final DequantizeLinear");
  app.add_flag("--all-outputs", s.all_outputs, "make every intermediate tensor a graph output too (for run_onnx.js --dump-dir)");
  app.add_option("--seed", s.seed, "random seed");
  app.add_option("-o,--output", out, "model file (.onnx)")->required();
  app.add_option("--input", input, "write the float32 input the network was calibrated on (.npy)")->required();
  app.add_option("--quant-params", qparams, "write each quantized tensor's type, scale and zero point (.json)");
  CLI11_PARSE(app, argc, argv);
  try {
    const RandomNetwork net = random_network(s);
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(net.onnx.data()), static_cast<std::streamsize>(net.onnx.size()));
    if (!f.flush()) throw ImportError(out + ": cannot write file");
    write_npy_file(net.input, input);
    if (!qparams.empty()) {
      nlohmann::ordered_json j = nlohmann::ordered_json::object();
      for (const QuantizedTensor& q : net.quantized)
        j[q.name] = {{"type", elem_type_name(q.type)}, {"scale", q.scale}, {"zero_point", q.zero_point}};
      std::ofstream p(qparams);
      p << j.dump(1) << "\n";
      if (!p.flush()) throw ImportError(qparams + ": cannot write file");
    }
  } catch (const std::exception& e) {
    std::cerr << "tessera_random_network: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
