// Plain-loop reference for quantized layers with ONNX arithmetic (QLinearConv, QLinearMatMul,
// QLinearAdd, MaxPool, QLinearGlobalAveragePool), written independently of the compiler.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/layer.h"

namespace tessera::reference {

// Quantized values in C order, held as int32 whatever the element type.
using QValues = std::vector<int32_t>;

// saturate(round_half_to_even(value) + zero_point) into the range of `type`.
int32_t quantize(double value, int32_t zero_point, compiler::ElemType type);

QValues conv2d(const compiler::Layer& l, const QValues& x);
QValues dense(const compiler::Layer& l, const QValues& x);
QValues add(const compiler::Layer& l, const QValues& a, const QValues& b);
QValues max_pool(const compiler::Layer& l, const QValues& x);
QValues global_avg_pool(const compiler::Layer& l, const QValues& x);

// Dispatches on l.kind; `inputs` has one tensor, or two for ADD.
QValues run_layer(const compiler::Layer& l, const std::vector<QValues>& inputs);

// Runs the layers in order; `tensors` starts with the model inputs by name and gains every layer's
// output. Throws std::invalid_argument when a layer's input is missing.
void run_model(const compiler::Model& model, std::map<std::string, QValues>& tensors);

}  // namespace tessera::reference
