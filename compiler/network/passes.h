// The network compiler's passes, in the order compile_network runs them (each in its own file).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/act_buffer.h"
#include "compiler/compile.h"
#include "compiler/network/graph.h"
#include "compiler/requant.h"
#include "isa/config.h"

namespace tessera::compiler {

// place.cc: every node gets a placement: ACCEL for a layer the accelerator lowers, ALIAS for a
// quantized reshape that changes no byte of the blocked layout, HOST for the rest (the driver's
// kernels check the host nodes). Throws CompileError naming the node when nothing can run it.
void place_nodes(Network& net, const DerivedConfig& cfg);

// im2col.cc: a host-fed conv wasting >= 20% of MAC slots on few input channels becomes a 1x1 conv over a host Im2Col.
void im2col_first_convs(Network& net, const DerivedConfig& cfg);

// fuse_residual.cc: an add whose later operand comes from a conv used by nothing else becomes that
// conv's epilogue (Layer::residual; TESSERA ISA), when the ACC SRAM still holds a legal schedule.
void fuse_residual_adds(Network& net, const DerivedConfig& cfg);

// fuse_blocks.cc: expand 1x1 -> depthwise -> project 1x1 (+ its fused add), each intermediate used
// by nothing else, becomes one ConvBlock node computed tile by tile on chip (configs with the
// depthwise mode, TESSERA ISA), when a legal block schedule exists and (opt.blocks AUTO) the cost
// model predicts it faster than the three layers apart (their schedules searched through `opt`'s
// databases) or (ALWAYS) in any case.
void fuse_blocks(Network& net, const DerivedConfig& cfg, const CompileOptions& opt);

// How one tensor is held in device DRAM.
struct TensorPlan {
  bool blocked = false;     // NCHW<b>n<B>c / NC<b>n<B>c (touched by the accelerator), else dense C order
  ActBuffer buf;            // blocked: planes, extents and halo (offset set by the memory plan)
  bool min_halo = false;    // the halo holds the type's minimum (max-pool input), not the zero point
  int64_t slack = 0;        // elements after the tensor a consumer may read (conv edge tiles)
  uint64_t slack_bytes = 0; // the same in bytes (set with `bytes`)
  std::string alias_of;     // shares that tensor's bytes (a reshape placed as ALIAS)
  uint64_t bytes = 0;       // the tensor's own bytes (layout), slack excluded
  uint64_t offset = 0;      // DRAM byte offset (memory plan)
  std::string layout;
};
using Plans = std::map<std::string, TensorPlan>;

// layout_plan.cc: layout, halo (the largest padding of any accelerator consumer) and slack per tensor.
Plans plan_layouts(const Network& net, const DerivedConfig& cfg);

// memory_plan.cc: DRAM offsets from `base`: graph inputs and outputs get their own space, the
// other tensors reuse space by liveness (first fit). Returns the arena's size in bytes.
uint64_t plan_memory(const Network& net, Plans& plans, uint64_t base);

}  // namespace tessera::compiler
