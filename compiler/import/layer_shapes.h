// Output shapes of quantized layers, computed from their input shapes and geometry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/layer.h"

namespace tessera::compiler {

// One output extent of a windowed op (floor mode); <= 0 when the window does not fit.
int64_t window_output_extent(int64_t in, int kernel, int stride, int pad_begin, int pad_end);

// The output shape a layer produces from its inputs' shapes; throws ImportError (prefixed with
// `where`) when the inputs do not fit the layer's kind and geometry.
std::vector<int64_t> layer_output_shape(const Layer& layer, const std::string& where);

std::string shape_string(const std::vector<int64_t>& shape);  // "[1,3,32,32]"
const char* elem_type_name(ElemType t);                       // "int8", "uint8"
int32_t elem_min(ElemType t);
int32_t elem_max(ElemType t);

}  // namespace tessera::compiler
