// A conv or dense layer as the accelerator sees it: extents in elements and in channel blocks.
#pragma once

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
