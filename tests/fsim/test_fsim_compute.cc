// GEMM and ALU: every ALU op, resets, two-level micro-op loops, randomized GEMM on every kernel, errors.
// The legal programs are the FsimCompute cases of tests/fsim/instruction_cases.cc.
#include <gmock/gmock.h>

#include "tests/fsim/fsim_fixture.h"

namespace tessera {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace programs;

class FsimCompute : public FsimTest {
 protected:
  Insn load_uops(const std::vector<Uop>& uops) { return cases::load_uops(cfg, dram, uops); }
};

TEST_P(FsimCompute, EveryAluOpWithImmediateAndVectorMatchesReference) { run_cases(); }

TEST_P(FsimCompute, ShiftAmountsFollowTheSpec) { run_cases(); }

// With the mode: random groups against the reference, and the spec's refusals; without it the flag
// cannot be encoded at all.
TEST_P(FsimCompute, DepthwiseGemmMatchesReference) {
  run_cases();
  Insn dw = gemm(Loop{0, 2});
  dw[Field::DEPTHWISE] = 1;
  if (!cfg.hw.depthwise) {
    EXPECT_THAT(run_error({dw}), HasSubstr("not encoded in this config"));
    return;
  }
  EXPECT_THAT(run_error({load_uops({{0, 1, 0}, {1, 2, 0}}), dw}), HasSubstr("differs from the range's first destination"));
  Insn reset = dw;
  reset[Field::RESET] = 1;
  EXPECT_THAT(run_error({load_uops({{0, 1, 0}, {0, 2, 0}}), reset}), HasSubstr("a depthwise GEMM accumulates"));
  Insn one = gemm(Loop{0, 1});
  one[Field::DEPTHWISE] = 1;
  EXPECT_THAT(run_error({load_uops({{0, uint32_t(cfg.inp.depth - cfg.hw.block_out + 1), 0}}), one}),
              HasSubstr("less the R - 1 rows read with it"));
}

TEST_P(FsimCompute, RequantizingMultiplyFollowsTheSpec) {
  run_cases();
  for (int64_t bad : {-1, 32})
    EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp::MULHR, Loop{}, false, bad)}),
                HasSubstr("outside 0..31"));
}

TEST_P(FsimCompute, FusedRequantizeFollowsTheSpec) {
  run_cases();
  EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp::REQ, Loop{}, true, 3)}), HasSubstr("vector operand"));
}

TEST_P(FsimCompute, FloatRequantizeRoundsLikeOnnxruntime) {
  run_cases();
  EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp::REQ, Loop{}, false, 0x41)}), HasSubstr("no shift"));
}

TEST_P(FsimCompute, QaddMatchesOnnxruntime) {
  run_cases();
  EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp::REQ, Loop{}, false, 0xC3)}), HasSubstr("packed-add mode"));
}

// The ALU opcode field at its boundaries (issue #14: the former "reserved opcode" test skipped on every
// config once isa.def defined all eight values). Inside the field's width every value either runs (a
// defined operation) or is refused as reserved; the first value past the width cannot be encoded, is
// refused by the simulator as not fitting the field, and raw bits set to the field's maximum decode to exactly that value
// without spilling into the neighbouring slots.
TEST_P(FsimCompute, AluOpcodeFieldBoundaryIsChecked) {
  const Slot* slot = cfg.layout.find(Format::ALU, Field::ALU_OPCODE);
  ASSERT_NE(slot, nullptr);
  const int top = (1 << slot->width) - 1;
  for (int op = 0; op <= top; ++op) {
    SCOPED_TRACE("alu_opcode " + std::to_string(op));
    const std::string err = run_error({load_uops({{0, 1, 0}}), alu(AluOp(op), Loop{})});
    if (alu_op_name(op))
      EXPECT_EQ(err, "");
    else
      EXPECT_THAT(err, AllOf(HasSubstr("instruction 1 (ALU, compute unit)"), HasSubstr("reserved ALU opcode " + std::to_string(op))));
  }
  for (int op : {top + 1, -1}) {
    SCOPED_TRACE("alu_opcode " + std::to_string(op));
    EXPECT_EQ(alu_op_name(op), nullptr);
    EXPECT_THAT(run_error({load_uops({{0, 1, 0}}), alu(AluOp(op), Loop{})}),
                AllOf(HasSubstr("instruction 1 (ALU, compute unit)"),
                      HasSubstr("does not fit unsigned " + std::to_string(slot->width) + "-bit field alu_op")));
    const IsaCodec codec(cfg.layout);
    std::vector<uint64_t> words(size_t(codec.insn_words()));
    EXPECT_THROW(codec.encode(alu(AluOp(op), Loop{}), words.data()), EncodeError);
  }
  // Raw instruction: opcode ALU, every bit of the alu_opcode slot set, nothing else.
  const IsaCodec codec(cfg.layout);
  std::vector<uint64_t> words(size_t(codec.insn_words()));
  codec.encode(alu(AluOp(0), Loop{}), words.data());
  words[size_t(slot->lsb / 64)] |= uint64_t(top) << (slot->lsb % 64);
  const Insn d = codec.decode(words.data());
  EXPECT_EQ(d[Field::ALU_OPCODE], top);
  Insn expect = alu(AluOp(0), Loop{});
  expect[Field::ALU_OPCODE] = top;
  EXPECT_EQ(d, expect) << "setting the alu_opcode bits changed another field";
}

TEST_P(FsimCompute, ResetZeroesExactlyTheAddressedAccumulators) {
  run_cases();  // a GEMM reset, then an ALU reset
  EXPECT_EQ(sim.stats().gemm_reset_uops, 8u);
  EXPECT_EQ(sim.stats().alu_uops, 8u);
  EXPECT_EQ(sim.stats().macs, 0u);
}

TEST_P(FsimCompute, TwoLevelUopLoopsOnEveryKernelMatchReference) { run_cases(); }

TEST_P(FsimCompute, TiledMatmulEqualsPlainMatmul) { run_cases(); }

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

TEST_P(FsimCompute, AluWithImmediateDoesNotCheckItsUnusedSource) { run_cases(); }

INSTANTIATE_TEST_SUITE_P(Configs, FsimCompute, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
