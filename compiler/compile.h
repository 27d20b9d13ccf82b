// The compiler's entry point: a quantized model and a config in, a Program and its listing out.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/layer.h"
#include "compiler/requant.h"
#include "compiler/schedule.h"
#include "isa/config.h"
#include "isa/program.h"

namespace tessera::compiler {

// Networks: which inverted-residual blocks run fused on chip (configs with the depthwise mode).
enum class BlockFusion : uint8_t { NEVER, AUTO, ALWAYS };  // AUTO: where the cost model predicts a gain

struct CompileOptions {
  IsaTarget isa = IsaTarget::TESSERA;
  std::optional<Schedule> schedule;  // none: searched (compiler/search, docs/search.md)
  std::string schedule_cache;        // schedule database consulted and updated by the search; empty: none
  std::string shipped_schedules;     // read-only database consulted next (configs/schedules/); empty: none
  bool fuse = true;                  // networks: residual adds into conv epilogues (TESSERA ISA)
  BlockFusion blocks = BlockFusion::AUTO;  // with fuse (networks, TESSERA ISA)
};

struct Compiled {
  Program program;
  Schedule schedule;                // the schedule used
  std::string schedule_origin;      // "given", "search" or the cache it came from (a label with its path)
  std::vector<std::string> notes;   // per instruction: layer, tile and loop it belongs to
  std::vector<std::string> warnings;  // e.g. a corrupt or stale schedule cache that was ignored
};

// The CONV2D/DENSE form the lowering uses: a GLOBAL_AVG_POOL becomes an H x W convolution with
// identity weights; other layers are returned unchanged.
Layer as_gemm_layer(const Layer& layer);

// Lowers a single-layer model (CONV2D, DENSE or GLOBAL_AVG_POOL). Throws CompileError naming the layer and the
// reason: an unsupported kind, a scale the target cannot express, or every limit an illegal
// schedule breaks.
Compiled compile_model(const Model& model, const DerivedConfig& cfg, const CompileOptions& opt = {});

// Assembly text of the program (accepted by the assembler) with each instruction preceded by a
// comment naming its layer, tile and loop.
std::string listing(const Compiled& c, const DerivedConfig& cfg);
std::string listing(const Program& p, const std::vector<std::string>& notes, const DerivedConfig& cfg);

}  // namespace tessera::compiler
