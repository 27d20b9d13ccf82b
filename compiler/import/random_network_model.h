// Internal to tessera_random_network's library code: the architectures and their float model
// (random_network_model.cc) and the ONNX writer for onnxruntime's two formats (random_network_onnx.cc).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "compiler/import/random_network.h"

namespace tessera::compiler::random_net {

enum class Op { CONV, MAX_POOL, ADD, GLOBAL_AVG_POOL, FLATTEN, GEMM };

// One layer, named after the PyTorch module computing it so node and tensor names look like those of
// a model exported from torchvision and then quantized.
struct LayerSpec {
  Op op = Op::CONV;
  std::string scope;        // module path ("layer1.0.conv1"); for Add the block's path
  std::string relu;         // module path of a ReLU (ReLU6 when `relu6`) applied to the output, or empty
  std::vector<int> inputs;  // value ids: 0 is the graph input, layer i produces value i + 1
  int channels = 0;         // output channels of CONV and GEMM
  int kernel = 1, stride = 1, pad = 0;
  int group = 1;            // CONV: channel groups (depthwise: the input's channels)
  bool relu6 = false;       // the activation is ReLU6, exported as Clip(0, 6)
  bool batch_norm = false;  // CONV: a folded batch norm normalizes each output channel (normalize_outputs)
};


struct Tensor {
  std::vector<int64_t> shape;  // batch 1: [1, C, H, W] or [1, C]
  std::vector<float> v;
};

// Weights and bias of a CONV or GEMM layer: [K, C, R, S] or [N, K] like PyTorch's.
struct Params {
  std::vector<int64_t> dims;
  std::vector<float> w, b;
};

// An activation's quantization and the tensor whose "_scale"/"_zero_point" initializers hold it:
// MaxPool and Flatten outputs share their input's, as onnxruntime writes them.
struct Quant {
  float scale = 1.0f;
  int32_t zero_point = 0;
  std::string owner;
};

int64_t count(const std::vector<int64_t>& shape);

// The layers of `arch`, ending in GlobalAveragePool, Flatten and a Linear of `classes` outputs.
std::vector<LayerSpec> architecture(NetworkArch arch, int classes);
const char* onnx_op(Op op);
// PyTorch's exporter scopes: "layer1.0.downsample.0" + "Conv" -> "/layer1/layer1.0/downsample/downsample.0/Conv".
std::string node_name(const std::string& scope, const char* op);
// The output shape, or an ImportError naming the layer when the input is too small for it.
std::vector<int64_t> output_shape(const LayerSpec& l, const std::vector<std::vector<int64_t>>& in, const std::string& node);
// He-normal weights (gain 1 for the final Linear, whose output has no ReLU) and small uniform biases.
Params random_params(const LayerSpec& l, int64_t in_channels, std::mt19937_64& rng);
// A batch norm folded into a CONV the way a trained network carries it: weights and bias rescaled so
// that each output channel has mean `beta` (the random bias) and standard deviation 1 before the
// activation over the calibration input. Without it random MobileNetV2 weights let ReLU6 clip most
// values, and the clipped ranges amplify one-LSB rounding differences layer after layer.
void normalize_outputs(const LayerSpec& l, const std::vector<const Tensor*>& in, Params& p, const std::vector<int64_t>& shape);
// The float reference of one layer, in plain loops.
Tensor forward(const LayerSpec& l, const std::vector<const Tensor*>& in, const Params& p, std::vector<int64_t> shape);
// Each value's float tensor name: the graph input, then what each layer (or its ReLU) writes; the final
// layer writes "output" unless a Softmax follows.
std::vector<std::string> value_names(const std::vector<LayerSpec>& layers, bool softmax);
// onnxruntime's MinMax calibration: the range widened to include 0, spread over the whole type range.
Quant calibrate(const Tensor& t, ElemType type, const std::string& owner);

// The calibrated network in `spec.form`; value v's float tensor is names[v], its quantization quant[v].
RandomNetwork write_network(const NetworkSpec& spec, const std::vector<LayerSpec>& layers, std::vector<std::string> names,
                            const std::vector<Tensor>& values, const std::vector<Params>& params,
                            const std::vector<Quant>& quant);

}  // namespace tessera::compiler::random_net
