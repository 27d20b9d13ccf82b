// Random quantized networks: an architecture as a list of layer specs, a float forward pass that
// calibrates it (random_network_model.cc), and one writer for onnxruntime's QOperator and QDQ formats
// (random_network_onnx.cc).
#include "compiler/import/random_network.h"

#include <cstring>
#include <random>

#include "compiler/import/import_error.h"
#include "compiler/import/random_network_model.h"

namespace tessera::compiler {

using namespace random_net;

const std::map<std::string, NetworkArch>& network_archs() {
  static const std::map<std::string, NetworkArch> archs = [] {
    std::map<std::string, NetworkArch> m;
    for (NetworkArch a : {NetworkArch::RESNET18, NetworkArch::RESNET_ODD, NetworkArch::VGG_ODD, NetworkArch::TINY,
                          NetworkArch::MOBILENETV2})
      m[network_arch_name(a)] = a;
    return m;
  }();
  return archs;
}

const char* network_arch_name(NetworkArch arch) {
  switch (arch) {
    case NetworkArch::RESNET18: return "resnet18";
    case NetworkArch::RESNET_ODD: return "resnet_odd";
    case NetworkArch::VGG_ODD: return "vgg_odd";
    case NetworkArch::TINY: return "tiny";
    case NetworkArch::MOBILENETV2: return "mobilenetv2";
  }
  return "?";
}

RandomNetwork random_network(const NetworkSpec& spec) {
  const std::string arch = network_arch_name(spec.arch);
  if (spec.input_size < 1 || spec.input_size > 4096) throw ImportError(arch + ": the input size must be in 1..4096");
  if (spec.classes < 1 || spec.classes > 100000) throw ImportError(arch + ": the class count must be in 1..100000");
  const std::vector<LayerSpec> layers = architecture(spec.arch, spec.classes);

  // Shapes first, so a too small input fails before any work.
  std::vector<std::vector<int64_t>> shapes = {{1, 3, spec.input_size, spec.input_size}};
  for (const LayerSpec& l : layers) {
    std::vector<std::vector<int64_t>> in;
    for (int v : l.inputs) in.push_back(shapes[static_cast<size_t>(v)]);
    try {
      shapes.push_back(output_shape(l, in, node_name(l.scope, onnx_op(l.op))));
    } catch (const ImportError& e) {
      throw ImportError(arch + ": input size " + std::to_string(spec.input_size) + " is too small: " + e.what());
    }
  }

  std::mt19937_64 rng(spec.seed);
  std::vector<Tensor> values(1);
  values[0].shape = shapes[0];
  std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);
  values[0].v.resize(static_cast<size_t>(count(shapes[0])));
  for (float& v : values[0].v) v = pixel(rng);

  const std::vector<std::string> names = value_names(layers, spec.softmax);
  std::vector<Params> params;
  std::vector<Quant> quant = {calibrate(values[0], spec.type, "input")};
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    const int x = l.inputs[0];
    params.push_back(l.op == Op::CONV || l.op == Op::GEMM ? random_params(l, shapes[x][1], rng) : Params{});
    std::vector<const Tensor*> in;
    for (int v : l.inputs) in.push_back(&values[static_cast<size_t>(v)]);
    if (l.batch_norm) normalize_outputs(l, in, params.back(), shapes[i + 1]);
    values.push_back(forward(l, in, params.back(), shapes[i + 1]));
    const bool keeps_quant = l.op == Op::MAX_POOL || l.op == Op::FLATTEN;
    quant.push_back(keeps_quant ? quant[static_cast<size_t>(x)] : calibrate(values.back(), spec.type, names[i + 1]));
  }

  RandomNetwork net = write_network(spec, layers, names, values, params, quant);
  net.input.dtype = NpyDType::FLOAT32;
  net.input.shape = shapes[0];
  net.input.data.resize(values[0].v.size() * sizeof(float));
  std::memcpy(net.input.data.data(), values[0].v.data(), net.input.data.size());
  return net;
}

}  // namespace tessera::compiler
