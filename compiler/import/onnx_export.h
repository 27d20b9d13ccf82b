// Writes layers as a quantized ONNX model (QLinearConv [+ DQ->Relu->Q], QLinearMatMul, QLinearAdd,
// MaxPool, QLinearGlobalAveragePool), e.g. so tests can feed onnxruntime and the importer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/layer.h"

namespace tessera::compiler {

// QLINEAR uses the QLinear* operators; QDQ (conv2d and dense) writes DequantizeLinear -> Conv or
// Gemm [-> Relu] -> QuantizeLinear, the form onnxruntime's quantization tools produce.
enum class OnnxForm { QLINEAR, QDQ };

// Throws ImportError for a layer the form cannot express (QLINEAR: a dense layer with a bias; QDQ:
// anything but conv2d and dense).
// Layers connect by tensor name: graph inputs are the tensors no layer produces, graph outputs those
// no later layer consumes.
std::vector<uint8_t> export_onnx(const Model& model, OnnxForm form = OnnxForm::QLINEAR);
std::vector<uint8_t> export_onnx(const Layer& layer, OnnxForm form = OnnxForm::QLINEAR);
void write_onnx_file(const Model& model, const std::string& path, OnnxForm form = OnnxForm::QLINEAR);

}  // namespace tessera::compiler
