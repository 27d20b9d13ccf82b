// The depthwise mode of the GEMM core on the RTL (configs with gemm.depthwise): hand-built programs
// run in lockstep with the fsim (every written SRAM element compared at every retire and at the end):
// groups of 1, 3, 9 and 20 taps (more taps than rows), unaligned sources, both loop levels with
// destination factors, a plain GEMM and ALU ops right after the drain (forwarding), a depthwise GEMM
// beside flagged ALU work in the other bank, and the issue cost: groups * (taps + R) cycles.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "sim/cosim/lockstep.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

using namespace programs;

// A program with a depthwise GEMM of G groups of n taps takes G * (n + R) + kExtraCycles cycles more
// than the same program with an empty GEMM (measured on default; the empty loop retires through the
// sequencer's drain, a cycle slower than a pipeline tail).
constexpr int64_t kExtraCycles = -1;

class RtlDepthwise : public ::testing::TestWithParam<std::string> {
 protected:
  DerivedConfig cfg = config(GetParam());
  uint32_t R = uint32_t(cfg.hw.block_out);
  int64_t half = cfg.acc.depth / 2;
  std::vector<uint8_t> dram = std::vector<uint8_t>(1 << 20);
  std::unique_ptr<RtlSim> rtl = make_rtl_sim(cfg);

  RtlDepthwise() { fill_random(dram, 29); }

  static Insn dw(const Loop& l, Tokens t = {}) {
    Insn i = gemm(l, false, t);
    i[Field::DEPTHWISE] = 1;
    return i;
  }

  // Inputs, weights (pushing l2g), then the compute unit's micro-ops (at DRAM element 4096) and a
  // random accumulator image, then `body`; the first body instruction pops the load unit's token.
  std::vector<Insn> program(const std::vector<Uop>& uops, std::vector<Insn> body) {
    put_uops(dram, cfg, 4096, uops);
    std::vector<Insn> p;
    p.push_back(load(MemType::INP, 0, 0, 1, 256, 256));
    p.push_back(load(MemType::WGT, 0, 0, 1, 64, 64, {}, {false, false, false, true}));
    p.push_back(load(MemType::UOP, 0, 4096, 1, int64_t(uops.size()), int64_t(uops.size())));
    p.push_back(load(MemType::ACC, 0, 512, 1, 256, 256));
    p.push_back(load(MemType::ACC, uint32_t(half), 1024, 1, 256, 256));
    body.front()[Field::POP_PREV] = 1;
    p.insert(p.end(), body.begin(), body.end());
    p.push_back(finish());
    return p;
  }

  CosimResult run(const std::vector<Insn>& p) {
    const CosimResult r = run_lockstep(*rtl, p, dram);
    EXPECT_TRUE(r.ok) << r.divergence;
    return r;
  }
};

TEST_P(RtlDepthwise, GroupsOfOneToTwentyTapsWithUnalignedSourcesAndBothLoops) {
  ASSERT_TRUE(cfg.hw.depthwise);
  std::mt19937 rng{7};
  for (int taps : {1, 3, 9, 20}) {
    SCOPED_TRACE(std::to_string(taps) + " taps");
    const uint32_t dst = 3 + rng() % 5;
    std::vector<Uop> uops;
    int unaligned = 0;
    for (int k = 0; k < taps; ++k) {
      const uint32_t src = uint32_t(rng() % 120);
      unaligned += src % R != 0;
      uops.push_back({dst, src, uint32_t(rng() % 40)});
    }
    EXPECT_GT(unaligned, 0);
    // 2 x 3 groups: destinations move by R + 1 and 2R + 3 (unaligned, rows of groups overlap in
    // neither), sources by 5 and 3 (unaligned), weights by 2 and 1.
    const Loop l{0, taps, 2, 3, 2 * R + 3, R + 1, 5, 3, 2, 1};
    const CosimResult r = run(program(uops, {dw(l)}));
    EXPECT_EQ(r.rtl.gemm_uops, uint64_t(6 * taps)) << "the counter counts taps, not drains";
  }
}

// The plain GEMM and the ALU ops start the cycle after the last drain issued: they read rows the
// drain writes in the same or the previous cycle, through the forwarding of both pipes.
TEST_P(RtlDepthwise, PlainGemmAndAluReadTheJustDrainedRows) {
  const uint32_t d = 40;
  std::vector<Uop> uops = {{d, 17, 3}, {d, 50, 9}, {d, 33, 12}};   // 0..2: three taps (unaligned)
  uops.push_back({d + R - 1, 5, 7});                             // 3: plain GEMM on the last row
  uops.push_back({d + R - 2, 0, 0});                             // 4: ALU ADD imm on the row before
  uops.push_back({d + R - 3, d + R - 1, 0});                     // 5: ALU MAX with the last row as source
  uops.push_back({d, 9, 1});                                     // 6: dw tap, same rows again
  for (const bool twice : {false, true}) {
    SCOPED_TRACE(twice ? "two depthwise GEMMs back to back" : "one depthwise GEMM");
    std::vector<Insn> body = {dw(Loop{0, 3})};
    if (twice) body.push_back(dw(Loop{6, 7}));
    body.push_back(gemm(Loop{3, 4}));
    body.push_back(dw(Loop{0, 1}));
    body.push_back(alu(AluOp::ADD, Loop{4, 5}, true, 11));
    body.push_back(dw(Loop{6, 7}));
    body.push_back(alu(AluOp::MAX, Loop{5, 6}));
    run(program(uops, body));
  }
}

// A depthwise GEMM in bank 0 and flagged ALU work in bank 1 run side by side; the second depthwise
// GEMM (flagged) starts while the ALU still runs.
TEST_P(RtlDepthwise, OverlapsAluWorkInTheOtherBank) {
  const int64_t rows = 64;
  std::vector<Uop> uops;
  for (int k = 0; k < 9; ++k) uops.push_back({8, uint32_t(3 + 7 * k), uint32_t(k)});
  uops.push_back({uint32_t(half), uint32_t(half + 200), 0});  // 9: ALU, vector operand from bank 1
  auto body = [&](bool overlap) {
    Insn a = alu(AluOp::MULHR, Loop{9, 10, 1, rows, 0, 1, 0, 1}, false, 3);
    Insn g2 = dw(Loop{0, 9, 2, 2, 2 * R, R, 1, 2, 9, 18});
    a[Field::OVERLAP] = overlap;
    g2[Field::OVERLAP] = overlap;
    return std::vector<Insn>{dw(Loop{0, 9, 1, 2, 0, R, 0, 1, 0, 9}), a, g2};
  };
  const CosimResult serial = run(program(uops, body(false)));
  const CosimResult side = run(program(uops, body(true)));
  EXPECT_EQ(side.rtl.gemm_uops, uint64_t(2 * 9 + 4 * 9));
  EXPECT_EQ(side.rtl.alu_uops, uint64_t(rows));
  // The ALU's 128 slots (a vector operand that moves: two per micro-op) ran beside the second GEMM's
  // 4 x (9 + R) slots: at least 96 cycles saved.
  EXPECT_LT(side.rtl.cycles + 96, serial.rtl.cycles) << "serial " << serial.rtl.cycles << ", overlapped "
                                                     << side.rtl.cycles;
}

// A depthwise GEMM issues one slot per tap and R drain slots per group, never stalling: the cycle
// count grows by exactly taps + R per group, and beyond its slots the instruction costs what any GEMM
// costs (a plain one-micro-op GEMM is one slot plus the same fixed cycles).
TEST_P(RtlDepthwise, IssuesTapsPlusRowsCyclesPerGroup) {
  std::vector<Uop> uops;
  for (int k = 0; k < 9; ++k) uops.push_back({0, uint32_t(5 * k + 1), uint32_t(k)});
  auto cycles = [&](const Insn& g) { return int64_t(run(program(uops, {g})).rtl.cycles); };
  auto groups = [&](int64_t n) { return cycles(dw(Loop{0, 9, n, 1, R, 0, 1, 0, 0, 0})); };
  const int64_t slot = int64_t(9 + R), few = groups(8), many = groups(40);
  const int64_t plain = cycles(gemm(Loop{0, 1})), empty = cycles(gemm(Loop{0, 0}));
  EXPECT_EQ(many - few, 32 * slot) << "per group";
  EXPECT_EQ(many - plain, 40 * slot - 1) << "40 groups " << many << ", a one-op plain GEMM " << plain;
  EXPECT_EQ(many - empty, 40 * slot + kExtraCycles) << "empty GEMM " << empty;
}

INSTANTIATE_TEST_SUITE_P(Configs, RtlDepthwise, ::testing::Values("default"));

}  // namespace
}  // namespace tessera
