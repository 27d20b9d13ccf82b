// STORE OUT_TO_INP draws for the random program generator (random_program.cc).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera {

// Whether the config has the on-chip copy (an output element is an input element: BLOCK_IN ==
// BLOCK_OUT); elsewhere the fsim rejects OUT_TO_INP, so the generator never draws it.
bool out_to_inp_allowed(const DerivedConfig& cfg);

// A STORE OUT_TO_INP of y x x accumulator rows (y, x from [1, max_rows] x [1, max_cols], strides up to
// x + 3) into input elements inside the INP SRAM: over element `aim` when it is >= 0 (a micro-op's
// source, so later GEMMs read the copy), else three times in four below `reach` (where the micro-ops'
// sources point). Token flags are left clear. `acc_reads` and `inp_writes` receive the elements it
// reads and writes.
Insn draw_out_to_inp(const DerivedConfig& cfg, std::mt19937_64& rng, int max_rows, int max_cols, int64_t reach,
                     int64_t aim, std::vector<int64_t>& acc_reads, std::vector<int64_t>& inp_writes);

}  // namespace tessera
