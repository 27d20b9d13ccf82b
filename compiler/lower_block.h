// Lowering of a fused inverted-residual block (compiler/conv_block.h) with a legal schedule.
#pragma once

#include "compiler/act_buffer.h"
#include "compiler/conv_block.h"
#include "compiler/program_builder.h"

namespace tessera::compiler {

// `in` must carry a halo covering the depthwise conv's padding (its values are never used: the
// block overwrites the expanded window's border with the expanded tensor's zero point) and a row of
// slack; it is also the residual add's skip. TESSERA ISA only (STORE OUT_TO_INP, REQ, depthwise GEMM).
void lower_block(const ConvBlock& blk, const BlockSchedule& s, ProgramBuilder& b, const ActBuffer& in,
                 const ActBuffer& out);

}  // namespace tessera::compiler
