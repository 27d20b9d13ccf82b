// Random whole networks (ResNet-18, MobileNetV2 1.0 and smaller odd-shaped nets) quantized as onnxruntime's static quantizer writes them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/layer.h"
#include "isa/npy.h"

namespace tessera::compiler {

enum class NetworkArch { RESNET18, RESNET_ODD, VGG_ODD, TINY, MOBILENETV2 };

// QOPERATOR: QLinearConv, QLinearAdd, QLinearGlobalAveragePool, QGemm with ReLUs fused into the output
// ranges; QDQ: float ops between DequantizeLinear and QuantizeLinear pairs.
enum class NetworkForm { QOPERATOR, QDQ };

struct NetworkSpec {
  NetworkArch arch = NetworkArch::TINY;
  NetworkForm form = NetworkForm::QOPERATOR;
  ElemType type = ElemType::UINT8;  // activations; weights are always per-channel symmetric int8
  int input_size = 224;             // the input is [1, 3, input_size, input_size]
  int classes = 1000;
  bool softmax = false;      // a float Softmax after the final DequantizeLinear
  bool all_outputs = false;  // every intermediate tensor is also a graph output, for dumping
  uint64_t seed = 1;
};

// An activation tensor that is quantized in the written graph, as it is named there.
struct QuantizedTensor {
  std::string name;
  ElemType type = ElemType::UINT8;
  double scale = 1.0;
  int32_t zero_point = 0;
};

struct RandomNetwork {
  std::vector<uint8_t> onnx;  // the serialized model: float "input" -> float "output" [1, classes]
  NpyArray input;             // float32, uniform in [-1, 1], the tensor the calibration ran on
  std::vector<QuantizedTensor> quantized;
};

// Weights are He-initialized; activation scales and zero points come from a float forward pass over
// `input`, calibrated like onnxruntime's MinMax calibrator. Throws ImportError when the input size is
// too small for the architecture.
RandomNetwork random_network(const NetworkSpec& spec);

const char* network_arch_name(NetworkArch arch);  // "resnet18", "resnet_odd", "vgg_odd", "tiny", "mobilenetv2"
// Every architecture by its name (the generator's --arch, sweep specs and regress suites).
const std::map<std::string, NetworkArch>& network_archs();

}  // namespace tessera::compiler
