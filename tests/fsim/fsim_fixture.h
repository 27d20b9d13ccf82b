// Shared test fixture: one Fsim and one reference machine per config, fed the same program and DRAM.
#pragma once

#include <gtest/gtest.h>

#include "sim/fsim/fsim.h"
#include "tests/fsim/programs.h"
#include "tests/reference/isa_reference.h"

namespace tessera {

// Configs every semantic test runs on: VTA's default and shapes that reach every GEMM kernel instantiation.
inline const std::vector<std::string>& test_configs() {
  static const std::vector<std::string> k = {"default", "vta_4x8x8", "rect_1x16x32", "batch2_2x16x16", "tiny", "large_1x32x32"};
  return k;
}

class FsimTest : public ::testing::TestWithParam<std::string> {
 protected:
  DerivedConfig cfg = programs::config(GetParam());
  Fsim sim{cfg};
  reference::Machine ref{cfg};
  std::vector<uint8_t> dram = random_dram(1 << 20);

  static std::vector<uint8_t> random_dram(size_t n) {
    std::vector<uint8_t> d(n);
    programs::fill_random(d, 12345);
    return d;
  }

  // Runs `prog` + FINISH on both models and checks DRAM and every SRAM agree.
  void run_both(std::vector<Insn> prog) {
    prog.push_back(programs::finish());
    std::vector<uint8_t> ref_dram = dram;
    sim.run(prog, dram);
    ref.run(prog, ref_dram);
    EXPECT_TRUE(dram == ref_dram) << "DRAM differs from the reference";
    expect_srams_match();
  }

  void expect_srams_match() {
    const int B = cfg.hw.batch, I = cfg.hw.block_in, O = cfg.hw.block_out;
    int bad = 0;
    for (int64_t e = 0; e < cfg.inp.depth && bad < 5; ++e)
      for (int b = 0; b < B; ++b)
        for (int k = 0; k < I; ++k)
          if (sim.inp(e)[b * I + k] != ref.inp[size_t(e)][size_t(b)][size_t(k)]) ++bad, ADD_FAILURE() << "inp " << e;
    for (int64_t e = 0; e < cfg.wgt.depth && bad < 5; ++e)
      for (int n = 0; n < O; ++n)
        for (int k = 0; k < I; ++k)
          if (sim.wgt(e)[n * I + k] != ref.wgt[size_t(e)][size_t(n)][size_t(k)]) ++bad, ADD_FAILURE() << "wgt " << e;
    for (int64_t e = 0; e < cfg.acc.depth && bad < 5; ++e)
      for (int b = 0; b < B; ++b)
        for (int n = 0; n < O; ++n)
          if (sim.acc(e)[b * O + n] != ref.acc[size_t(e)][size_t(b)][size_t(n)])
            ++bad, ADD_FAILURE() << "acc " << e << " lane " << b * O + n << ": " << sim.acc(e)[b * O + n]
                                 << " vs " << ref.acc[size_t(e)][size_t(b)][size_t(n)];
    for (int64_t e = 0; e < cfg.uop.depth && bad < 5; ++e)
      if (!(sim.uop(e) == ref.uop[size_t(e)])) ++bad, ADD_FAILURE() << "uop " << e;
  }

  // Runs `prog` + FINISH and returns the FsimError message ("" when nothing was thrown).
  std::string run_error(std::vector<Insn> prog) {
    prog.push_back(programs::finish());
    try {
      sim.run(prog, dram);
    } catch (const FsimError& e) {
      return e.what();
    }
    return "";
  }
};

}  // namespace tessera
