// The simulator's on-chip state: flat SRAM arrays plus the GEMM kernel's widened copies of INP and WGT.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera {

struct FsimSram;

// One GEMM or ALU instruction's micro-op loop nest, read from its fields; once check_uop_operands
// has passed, every index it forms is in range. ALU leaves the wgt factors unused.
struct UopLoop {
  int64_t uop_bgn, uop_end, iter_out, iter_in;
  int64_t dst_out, dst_in, src_out, src_in, wgt_out, wgt_in;  // the six factors
};
using GemmKernelFn = void (*)(const UopLoop&, FsimSram&);

struct GemmKernel {
  std::string name;
  GemmKernelFn run;
};
// Kernels usable for these block sizes on the running CPU, fastest first ("scalar" always last).
std::vector<GemmKernel> gemm_kernels_for(int batch, int block_in, int block_out);

struct FsimSram {
  explicit FsimSram(const DerivedConfig& cfg);

  int batch, block_in, block_out;
  int64_t inp_lanes, wgt_lanes, acc_lanes;  // scalars per element
  std::vector<int8_t> inp;                  // [depth][BATCH][BLOCK_IN]
  std::vector<int8_t> wgt;                  // [depth][BLOCK_OUT][BLOCK_IN]
  std::vector<int32_t> acc;                 // [depth][BATCH][BLOCK_OUT]
  std::vector<Uop> uop;                     // decoded once at LOAD time

  // Kernel operands, kept in step with inp/wgt by set_inp/set_wgt (empty when BLOCK_IN is odd):
  // inp_pairs[s][b][k/2] packs inp[s][b][k] (low int16 half) and inp[s][b][k+1] (high half), and
  // wgt_pairs[w][k/2][n] packs wgt[w][n][k] and wgt[w][n][k+1] the same way, so one 32-bit broadcast
  // of an input pair meets BLOCK_OUT weight pairs.
  std::vector<int32_t> inp_pairs;
  std::vector<int32_t> wgt_pairs;
  std::vector<int16_t> wgt_row16;  // set_wgt's scratch row

  GemmKernel gemm;

  // Write one element; src == nullptr writes the zero element.
  void set_inp(int64_t i, const int8_t* src);
  void set_wgt(int64_t i, const int8_t* src);
};

}  // namespace tessera
