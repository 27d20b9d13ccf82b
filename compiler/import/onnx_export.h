// Writes a Layer as a single-layer quantized ONNX model (QLinearConv [+ DQ->Relu->Q], QLinearMatMul,
// QLinearAdd, MaxPool, QLinearGlobalAveragePool), e.g. so tests can feed onnxruntime and the importer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/layer.h"

namespace tessera::compiler {

// Throws ImportError for a layer ONNX cannot express this way (a dense layer with a bias).
std::vector<uint8_t> export_onnx(const Layer& layer);
void write_onnx_file(const Layer& layer, const std::string& path);

}  // namespace tessera::compiler
