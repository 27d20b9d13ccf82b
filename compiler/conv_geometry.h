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
};

// Checks the layer is a CONV2D or DENSE with consistent shapes; throws CompileError naming the layer.
ConvGeometry conv_geometry(const Layer& layer, const DerivedConfig& cfg);

}  // namespace tessera::compiler
