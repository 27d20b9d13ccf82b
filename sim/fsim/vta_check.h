// Static check that an instruction stream keeps to what Apache TVM VTA's runtime emits and VTA's
// own simulator and hardware execute as tessera does (docs/vta.md): the end-of-stream token sync,
// no ALU reset, no tessera extension, VTA's instruction and micro-op widths.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera {

struct VtaIssue {
  int64_t insn_index;  // -1: the config or the stream as a whole
  std::string message;
};

// Empty when every run (instructions up to and including each FINISH) of `insns`:
//  - uses only VTA's encodings: ALU ops 0..4, no ALU reset;
//  - balances its tokens (isa/tokens.h) and ends as VTA's runtime ends a stream: the last load-unit
//    instruction pushes l2g, the last store-unit instruction pushes s2g, the compute instruction right
//    before FINISH pops both, and FINISH pops and pushes nothing. In a balanced run those pops match
//    the last pushes, so FINISH executes after every load and store: VTA raises done then;
// and `cfg` encodes VTA's 128-bit instructions and 32-bit micro-ops. The stream must end with FINISH.
std::vector<VtaIssue> vta_stream_issues(const std::vector<Insn>& insns, const DerivedConfig& cfg);

}  // namespace tessera
