// ONNX importer: quantized single layers (QLinearConv [+ DQ->Relu->Q], QLinearMatMul, QDQ Conv,
// QLinearAdd, MaxPool, QLinearGlobalAveragePool) matched as patterns over the graph.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/import/import_error.h"
#include "compiler/layer.h"
#include "compiler/network/graph.h"

namespace tessera::compiler {

// Throws ImportError naming the file, node, op and attribute for anything malformed or unsupported.
Model import_onnx(const std::vector<uint8_t>& bytes, const std::string& origin);
Model import_onnx_file(const std::string& path);

// A whole network: every node matched as a quantized layer (QOperator or QDQ form), a quantized
// reshape, or a host operator; graph inputs may be float (quantized on the host). Throws
// ImportError naming the node and op for anything neither the accelerator nor the host can run.
Network import_onnx_network(const std::vector<uint8_t>& bytes, const std::string& origin);
Network import_onnx_network_file(const std::string& path);

// The file's bytes, refusing anything above the parser's size limit.
std::vector<uint8_t> read_model_file(const std::string& path);

}  // namespace tessera::compiler
