// STORE OUT_TO_INP draws for the random program generator.
#include "sim/cosim/random_out_to_inp.h"

#include <algorithm>

namespace tessera {

bool out_to_inp_allowed(const DerivedConfig& cfg) { return cfg.hw.block_in == cfg.hw.block_out; }

Insn draw_out_to_inp(const DerivedConfig& cfg, std::mt19937_64& rng, int max_rows, int max_cols, int64_t reach,
                     int64_t aim, std::vector<int64_t>& acc_reads, std::vector<int64_t>& inp_writes) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const int64_t y = pick(1, max_rows), x = pick(1, max_cols), stride = x + pick(0, 3);
  const int64_t extent = (y - 1) * stride + x;
  const int64_t top = pick(0, 3) ? std::min(reach, cfg.inp.depth) : cfg.inp.depth;  // elements [0, top)
  const int64_t acc = pick(0, cfg.acc.depth - y * x);
  const int64_t inp = aim >= 0 ? std::clamp<int64_t>(aim - pick(0, x - 1), 0, cfg.inp.depth - extent)
                               : pick(0, std::max<int64_t>(0, top - extent));
  Insn i;
  i[Field::OPCODE] = int(Opcode::STORE);
  i[Field::MEMORY_TYPE] = int(MemType::OUT_TO_INP);
  i[Field::SRAM_BASE] = acc;
  i[Field::DRAM_BASE] = inp;
  i[Field::Y_SIZE] = y;
  i[Field::X_SIZE] = x;
  i[Field::X_STRIDE] = stride;
  for (int64_t e = 0; e < y * x; ++e) acc_reads.push_back(acc + e);
  for (int64_t r = 0; r < y; ++r)
    for (int64_t c = 0; c < x; ++c) inp_writes.push_back(inp + r * stride + c);
  return i;
}

}  // namespace tessera
