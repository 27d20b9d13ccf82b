// The schedule space of a conv/dense layer (VTA's knobs plus loop order), its legality and a default.
//
// Kept apart from the lowering so a search can enumerate schedules, ask legality, and lower only
// the ones it keeps. Tile sizes count output rows/columns and channel *blocks*.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/conv_geometry.h"
#include "isa/config.h"

namespace tessera::compiler {

// Outer tile loops, outermost first; the input-channel reduction is always innermost.
enum class LoopAxis : uint8_t { CO, H, W };
const char* loop_axis_name(LoopAxis a);

struct Schedule {
  int64_t tile_b = 1;   // batch blocks per tile
  int64_t tile_h = 1;   // output rows per tile
  int64_t tile_w = 1;   // output columns per tile
  int64_t tile_ci = 1;  // input-channel blocks per reduction step
  int64_t tile_co = 1;  // output-channel blocks per tile
  int64_t oc_nthread = 1, h_nthread = 1;  // virtual threads; their product is the SRAM buffer count
  std::array<LoopAxis, 3> order{LoopAxis::CO, LoopAxis::H, LoopAxis::W};
  // The GEMM core's depthwise mode (layers with ConvGeometry::dw_max only): 0 off, 1 on with the
  // blocks stored row by row, 2 on with the rows first moved to the tile's pitch.
  int depthwise = 0;
  bool operator==(const Schedule& o) const;
};

// The geometry as a schedule lowers it: in the depthwise mode when the schedule chooses it.
ConvGeometry with_schedule(ConvGeometry g, const Schedule& s);

// Strict JSON: exactly the keys tile_b, tile_h, tile_w, tile_ci, tile_co, oc_nthread, h_nthread and
// loop_order (a permutation of "co", "h", "w"), and optionally depthwise (0, 1 or 2; written only when
// not 0, so schedules of configs without the mode read as before); throws CompileError naming `origin`
// and the key.
Schedule parse_schedule(const std::string& json_text, const std::string& origin);
Schedule load_schedule_file(const std::string& path);
std::string schedule_json(const Schedule& s);

// Extra ACC vectors the lowering keeps resident besides the tiles (bias and multipliers, and the
// fused residual add's four constant vectors).
int64_t resident_acc_vectors(const ConvGeometry& g, bool with_multipliers);

// ACC vectors of one tile buffer: the output tile (tile_co*tile_h*tile_w vectors), and as much
// again for the skip tile of a fused residual add.
int64_t acc_buffer_vectors(const ConvGeometry& g, const Schedule& s);

// Where a conv's accumulators live. With the TESSERA ISA and two or four buffers the epilogue of one
// tile overlaps the next tile's GEMMs (the overlap flag): buffer b then sits in ACC bank b % 2 (the
// two halves of the SRAM), after that bank's own copy of the resident vectors, so neither pipe ever
// touches the other's bank. Otherwise the resident vectors come first and the buffers follow.
struct AccLayout {
  bool overlap = false;
  int64_t half = 0, resident = 0, buffer = 0, bufs = 1;
  int64_t resident_base(int64_t b) const { return overlap ? (b % 2) * half : 0; }
  int64_t buffer_base(int64_t b) const {
    return overlap ? (b % 2) * half + resident + (b / 2) * buffer : resident + b * buffer;
  }
  // ACC vectors the layout needs, to compare with the depth (a banked layout uses both halves alike).
  int64_t vectors() const { return overlap ? 2 * (resident + (bufs + 1) / 2 * buffer) : resident + bufs * buffer; }
};
AccLayout acc_layout(const ConvGeometry& g, const Schedule& s, const DerivedConfig& cfg, bool with_multipliers);

// Every limit the schedule breaks for this layer and config, each naming the knob or the SRAM and
// by how much; empty when the schedule is legal. Micro-op buffer use is checked by the lowering,
// which knows the exact kernels.
std::vector<std::string> schedule_issues(const ConvGeometry& g, const Schedule& s, const DerivedConfig& cfg,
                                         bool with_multipliers);

// The legal schedule with the largest tiles a simple greedy heuristic finds (double-buffered when
// the SRAMs allow it); throws CompileError when even 1x1 tiles do not fit.
Schedule default_schedule(const ConvGeometry& g, const DerivedConfig& cfg, bool with_multipliers);

}  // namespace tessera::compiler
