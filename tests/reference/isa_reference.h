// Plain-loop oracle of the ISA's data semantics, written from the spec without reusing sim/fsim code.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera::reference {

// The machine state as nested vectors indexed exactly as the spec writes them: inp[s][b][k],
// wgt[w][n][k], acc[d][b][n], uop[k]. Instructions run one at a time in program order, tokens
// ignored, so the oracle is only meaningful for programs whose result does not depend on overlap.
// Out-of-range accesses throw std::out_of_range (the oracle does not model error messages).
struct Machine {
  explicit Machine(const DerivedConfig& cfg);

  void step(const Insn& insn, std::vector<uint8_t>& dram);
  // Steps every instruction up to and including the first FINISH.
  void run(const std::vector<Insn>& program, std::vector<uint8_t>& dram);

  DerivedConfig cfg;
  IsaCodec codec;
  int B, I, O;
  std::vector<std::vector<std::vector<int8_t>>> inp, wgt;
  std::vector<std::vector<std::vector<int32_t>>> acc;
  std::vector<Uop> uop;

 private:
  void load(const Insn& insn, const std::vector<uint8_t>& dram);
  void store(const Insn& insn, std::vector<uint8_t>& dram);
  void gemm(const Insn& insn);
  void gemm_depthwise(const Insn& insn);
  void alu(const Insn& insn);
};

// C[m][n] = sum_k A[m][k] * W[n][k], int32 with wrap-around: the product GEMM tiles must reproduce.
std::vector<int32_t> matmul_nt(const std::vector<int8_t>& a, const std::vector<int8_t>& w, int m, int n, int k);

// One ALU lane, from the spec's table (shift amounts saturate at 31; negative SHR shifts left).
int32_t alu_lane(int op, int32_t a, int32_t b);

}  // namespace tessera::reference
