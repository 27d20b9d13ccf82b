// GEMM and ALU: every ALU op, resets, two-level micro-op loops, randomized GEMM on every kernel, errors.
#include <gmock/gmock.h>

#include "tests/fsim/fsim_fixture.h"

namespace tessera {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace programs;

class FsimCompute : public FsimTest {
 protected:
  std::mt19937 rng{99};
  // Micro-ops live in the upper half of DRAM, data in the lower half.
  int64_t uop_elem() const { return int64_t(dram.size() / 2) / cfg.elem_bytes(int(MemType::UOP)); }

  Insn load_uops(const std::vector<Uop>& uops, int64_t sram = 0) {
    put_uops(dram, cfg, uop_elem(), uops);
    return load(MemType::UOP, sram, uop_elem(), 1, int64_t(uops.size()), int64_t(uops.size()));
  }
  // INP/WGT loads run on the load unit: hand their data to compute with one l2g token.
  static std::vector<Insn> handoff(std::vector<Insn> loads, std::vector<Insn> compute) {
    loads.back()[Field::PUSH_NEXT] = 1;
    compute.front()[Field::POP_PREV] = 1;
    loads.insert(loads.end(), compute.begin(), compute.end());
    return loads;
  }
  std::vector<Uop> random_uops(int n, uint32_t dst_max, uint32_t src_max, uint32_t wgt_max) {
    std::vector<Uop> u(static_cast<size_t>(n));
    for (auto& x : u) x = {uint32_t(rng() % dst_max), uint32_t(rng() % src_max), uint32_t(rng() % wgt_max)};
    return u;
  }
  // ACC elements 0..63 hold small values (some negative), so shifts by them cover both directions.
  void put_small_acc_values() {
    const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
    for (int64_t l = 0; l < 64 * lanes; ++l) {
      const int32_t v = int32_t(rng() % 81) - 40;
      std::memcpy(&dram[size_t(l * 4)], &v, 4);
    }
  }
};

constexpr AluOp kAluOps[] = {AluOp::MIN, AluOp::MAX, AluOp::ADD, AluOp::SHR, AluOp::MUL, AluOp::MULHR};

TEST_P(FsimCompute, EveryAluOpWithImmediateAndVectorMatchesReference) {
  put_small_acc_values();
  const Loop l{0, 3, 2, 3, 12, 4, 5, 1};  // dst = u.dst + 12o + 4i, src = u.src + 5o + i
  for (AluOp op : kAluOps)
    for (bool use_imm : {false, true})
      for (int64_t imm : {int64_t{-40}, int64_t{-3}, int64_t{5}, int64_t{37}, int64_t{-32768}, int64_t{32767}}) {
        SCOPED_TRACE(std::string(alu_op_name(int(op))) + (use_imm ? " imm " + std::to_string(imm) : " vector"));
        run_both({load(MemType::ACC, 64, 100, 1, 40, 40), load(MemType::ACC, 0, 0, 1, 64, 64),
                  load_uops(random_uops(3, 24, 24, 1)), alu(op, l, use_imm, use_imm || op != AluOp::MULHR ? imm : 7)});
        if (!use_imm) break;
      }
}

TEST_P(FsimCompute, ShiftAmountsFollowTheSpec) {
  const int32_t a = -1000;
  std::memcpy(&dram[0], &a, 4);
  struct Case {
    int64_t imm;
    int32_t want;
  } cases[] = {{0, -1000}, {3, -125}, {-2, -4000}, {31, -1}, {40, -1}, {-31, 0}, {-40, 0}};
  for (const Case& c : cases) {
    run_both({load(MemType::ACC, 0, 0, 1, 1, 1), load_uops({{0, 0, 0}}), alu(AluOp::SHR, Loop{}, true, c.imm)});
    EXPECT_EQ(sim.acc(0)[0], c.want) << "shift by " << c.imm;
  }
  const int32_t one = 1;
  std::memcpy(&dram[0], &one, 4);
  run_both({load(MemType::ACC, 0, 0, 1, 1, 1), alu(AluOp::SHR, Loop{}, true, -31)});
  EXPECT_EQ(sim.acc(0)[0], INT32_MIN) << "a negative shift wraps into the sign bit";
}

TEST_P(FsimCompute, RequantizingMultiplyFollowsTheSpec) {
  struct Case {
    int32_t a, b;
    bool imm;
    int64_t shift_or_imm;
    int32_t want;
  } cases[] = {{1000, 1 << 30, false, 0, 500},  {1001, 1 << 30, false, 0, 501},  // 500.5 rounds up
               {-1001, 1 << 30, false, 0, -500}, {-1003, 1 << 30, false, 0, -501},  // -500.5, -501.5 round up
               {1001, 1 << 30, false, 3, 63},    {-1000, 1 << 30, false, 3, -62},   // 62.5625, -62.5 (a tie)
               {INT32_MIN, INT32_MIN, false, 0, INT32_MAX}, {INT32_MIN, INT32_MAX, false, 0, -INT32_MAX},
               {INT32_MAX, INT32_MAX, false, 31, 1},  // 2^62 scale: (2^31-1)^2 / 2^62 rounds to 1
               {12345, 0, true, 16384, 6173},         {-7, 0, true, -32768, 7}};  // Q15 0.5 and -1.0
  for (const Case& c : cases) {
    std::memcpy(&dram[0], &c.a, 4);
    std::memcpy(&dram[size_t(4 * cfg.hw.batch * cfg.hw.block_out)], &c.b, 4);
    run_both({load(MemType::ACC, 0, 0, 1, 2, 2), load_uops({{0, 1, 0}}), alu(AluOp::MULHR, Loop{}, c.imm, c.shift_or_imm)});
    EXPECT_EQ(sim.acc(0)[0], c.want) << c.a << " mulhr " << c.b << " imm " << c.shift_or_imm;
  }
  for (int64_t bad : {-1, 32})
    EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp::MULHR, Loop{}, false, bad)}),
                HasSubstr("outside 0..31"));
}

TEST_P(FsimCompute, FusedRequantizeFollowsTheSpec) {
  const auto req_imm = [](int shift, bool relu, int zp) { return int64_t(int16_t(uint16_t((zp & 0xFF) << 8 | relu << 5 | shift))); };
  struct Case {
    int32_t a, b;
    int64_t imm;
    int32_t want;
  } cases[] = {{1001, 1 << 30, req_imm(3, false, 0), 63},      // 62.5625 rounds to 63
               {-1000, 1 << 30, req_imm(3, false, 5), -57},    // -62.5 rounds up to -62, + 5
               {100000, 1 << 30, req_imm(0, false, -3), 127},  // clamped high
               {-100000, 1 << 30, req_imm(0, false, 0), -128}, // clamped low
               {-40, 1 << 30, req_imm(0, true, -7), -7},       // ReLU: -20 - 7 stops at the zero point
               {-4, 1 << 30, req_imm(0, true, -128), -128}};  // -2 - 128 clamps to the type minimum
  for (const Case& c : cases) {
    std::memcpy(&dram[0], &c.a, 4);
    std::memcpy(&dram[size_t(4 * cfg.hw.batch * cfg.hw.block_out)], &c.b, 4);
    run_both({load(MemType::ACC, 0, 0, 1, 2, 2), load_uops({{0, 1, 0}}), alu(AluOp::REQ, Loop{}, false, c.imm)});
    EXPECT_EQ(sim.acc(0)[0], c.want) << c.a << " req imm " << c.imm;
  }
  EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp::REQ, Loop{}, true, 3)}), HasSubstr("vector operand"));
  EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp::REQ, Loop{}, false, 0x40)}), HasSubstr("reserved"));
}

TEST_P(FsimCompute, ReservedAluOpcodeIsAnError) {
  for (int op = 7; op < 8; ++op)
    EXPECT_THAT(run_error({load_uops({{0, 0, 0}}), alu(AluOp(op), Loop{})}),
                AllOf(HasSubstr("instruction 1 (ALU, compute unit)"), HasSubstr("reserved ALU opcode " + std::to_string(op))));
}

TEST_P(FsimCompute, ResetZeroesExactlyTheAddressedAccumulators) {
  const Loop l{0, 2, 2, 2, 10, 3};  // dst in {u.dst + 10o + 3i}
  for (bool use_alu : {false, true}) {
    run_both({load(MemType::ACC, 0, 0, 1, 40, 40), load_uops({{1, 0, 0}, {2, 0, 0}}),
              use_alu ? alu_reset(l) : gemm(l, true)});
    for (int64_t d : {1, 2, 4, 5, 11, 12, 14, 15}) EXPECT_EQ(sim.acc(d)[0], 0) << d;
    EXPECT_NE(sim.acc(3)[0] | sim.acc(6)[0] | sim.acc(13)[0], 0);
  }
  EXPECT_EQ(sim.stats().gemm_reset_uops, 8u);
  EXPECT_EQ(sim.stats().alu_uops, 8u);
  EXPECT_EQ(sim.stats().macs, 0u);
}

TEST_P(FsimCompute, TwoLevelUopLoopsOnEveryKernelMatchReference) {
  for (const std::string& kernel : sim.gemm_kernels()) {
    SCOPED_TRACE(kernel);
    sim = Fsim(cfg);
    ref = reference::Machine(cfg);
    sim.use_gemm_kernel(kernel);
    for (int trial = 0; trial < 3; ++trial) {
      const Loop l{3, 3 + 7, 1 + int64_t(rng() % 3), 1 + int64_t(rng() % 4), int64_t(rng() % 9), int64_t(rng() % 5),
                   int64_t(rng() % 9), int64_t(rng() % 5), int64_t(rng() % 9), int64_t(rng() % 5)};
      run_both(handoff({load(MemType::INP, 0, 0, 1, 64, 64), load(MemType::WGT, 0, 0, 1, 64, 64)},
                       {load(MemType::ACC, 0, 0, 1, 64, 64), load_uops(random_uops(7, 16, 16, 16), 3), gemm(l)}));
    }
  }
}

TEST_P(FsimCompute, TiledMatmulEqualsPlainMatmul) {
  const int B = cfg.hw.batch, I = cfg.hw.block_in, O = cfg.hw.block_out;
  const int MT = 3, KT = 4, NT = 2, M = MT * B, K = KT * I, N = NT * O;
  std::vector<int8_t> a(size_t(M * K)), w(size_t(N * K));
  for (auto& v : a) v = int8_t(rng());
  for (auto& v : w) v = int8_t(rng());
  // DRAM: INP element (mt, kt) = a[mt*B + b][kt*I + k]; WGT element (nt, kt) = w[nt*O + n][kt*I + k].
  for (int mt = 0; mt < MT; ++mt)
    for (int kt = 0; kt < KT; ++kt)
      for (int b = 0; b < B; ++b)
        for (int k = 0; k < I; ++k) dram[size_t(((mt * KT + kt) * B + b) * I + k)] = uint8_t(a[size_t((mt * B + b) * K + kt * I + k)]);
  const int64_t wgt_base = 4096 / cfg.wgt.elem_bytes + 1;
  for (int nt = 0; nt < NT; ++nt)
    for (int kt = 0; kt < KT; ++kt)
      for (int n = 0; n < O; ++n)
        for (int k = 0; k < I; ++k)
          dram[size_t((wgt_base + nt * KT + kt) * cfg.wgt.elem_bytes + n * I + k)] = uint8_t(w[size_t((nt * O + n) * K + kt * I + k)]);
  std::vector<Uop> uops;  // one micro-op per output tile; the inner loop walks K
  for (int mt = 0; mt < MT; ++mt)
    for (int nt = 0; nt < NT; ++nt) uops.push_back({uint32_t(mt * NT + nt), uint32_t(mt * KT), uint32_t(nt * KT)});
  const int64_t tiles = MT * NT;
  run_both(handoff({load(MemType::INP, 0, 0, 1, MT * KT, MT * KT), load(MemType::WGT, 0, wgt_base, 1, NT * KT, NT * KT)},
                   {load_uops(uops), gemm(Loop{0, tiles}, true), gemm(Loop{0, tiles, 1, KT, 0, 0, 0, 1, 0, 1})}));
  const std::vector<int32_t> c = reference::matmul_nt(a, w, M, N, K);
  for (int mt = 0; mt < MT; ++mt)
    for (int nt = 0; nt < NT; ++nt)
      for (int b = 0; b < B; ++b)
        for (int n = 0; n < O; ++n)
          ASSERT_EQ(sim.acc(mt * NT + nt)[b * O + n], c[size_t((mt * B + b) * N + nt * O + n)]) << mt << nt << b << n;
  const FsimStats& s = sim.stats();
  EXPECT_EQ(s.gemm_uops, uint64_t(tiles * KT));
  EXPECT_EQ(s.gemm_reset_uops, uint64_t(tiles));
  EXPECT_EQ(s.macs, uint64_t(tiles * KT) * uint64_t(B * I * O));
}

TEST_P(FsimCompute, OutOfRangeMicroOpOperandsNameMicroOpAndField) {
  const uint32_t inp_last = uint32_t(cfg.inp.depth - 1);
  // Micro-op 1's source reaches the INP depth on the second inner iteration.
  const std::string msg = run_error({load_uops({{0, 0, 0}, {0, inp_last, 0}}), gemm(Loop{0, 2, 1, 2, 0, 0, 0, 1})});
  EXPECT_THAT(msg, AllOf(HasSubstr("instruction 1 (GEMM, compute unit)"), HasSubstr("micro-op 1 field src"),
                         HasSubstr("index " + std::to_string(cfg.inp.depth) + " (o=0, i=1)"), HasSubstr("INP depth")));
  EXPECT_THAT(run_error({load_uops({{0, 0, 1}}), gemm(Loop{0, 1, 2, 1, 0, 0, 0, 0, cfg.wgt.depth - 1, 0})}),
              AllOf(HasSubstr("micro-op 0 field wgt"), HasSubstr("(o=1, i=0)"), HasSubstr("WGT depth")));
  EXPECT_THAT(run_error({load_uops({{0, 0, 0}}), alu(AluOp::ADD, Loop{0, 1, 1, 3, 0, cfg.acc.depth / 2})}),
              AllOf(HasSubstr("(ALU"), HasSubstr("micro-op 0 field dst"), HasSubstr("(o=0, i=2)"), HasSubstr("ACC depth")));
  EXPECT_THAT(run_error({alu(AluOp::ADD, Loop{0, 1, 1, 3, 0, 0, 0, cfg.acc.depth / 2})}),
              AllOf(HasSubstr("micro-op 0 field src"), HasSubstr("(o=0, i=2)")));
  EXPECT_THAT(run_error({gemm(Loop{2, 1})}), AllOf(HasSubstr("uop_bgn"), HasSubstr("past uop_end 1")));
  EXPECT_THAT(run_error({gemm(Loop{0, cfg.uop.depth + 1})}), AllOf(HasSubstr("uop_end"), HasSubstr("UOP depth")));
}

TEST_P(FsimCompute, AluWithImmediateDoesNotCheckItsUnusedSource) {
  run_both({load_uops({{0, uint32_t(cfg.acc.depth - 1), 0}}), alu(AluOp::ADD, Loop{0, 1, 1, 2, 0, 1, 0, 5}, true, 7)});
  EXPECT_EQ(sim.stats().alu_uops, 2u);
}

INSTANTIATE_TEST_SUITE_P(Configs, FsimCompute, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
