// Vector ALU loops whose source operand is fetched once per outer iteration (operand reuse in
// hw/rtl/tessera_uop_issue.sv): RTL in lockstep with the fsim, including loops that write over
// the reused source row in the middle of the loop.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>

#include "sim/cosim/lockstep.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

using namespace programs;

class RtlAluReuse : public ::testing::TestWithParam<std::tuple<std::string, int>> {
 protected:
  DerivedConfig cfg = config(std::get<0>(GetParam()));
  AluOp op = AluOp(std::get<1>(GetParam()));
  std::unique_ptr<RtlSim> rtl = make_rtl_sim(cfg);
  std::vector<uint8_t> dram = std::vector<uint8_t>(1 << 16);

  RtlAluReuse() { fill_random(dram, 5 + uint32_t(std::get<1>(GetParam()))); }

  // An immediate that is legal for the op's vector form (MULHR: shift 0..31; REQ: reserved bits 0).
  int64_t imm() const {
    if (op == AluOp::MULHR) return 3;
    if (op == AluOp::REQ) return int64_t(int16_t(uint16_t(0xF6 << 8 | 32 | 4)));
    return 0;
  }

  void check(const std::vector<Uop>& uops, const Loop& l) {
    put_uops(dram, cfg, 0, uops);
    // Small accumulator values (ACC_8BIT loads sign-extend bytes), so SHR/MUL/MULHR stay meaningful.
    const std::vector<Insn> p = {load(MemType::ACC_8BIT, 0, 64, 1, 48, 48), load(MemType::UOP, 0, 0, 1, int64_t(uops.size()), int64_t(uops.size())),
                                 alu(op, l, false, imm()), finish()};
    const CosimResult r = run_lockstep(*rtl, p, dram);
    EXPECT_TRUE(r.ok) << r.divergence;
    EXPECT_EQ(r.checked_insns, int64_t(p.size()));
    EXPECT_EQ(r.rtl.alu_uops, uint64_t(l.iter_out * l.iter_in * (l.end - l.bgn)));
  }
};

// Per-channel shape of a conv epilogue: dst walks 3 blocks of 12 vectors, the source is row 40 + o.
TEST_P(RtlAluReuse, PerChannelVectorLoop) { check({{0, 40, 0}}, Loop{0, 1, 3, 12, 12, 1, 1, 0}); }

// The loop writes over its own source in the middle of each outer iteration (dst walks rows 0..15,
// the source is row 5 + o): later micro-ops must see the new value, as the fsim does.
TEST_P(RtlAluReuse, LoopOverwritesItsSourceMidway) { check({{0, 5, 0}}, Loop{0, 1, 2, 16, 0, 1, 1, 0}); }

// The source row is the destination of every micro-op (dst = src, src fixed): a running update.
TEST_P(RtlAluReuse, SourceIsTheDestination) { check({{7, 7, 0}}, Loop{0, 1, 2, 9, 0, 0, 0, 0}); }

// Not eligible for reuse (two micro-ops; a moving source): still exact with a fetch per micro-op.
TEST_P(RtlAluReuse, MultiUopAndMovingSourceLoops) {
  check({{0, 20, 0}, {1, 2, 0}}, Loop{0, 2, 2, 5, 10, 2, 1, 0});
  check({{0, 3, 0}}, Loop{0, 1, 2, 8, 8, 1, 1, 1});
}

std::string name(const ::testing::TestParamInfo<RtlAluReuse::ParamType>& p) {
  return std::get<0>(p.param) + "_" + alu_op_name(std::get<1>(p.param));
}

INSTANTIATE_TEST_SUITE_P(Ops, RtlAluReuse,
                         ::testing::Combine(::testing::Values("default", "tiny"),
                                            ::testing::Values(int(AluOp::ADD), int(AluOp::MIN), int(AluOp::MULHR),
                                                              int(AluOp::REQ), int(AluOp::MOV))),
                         name);

}  // namespace
}  // namespace tessera
