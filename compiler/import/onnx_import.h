// ONNX importer: quantized single layers (QLinearConv [+ DQ->Relu->Q], QLinearMatMul, QDQ Conv,
// QLinearAdd, MaxPool, QLinearGlobalAveragePool) matched as patterns over the graph.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/import/import_error.h"
#include "compiler/layer.h"

namespace tessera::compiler {

// Throws ImportError naming the file, node, op and attribute for anything malformed or unsupported.
Model import_onnx(const std::vector<uint8_t>& bytes, const std::string& origin);
Model import_onnx_file(const std::string& path);

}  // namespace tessera::compiler
