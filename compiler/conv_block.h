// A fused inverted-residual block (MobileNetV2): its layers, tile schedule, on-chip buffers and legality.
//
// [1x1 expand] -> depthwise (stride 1, the GEMM core's depthwise mode) -> 1x1 project [+ residual add]
// runs per output tile with the expanded tensors kept on chip: the expand's requantized output goes
// to the input SRAM (STORE OUT_TO_INP) for the depthwise GEMM, whose output goes there again for the
// projection, which accumulates over chunks of `tile_e` expanded channel blocks. Only the block's
// input, output (and the skip tile, once more) cross DRAM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/act_buffer.h"
#include "compiler/conv_geometry.h"
#include "compiler/layer.h"
#include "isa/config.h"

namespace tessera::compiler {

struct ConvBlock {
  std::optional<Layer> expand;  // absent when the block starts with the depthwise conv (t = 1)
  Layer depthwise, project;     // project may carry the fused residual add
  std::string name() const { return (expand ? expand->name : depthwise.name) + ".." + project.name; }
  const QTensor& input() const { return expand ? expand->inputs[0] : depthwise.inputs[0]; }
  const QTensor& output() const { return project.residual ? project.residual->sum : project.output; }
  std::vector<const Layer*> layers() const {  // in execution order
    std::vector<const Layer*> v;
    if (expand) v.push_back(&*expand);
    v.push_back(&depthwise), v.push_back(&project);
    return v;
  }
};

struct BlockSchedule {
  int64_t tile_h = 1, tile_w = 1;  // output rows and columns per tile
  int64_t tile_e = 1;              // expanded channel blocks per chunk
  // 2: the on-chip buffers are double-buffered (chunk k+1's expansion and chunk k-1's projection run
  // while the store unit copies chunk k's), 1: single, every phase waits for the copy before it.
  int64_t bufs = 2;
  // 1 (with bufs 2): the GEMM and ALU pipes overlap (the overlap flag): the expansion's accumulators
  // in ACC bank 0, the depthwise and projection ones in bank 1, each phase running GEMMs of one bank
  // beside ALU work of the other.
  int64_t overlap = 0;
  bool operator==(const BlockSchedule& o) const {
    return tile_h == o.tile_h && tile_w == o.tile_w && tile_e == o.tile_e && bufs == o.bufs && overlap == o.overlap;
  }
};
std::string block_schedule_json(const BlockSchedule& s);

// Extents in elements and blocks, and where each buffer of a schedule lives in the SRAMs (element
// indices). Per tile: the expanded window of er x ec vectors per block (the depthwise kernel's halo
// around th x tw outputs), the depthwise output at the window's row pitch (dw_blk vectors per block,
// whole groups), the projection's tile at the tile's own pitch.
struct BlockPlan {
  // The depthwise conv as the depthwise mode computes it (dw_rows set, stride 1). Stride 2 splits the
  // expanded window into four sub-images by row and column parity (`sub` vectors each, rows `sp`
  // apart: sub-image 2 * (y % 2) + x % 2 holds window position (y, x) at (y / 2) * sp + x / 2), so
  // every tap again reads consecutive vectors: output (oy, ox) at oy * sp + ox.
  ConvGeometry dw;
  int64_t stride = 1, oh = 0, ow = 0;  // the block's stride and output extents
  int64_t span1(int64_t n) const { return stride * (n - 1) + 1; }  // window positions n outputs span, less the kernel's
  int64_t sub = 0, sp = 0;             // stride 2: sub-image vectors and row pitch
  int64_t win = 0;                     // ACC vectors of one block's expanded window (er * ec, or 4 * sub)
  int64_t dpitch = 0;                  // row pitch of the depthwise output (ec, or sp)
  int64_t cb = 0, eb = 0, kb = 0; // input, expanded and output channel blocks
  int64_t h = 0, w = 0;           // the block's input image
  int64_t th = 0, tw = 0, te = 0, er = 0, ec = 0, chunks = 0, bufs = 1;
  int64_t prj_bufs = 1;  // copies of the projection tile: bufs, with overlap at most one per tile
  bool overlap = false;
  int64_t dw_blk = 0, dw_set = 0;  // ACC vectors per block of the depthwise tile; INP vectors its taps read
  int64_t wgt_exp = 0, wgt_dw = 0, wgt_prj = 0;  // WGT elements of one chunk per conv
  bool resident_weights = false;  // every chunk's weights fit the WGT SRAM at once: loaded once
  // ACC: constants (bias and multipliers per conv, the add's operand), then the buffers (`bufs` copies
  // each, copy i at base + i * size; the skip tile sits after its projection tile). With overlap the
  // depthwise and projection constants and buffers start at the upper bank (ACC depth / 2).
  int64_t acc_exp_bias = 0, acc_exp_mult = 0, acc_dw_bias = 0, acc_dw_mult = 0, acc_prj_bias = 0, acc_prj_mult = 0;
  int64_t acc_res = 0, acc_exp = 0, acc_dw = 0, acc_prj = 0, acc_skip = 0, acc_used = 0;
  // One copy each; without overlap acc_prj's holds the skip tile too, with overlap the skip tiles sit
  // in bank 0 (acc_skip, prj_bufs copies of kb * th * tw) and the fused add's passes wait for both pipes.
  int64_t acc_exp_size = 0, acc_dw_size = 0, acc_prj_size = 0;
  int64_t acc_bank1_used = 0;  // with overlap: vectors used from ACC depth / 2 on
  // INP: the block input window (with an expand), the expanded window, the depthwise output.
  int64_t inp_x = 0, inp_e = 0, inp_d = 0, inp_used = 0, inp_e_size = 0, inp_d_size = 0;
  // WGT: the depthwise weights of every region first (a depthwise micro-op addresses weight rows, so
  // they must lie in the first depth / BLOCK_OUT elements), then the expansion and projection weights;
  // three regions in turn (five with overlap, whose projection runs three steps after the expansion),
  // or one per chunk when every chunk fits (resident: loaded once).
  int64_t wgt_regions = 0, wgt_dw_base = 0, wgt_used = 0;
  int64_t wgt_dw_at(int64_t region) const { return region * wgt_dw; }
  int64_t wgt_exp_at(int64_t region) const { return wgt_dw_base + region * (wgt_exp + wgt_prj); }
  int64_t wgt_prj_at(int64_t region) const { return wgt_exp_at(region) + wgt_exp; }
};

// Throws CompileError naming the block when its layers do not chain as a fusable block on this config
// (shapes, 1x1 expand/project, a depthwise conv of stride 1 or 2 the depthwise mode computes at
// stride 1, one batch block).
void check_block(const ConvBlock& blk, const DerivedConfig& cfg);

// The buffers of a schedule; `issues` gets every SRAM or field limit it breaks (empty: legal).
BlockPlan plan_block(const ConvBlock& blk, const BlockSchedule& s, const DerivedConfig& cfg,
                     std::vector<std::string>* issues);

// The block's input and output buffers as a program of the block alone holds them (offsets 0): the
// input with the depthwise conv's halo, the output without one.
struct BlockBuffers {
  ActBuffer in, out;
};
BlockBuffers block_buffers(const ConvBlock& blk, const DerivedConfig& cfg);

// Every legal schedule: tile_w a divisor of the output width, tile_h any output height, tile_e a
// divisor of the expanded blocks (chunks of one size keep the micro-op kernels few).
std::vector<BlockSchedule> block_schedules(const ConvBlock& blk, const DerivedConfig& cfg);

}  // namespace tessera::compiler
