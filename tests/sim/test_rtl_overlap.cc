// The overlap flag: a GEMM and an ALU instruction in different accumulator banks run side by side on
// the RTL (lockstep with the fsim, fewer cycles than one after the other), and the fsim refuses
// flagged instructions that share a bank or a token queue with what may still be running.
#include <gmock/gmock.h>

#include <algorithm>
#include <memory>
#include <string>

#include "sim/cosim/lockstep.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

using namespace programs;
using ::testing::HasSubstr;

class RtlOverlap : public ::testing::TestWithParam<std::string> {
 protected:
  DerivedConfig cfg = config(GetParam());
  int64_t half = cfg.acc.depth / 2, vec_row = cfg.acc.depth - 1;
  int64_t rows = std::min<int64_t>(24, (half - 1) / 8);
  std::vector<uint8_t> dram = std::vector<uint8_t>(1 << 20);

  RtlOverlap() { fill_random(dram, 17); }

  // GEMM: `rows` x 8 accumulators of bank 0 get one input x weight product each (inputs and weights
  // from the load unit). ALU: MULHR by a per-channel vector over `rows` x 8 accumulators of bank 1
  // (two slots per micro-op), pushing to a store of its results. With `overlap`, the ALU and a second
  // GEMM carry the flag.
  std::vector<Insn> program(int64_t rows, bool overlap, int64_t alu_bank_base, bool gemm_pushes_next = false) {
    put_uops(dram, cfg, 0, {{0, 0, 0}, {uint32_t(alu_bank_base), uint32_t(vec_row), 0}});
    std::vector<Insn> p;
    p.push_back(load(MemType::UOP, 0, 0, 1, 2, 2));
    p.push_back(load(MemType::ACC_8BIT, uint32_t(half), 4096, 1, rows * 8, rows * 8));
    p.push_back(load(MemType::ACC, uint32_t(vec_row), 8192, 1, 1, 1));
    p.push_back(load(MemType::INP, 0, 0, 1, 8, 8));
    p.push_back(load(MemType::WGT, 0, 0, 1, 1, 1, {}, {false, false, false, true}));
    Loop g{0, 1, rows, 8, 8, 1, 0, 1, 0, 0};
    p.push_back(gemm(g, false, {true, false, false, false}));
    Loop a{1, 2, rows, 8, 8, 1, 0, 0, 0, 0};
    Insn mul = alu(AluOp::MULHR, a, false, 3, {false, false, false, true});
    mul[Field::OVERLAP] = overlap;
    p.push_back(mul);
    Insn g2 = gemm(g);
    g2[Field::OVERLAP] = overlap;
    g2[Field::PUSH_NEXT] = gemm_pushes_next;
    p.push_back(g2);
    p.push_back(store(uint32_t(alu_bank_base), 16384, 1, rows * 8, rows * 8, {true, false, false, false}));
    p.push_back(finish());
    return p;
  }
};

TEST_P(RtlOverlap, GemmAndAluInDifferentBanksRunSideBySide) {
  std::unique_ptr<RtlSim> rtl = make_rtl_sim(cfg);
  const CosimResult serial = run_lockstep(*rtl, program(rows, false, half), dram);
  ASSERT_TRUE(serial.ok) << serial.divergence;
  const CosimResult side = run_lockstep(*rtl, program(rows, true, half), dram);
  ASSERT_TRUE(side.ok) << side.divergence;
  EXPECT_EQ(side.rtl.gemm_uops, uint64_t(2 * rows * 8));
  EXPECT_EQ(side.rtl.alu_uops, uint64_t(rows * 8));
  // The ALU's 192 slots (operand reuse: one per vector) ran beside the GEMMs: at least 3/4 of them saved.
  EXPECT_LT(side.rtl.cycles + uint64_t(rows * 8 * 3 / 4), serial.rtl.cycles)
      << "serial " << serial.rtl.cycles << ", overlapped " << side.rtl.cycles;
}

TEST_P(RtlOverlap, FsimRefusesASharedBank) {
  Fsim sim(cfg);
  const std::vector<Insn> shared = program(rows, true, 8), serial = program(rows, false, 8);
  std::vector<uint8_t> d = dram;
  try {
    sim.run(shared, d);  // the ALU's destinations in bank 0, where the GEMM writes
    FAIL() << "a flagged ALU sharing the GEMM's bank must be refused";
  } catch (const FsimError& e) {
    EXPECT_THAT(e.what(), HasSubstr("instruction 6 (ALU)"));
    EXPECT_THAT(e.what(), HasSubstr("shares an accumulator bank"));
    EXPECT_THAT(e.what(), HasSubstr("instruction 5 (GEMM)"));
    EXPECT_EQ(e.insn_index, 6);
  }
  d = dram;
  EXPECT_NO_THROW(sim.run(serial, d)) << "without the flag the same program is legal";
}

TEST_P(RtlOverlap, FsimRefusesASharedTokenQueue) {
  Fsim sim(cfg);
  const std::vector<Insn> p = program(rows, true, half, true);
  std::vector<uint8_t> d = dram;
  try {
    sim.run(p, d);  // the second GEMM pushes g2s like the running ALU
    FAIL() << "a flagged GEMM pushing the running ALU's queue must be refused";
  } catch (const FsimError& e) {
    EXPECT_THAT(e.what(), HasSubstr("pushes the same token queue"));
    EXPECT_EQ(e.insn_index, 7);
  }
}

// A LOAD of ACC/ACC_8BIT counts as ALU work: flagged, it runs beside a GEMM in the other bank.
TEST_P(RtlOverlap, AccLoadBesideAGemm) {
  std::vector<Insn> p = program(rows, false, half);
  Insn skip = load(MemType::ACC_8BIT, uint32_t(half), 4096, 1, rows * 8, rows * 8);
  skip[Field::OVERLAP] = 1;
  p.insert(p.begin() + 6, skip);  // right after the first GEMM, into the ALU's rows
  std::unique_ptr<RtlSim> rtl = make_rtl_sim(cfg);
  const CosimResult r = run_lockstep(*rtl, p, dram);
  EXPECT_TRUE(r.ok) << r.divergence;
}

TEST_P(RtlOverlap, FsimRefusesTheFlagWhereItMeansNothing) {
  std::vector<Insn> p = program(rows, false, half);
  p[3][Field::OVERLAP] = 1;  // LOAD INP (load unit)
  Fsim sim(cfg);
  std::vector<uint8_t> d = dram;
  try {
    sim.run(p, d);
    FAIL() << "the overlap flag on a LOAD INP must be refused";
  } catch (const FsimError& e) {
    EXPECT_THAT(e.what(), HasSubstr("only GEMM, ALU and compute LOADs of ACC/ACC_8BIT may carry it"));
    EXPECT_EQ(e.insn_index, 3);
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, RtlOverlap, ::testing::Values("default", "tiny"));

}  // namespace
}  // namespace tessera
