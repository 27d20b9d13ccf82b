// Constrained-random programs for RTL-vs-fsim co-simulation: legal tokens, in-bounds, race-free.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera {

struct RandomProgramOptions {
  int min_insns = 16, max_insns = 64;  // before the final FINISH
  int max_iter = 4;                    // GEMM/ALU loop trip counts are drawn from [1, max_iter]
  int max_rows = 4, max_cols = 4;      // LOAD/STORE y_size and x_size bounds
  int64_t src_bytes = 1 << 16;         // DRAM bytes LOAD sources are drawn from (random contents)
  int64_t out_bytes = 1 << 14;         // DRAM bytes STOREs write (after the source area)
};

struct RandomProgram {
  std::vector<Insn> insns;   // ends with FINISH
  std::vector<uint8_t> dram;  // initial device memory: random sources, encoded micro-ops, zeroed outputs
};

// Deterministic for (cfg, seed, opt). Guarantees, so that any correct implementation gives one result:
// every pop is preceded in program order by a push to that queue and no push overflows
// TOKEN_QUEUE_DEPTH (so program order is a deadlock-free schedule); every SRAM/DRAM index is in
// bounds; an SRAM element that two units touch (INP/WGT: load and compute, ACC: compute and store,
// INP: the store unit's OUT_TO_INP copies too), with at least one writing, is ordered by a token chain;
// STOREs never write DRAM that anything reads. Where the config allows OUT_TO_INP (BLOCK_IN ==
// BLOCK_OUT), 30% of the data STOREs are copies into the input SRAM (random_out_to_inp.h).
RandomProgram random_program(const DerivedConfig& cfg, uint64_t seed, const RandomProgramOptions& opt = {});

// A VTA-style double-buffered pipeline of 2..8 tiles with random shapes, padding, strides and ALU
// epilogues: per tile, load INP/WGT into buffer slot t % 2, compute reset + GEMM (every micro-op of a
// tile accumulates into the same accumulators: back-to-back hazards) + ALU ops, store; the four token
// queues carry the slot hand-offs exactly as a compiler emits them. In half the programs tile t's ALU
// ops run beside tile t + 1's GEMMs with the overlap flag (accumulator slot t % 2 = ACC bank t % 2),
// as the conv lowering orders them. Same guarantees as random_program().
RandomProgram pipeline_program(const DerivedConfig& cfg, uint64_t seed);

}  // namespace tessera
