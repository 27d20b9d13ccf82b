// Shared test fixture: one Fsim and one reference machine per config, fed the same program and DRAM.
#pragma once

#include <gtest/gtest.h>

#include <functional>

#include "sim/fsim/fsim.h"
#include "tests/fsim/instruction_cases.h"
#include "tests/fsim/programs.h"
#include "tests/reference/isa_reference.h"

namespace tessera {

using cases::test_configs;

class FsimTest : public ::testing::TestWithParam<std::string> {
 protected:
  DerivedConfig cfg = programs::config(GetParam());
  Fsim sim{cfg};
  reference::Machine ref{cfg};
  std::vector<uint8_t> dram = cases::initial_dram();

  // The running test's case group (tests/fsim/instruction_cases.h): "<suite>.<test>".
  static std::string own_group() {
    const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string suite = t->test_suite_name(), name = t->name();  // "Configs/FsimCompute", "Foo/0"
    return suite.substr(suite.find('/') + 1) + "." + name.substr(0, name.find('/'));
  }

  // Each case of the running test's group in order, with `dram` prepared for it.
  void for_each_case(const std::function<void(const cases::InstructionCase&)>& fn) {
    cases::case_group(own_group()).build(cfg, dram, [&](const cases::InstructionCase& c) {
      SCOPED_TRACE(c.name);
      fn(c);
    });
  }

  // Runs every case of the running test's group on both models in turn, checking that they agree and
  // the case's own expectations. A case meant for another GEMM kernel starts both models afresh with it.
  void run_cases() {
    for_each_case([&](const cases::InstructionCase& c) {
      if (!c.gemm_kernel.empty() && c.gemm_kernel != sim.gemm_kernel()) {
        sim = Fsim(cfg);
        ref = reference::Machine(cfg);
        sim.use_gemm_kernel(c.gemm_kernel);
      }
      const std::vector<uint8_t> before = dram;
      run_program(c.program);
      if (c.expect) c.expect(sim, before, dram);
    });
  }

  // Runs a complete program on both models and checks DRAM and every SRAM agree.
  void run_program(const std::vector<Insn>& prog) {
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
