// SRAM storage and the element writers that keep the GEMM kernel's packed operands in step.
#include "sim/fsim/sram.h"

#include <cstring>

namespace tessera {
namespace {

int32_t pack_pair(int8_t lo, int8_t hi) { return int32_t(uint32_t(uint16_t(int16_t(lo))) | (uint32_t(uint16_t(int16_t(hi))) << 16)); }

}  // namespace

FsimSram::FsimSram(const DerivedConfig& cfg)
    : batch(cfg.hw.batch),
      block_in(cfg.hw.block_in),
      block_out(cfg.hw.block_out),
      inp_lanes(int64_t(batch) * block_in),
      wgt_lanes(int64_t(block_out) * block_in),
      acc_lanes(int64_t(batch) * block_out),
      inp(size_t(cfg.inp.depth * inp_lanes)),
      wgt(size_t(cfg.wgt.depth * wgt_lanes)),
      acc(size_t(cfg.acc.depth * acc_lanes)),
      uop(size_t(cfg.uop.depth)),
      gemm(gemm_kernels_for(batch, block_in, block_out).front()) {
  if (block_in % 2 == 0) {
    inp_pairs.resize(inp.size() / 2);
    wgt_pairs.resize(wgt.size() / 2);
    wgt_row16.resize(size_t(block_in));
  }
}

void FsimSram::set_inp(int64_t i, const int8_t* src) {
  int8_t* dst = &inp[size_t(i * inp_lanes)];
  if (src) std::memcpy(dst, src, size_t(inp_lanes));
  else std::memset(dst, 0, size_t(inp_lanes));
  if (inp_pairs.empty()) return;
  int32_t* p = &inp_pairs[size_t(i * inp_lanes / 2)];
  for (int64_t j = 0; j < inp_lanes / 2; ++j) p[j] = pack_pair(dst[2 * j], dst[2 * j + 1]);
}

void FsimSram::set_wgt(int64_t i, const int8_t* src) {
  int8_t* dst = &wgt[size_t(i * wgt_lanes)];
  if (src) std::memcpy(dst, src, size_t(wgt_lanes));
  else std::memset(dst, 0, size_t(wgt_lanes));
  if (wgt_pairs.empty()) return;
  // Widen each weight row once, then scatter its int16 pairs (as int32) down column n.
  int32_t* p = &wgt_pairs[size_t(i * wgt_lanes / 2)];
  int16_t* wide = wgt_row16.data();
  for (int n = 0; n < block_out; ++n) {
    for (int k = 0; k < block_in; ++k) wide[k] = dst[n * block_in + k];
    for (int kp = 0; kp < block_in / 2; ++kp) std::memcpy(&p[kp * block_out + n], &wide[2 * kp], sizeof(int32_t));
  }
}

}  // namespace tessera
