// Lowering of the ALU-only layers: residual add and max-pool (activations loaded with ACC_8BIT).
#pragma once

#include "compiler/act_buffer.h"
#include "compiler/layer.h"
#include "compiler/program_builder.h"
#include "compiler/requant.h"

namespace tessera::compiler {

// Activation buffers planned by the caller (a network), in ACC_8BIT blocking; without them the
// layer's tensors become the program's I/O tensors, packed without halos (max-pool input: its padding).
struct EltwiseIO {
  std::vector<ActBuffer> in;
  ActBuffer out;
};

// The layer's tensors as program I/O tensors, packed without halos except a max-pool input, whose
// padding becomes a halo of the type's minimum (what the lowerings below use when `io` is null).
EltwiseIO place_eltwise_io(const Layer& layer, ProgramBuilder& b);

// y = clamp(round((a - za) * sa/sy + (b - zb) * sb/sy) + zy): both terms scaled by 32-bit
// multipliers in one fixed-point domain, then one rounding shift (VTA ops only, either target).
void lower_add(const Layer& layer, ProgramBuilder& b, const EltwiseIO* io = nullptr);

// How lower_max_pool tiles a layer (also what the cycle estimate reads). 3x3 stride-2 windows go
// separably (horizontal, then vertical max, in place), in bands of `rows` output rows loading
// columns 0..2*ow of the 2*rows+1 input rows at SRAM pitch `pitch`; other windows take every tap
// per output vector, in bands of `rows` output rows loading whole rows (`cols` = `pitch` = wp).
struct MaxPoolPlan {
  bool separable = false;
  int64_t planes = 0, hp = 0, wp = 0, oh = 0, ow = 0;  // padded input, output
  int64_t rows = 0, bands = 0;                          // output rows per band, bands per plane
  int64_t cols = 0, pitch = 0;                          // input columns loaded per row, SRAM row pitch
};
MaxPoolPlan plan_max_pool(const Layer& layer, const DerivedConfig& cfg);

// Max over each window; the input halo holds the type's minimum so padding never wins. Output
// scale and zero point must equal the input's (ONNX MaxPool does not requantize). No ALU reset (VTA
// ignores it): the first tap is a MOV on TESSERA, and on VTA the destination is first MINed with
// -128 (every device value is >= -128) and then MAXed with every tap.
void lower_max_pool(const Layer& layer, ProgramBuilder& b, const EltwiseIO* io = nullptr,
                    IsaTarget isa = IsaTarget::VTA);

// The mean over each channel's H x W plane on the vector ALU: one ADD loop sums a plane's vectors,
// then (sum - HW*zx) * x_scale/(HW*y_scale) in fixed point, rounded, plus zy, clamped. The output
// must have no halo (its consumer is a dense layer).
void lower_global_avg_pool(const Layer& layer, ProgramBuilder& b, const EltwiseIO& io);

// Writes device byte `value` into every halo element of `buf`: a producer refills its output's
// halo, so a DRAM buffer reused by tensors of other zero points stays correct. Self-contained:
// compute waits for these stores before it touches the ACC SRAM again.
void fill_halo(const ActBuffer& buf, int32_t value, const std::string& who, ProgramBuilder& b);

}  // namespace tessera::compiler
