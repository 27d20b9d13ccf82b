// Lowering of one conv or dense layer, with a given legal schedule, into a ProgramBuilder.
#pragma once

#include "compiler/act_buffer.h"
#include "compiler/conv_geometry.h"
#include "compiler/program_builder.h"
#include "compiler/requant.h"
#include "compiler/schedule.h"

namespace tessera::compiler {

// Activation buffers planned by the caller (a network): the input's halo must cover the layer's
// padding (and hold the input zero point), and one input row of slack must follow it (edge tiles
// read whole rows). `skip` is the fused residual add's other operand (layers with `residual`).
struct ConvIO {
  ActBuffer in, out, skip;
};

// Places the packed weights, biases and multipliers (and, without `io`, the input and output as
// the program's I/O tensors) and emits the double-buffered tile pipeline (see docs/compiler.md).
// The schedule must be legal (schedule_issues() empty); the builder checks the micro-op buffer and tokens.
void lower_conv(const Layer& layer, const ConvGeometry& g, const Schedule& s, const RequantPlan& q, IsaTarget isa,
                ProgramBuilder& b, const ConvIO* io = nullptr);

// Weights as WGT elements [kb][cbg][r][s] (in the depthwise mode a block's taps as rows), and one
// ACC vector per output-channel block holding per-channel values (replicated over the batch lanes).
std::vector<uint8_t> pack_conv_weights(const Layer& l, const ConvGeometry& g, const DerivedConfig& cfg);
std::vector<uint8_t> pack_channel_vectors(const std::vector<int32_t>& v, const ConvGeometry& g, const DerivedConfig& cfg);

// A fused residual add's ALU passes over `vectors` ACC vectors: the conv's requantized output at
// `acc`, the skip tile at `skip`, the add's constant operand at `consts`; returns the instructions.
std::vector<size_t> emit_residual_add(ProgramBuilder& b, const AddRequant& add, bool skip_first, int64_t acc,
                                      int64_t skip, int64_t vectors, int64_t consts, const std::string& where);

// Blocked layout names written to the I/O table: "NCHW<batch>n<block>c", a dense layer's
// "NC<batch>n<block>c", and a "_pad<top>_<left>_<bottom>_<right>" suffix for a halo.
std::string blocked_layout(bool dense, int batch, int block, const ConvGeometry* halo);

}  // namespace tessera::compiler
