// Lowering of the ALU-only layers: residual add and max-pool (activations loaded with ACC_8BIT).
#pragma once

#include "compiler/layer.h"
#include "compiler/program_builder.h"
#include "compiler/requant.h"

namespace tessera::compiler {

// y = clamp(round((a - za) * sa/sy + (b - zb) * sb/sy) + zy): both terms scaled by 32-bit
// multipliers in one fixed-point domain, then one rounding shift (VTA ops only, either target).
void lower_add(const Layer& layer, ProgramBuilder& b);

// Max over each window; the input halo holds the type's minimum so padding never wins. Output
// scale and zero point must equal the input's (ONNX MaxPool does not requantize).
void lower_max_pool(const Layer& layer, ProgramBuilder& b);

}  // namespace tessera::compiler
