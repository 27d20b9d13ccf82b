// A conv or dense layer as the accelerator sees it: extents in elements and in channel blocks.
#pragma once

#include <algorithm>
#include <cstdint>

#include "compiler/layer.h"
#include "isa/config.h"

namespace tessera::compiler {

// Dense layers are 1x1 convolutions over a 1x1 image. Inputs live in DRAM already padded by the
// layer's padding (the halo holds the input zero point), so the device never pads a LOAD itself.
struct ConvGeometry {
  int64_t n = 0, c = 0, h = 0, w = 0, k = 0;  // logical input N, C, H, W and output channels
  int64_t oh = 0, ow = 0;                     // output extents
  int64_t r = 1, s = 1, stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t nb = 0, cb = 0, kb = 0;  // batch blocks, input and output channel blocks
  int64_t hp = 0, wp = 0;          // padded input extents held in DRAM
  bool residual = false;           // a fused residual add: the skip tile sits beside each ACC tile
  bool skip_first = false;         // ... whose skip is the add's first operand
  // Grouped convolution in channel blocks: output blocks form block groups of `kbg` blocks that
  // reduce over `cbg` input blocks each, starting at ci_first(). A block group is the fewest whole
  // channel groups filling whole blocks on both sides; a dense layer is one block group (cbg = cb,
  // kbg = kb). Channels per group that are multiples of the blocks give independent groups of whole
  // blocks; depthwise (and groups below a block) give block-diagonal weight tiles (cbg = kbg = 1
  // when BLOCK_IN == BLOCK_OUT). Weights are packed [kb][cbg][r][s].
  int64_t group = 1, cg = 0, kg = 0;  // channel groups, input and output channels per group
  int64_t gb = 1, cbg = 0, kbg = 0;   // block groups, input blocks reduced per output block, output blocks per block group
  bool grouped() const { return gb > 1; }
  // First input block output block `co` reduces over (the last block group may be partial: its
  // window is moved back so it stays inside the tensor; the extra blocks meet zero weights).
  int64_t ci_first(int64_t co) const { return gb == 1 ? 0 : std::min((co / kbg) * cbg, cb - cbg); }
  // Whether a tile of `tile_co` output blocks reads one input window (all its blocks in one block
  // group); otherwise each output block loads its own cbg-block window ("input sets").
  bool shared_input(int64_t tile_co) const { return gb == 1 || kbg % tile_co == 0; }
  int64_t input_sets(int64_t tile_co, int64_t co_t) const { return shared_input(tile_co) ? 1 : co_t; }

  // Input rows/columns a tile of `th` x `tw` outputs reads. A one-row kernel reads only every
  // stride_h-th row (the LOAD's row stride skips the others), so a strided 1x1 conv moves no unused rows.
  bool skip_rows() const { return r == 1; }
  int64_t in_rows(int64_t th) const { return skip_rows() ? th : (th - 1) * stride_h + r; }
  int64_t row_step() const { return skip_rows() ? stride_h : 1; }  // padded-image rows per SRAM row
  int64_t in_cols(int64_t tw) const { return (tw - 1) * stride_w + s; }

  // The GEMM core's depthwise mode (configs with gemm.depthwise) computes stride-1 depthwise layers:
  // dw_rows (= BLOCK_OUT) consecutive output vectors per group, each group's taps reading dw_rows
  // consecutive input vectors. Output rows then use the input window's row pitch in ACC (a tile
  // buffer block holds th x in_cols(TW) vectors, the columns past TW computed and never stored: the
  // blocks are stored row by row, or the epilogue first moves the rows to the tile's pitch), so a
  // group may run across rows; blocks round up to whole groups.
  int64_t dw_max = 0;   // BLOCK_OUT when the mode can compute this layer (a schedule chooses it), else 0
  int64_t dw_rows = 0;  // BLOCK_OUT when it does (with_schedule); 0: block-diagonal (or dense) weight tiles
  bool dw_compact = false;  // the epilogue moves rows to the tile's pitch (else they are stored row by row)
  bool dw() const { return dw_rows > 0; }
  int64_t acc_pitch(int64_t TW) const { return dw() ? in_cols(TW) : TW; }
  int64_t dw_groups(int64_t th, int64_t TW) const { return (th * in_cols(TW) + dw_rows - 1) / dw_rows; }
  // ACC vectors per output block of a tile buffer with TH x TW tiles.
  int64_t acc_block(int64_t TH, int64_t TW) const { return dw() ? dw_groups(TH, TW) * dw_rows : TH * TW; }
  // INP vectors per input set: the window, and in depthwise mode what the last group's taps read past it.
  int64_t inp_set(int64_t TH, int64_t TW) const {
    return dw() ? acc_block(TH, TW) + (r - 1) * in_cols(TW) + s - 1 : in_rows(TH) * in_cols(TW);
  }
  // GEMM-pipe slots of one reduction step of a th x tw tile with co_t output and ci_t input blocks:
  // one per output vector and tap, or in depthwise mode per group its taps and dw_rows drain slots.
  int64_t gemm_slots(int64_t th, int64_t tw, int64_t co_t, int64_t ci_t, int64_t TW) const {
    return dw() ? co_t * dw_groups(th, TW) * (r * s + dw_rows) : th * tw * co_t * ci_t * r * s;
  }
  // WGT elements per output block of a reduction step over ci_t input blocks: one per tap, or in
  // depthwise mode (weights addressed in rows, one tap of BLOCK_OUT channels per row) the taps packed
  // dw_rows to an element.
  int64_t wgt_elems(int64_t ci_t) const { return dw() ? (r * s + dw_rows - 1) / dw_rows : ci_t * r * s; }
  // ALU slots of the epilogue's move of a th x tw tile's rows to the tile's pitch (depthwise mode
  // with dw_compact): a moving source, so two per vector.
  int64_t dw_compact_slots(int64_t co_t, int64_t th, int64_t tw) const { return dw_compact ? 2 * co_t * th * tw : 0; }
  // Whether a tile's blocks move between ACC and DRAM row by row (the ACC pitch is not the tile's width).
  bool rowwise(int64_t tw, int64_t TW) const { return (dw() && !dw_compact) || tw != TW; }
  int64_t store_pitch(int64_t TW) const { return dw_compact ? TW : acc_pitch(TW); }
};

// Checks the layer is a CONV2D or DENSE with consistent shapes; throws CompileError naming the layer.
ConvGeometry conv_geometry(const Layer& layer, const DerivedConfig& cfg);

}  // namespace tessera::compiler
