// Dependency tokens from declared dependencies: a consumer names the producer instruction it follows.
//
// A lowering with several buffers in flight states each hazard (read after write, write after read)
// as "instruction c of one unit must wait for instruction p of another". The first such need since
// the queue's last link flags p's push and c's pop, one token each; a later need whose producer is
// no later than the last linked one is already met, because a unit runs its instructions in program
// order (the lowering sets no overlap flag on them). Tokens balance by construction.
#pragma once

#include <cstddef>
#include <vector>

#include "compiler/program_builder.h"

namespace tessera::compiler {

class TokenLinks {
 public:
  explicit TokenLinks(ProgramBuilder& b) : b_(b) {}
  // `consumer` (emitted after `producer`, on a neighbouring unit) waits until `producer` has run.
  // Throws CompileError when the two share a unit or are not neighbours (load and store have no queue).
  void link(size_t producer, size_t consumer);

 private:
  ProgramBuilder& b_;
  std::vector<std::ptrdiff_t> last_{-1, -1, -1, -1};  // per token queue: the producer linked last
  std::vector<std::ptrdiff_t> popper_{-1, -1, -1, -1};  // ... and the consumer that pops for it
};

}  // namespace tessera::compiler
