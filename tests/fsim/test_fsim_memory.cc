// LOAD and STORE: padding, strides, every memory type (STORE OUT_TO_INP too), sign extension, truncation
// and range errors.
// The legal programs are the FsimMemory cases of tests/fsim/instruction_cases.cc.
#include <gmock/gmock.h>

#include <cstring>

#include "tests/fsim/fsim_fixture.h"

namespace tessera {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace programs;

using FsimMemory = FsimTest;

TEST_P(FsimMemory, PaddedStridedLoadOfEveryTypeMatchesReference) { run_cases(); }
TEST_P(FsimMemory, PaddingLandsWhereTheSpecSays) { run_cases(); }
TEST_P(FsimMemory, Acc8BitLoadSignExtends) { run_cases(); }
TEST_P(FsimMemory, StoreTruncatesToLowEightBits) { run_cases(); }
TEST_P(FsimMemory, StoreOutToInpMatchesReference) { run_cases(); }
TEST_P(FsimMemory, SyncLoadAndStoreMoveNoData) { run_cases(); }

TEST_P(FsimMemory, LoadPastSramDepthNamesFieldAndRange) {
  const int64_t depth = cfg.inp.depth;
  const std::string msg = run_error({load(MemType::INP, depth - 4, 0, 1, 4, 4, Pads{0, 0, 0, 1})});
  EXPECT_THAT(msg, AllOf(HasSubstr("instruction 0 (LOAD, load unit)"), HasSubstr("sram_base"),
                         HasSubstr(std::to_string(depth)), HasSubstr(std::to_string(depth - 4) + ".." + std::to_string(depth))));
}

TEST_P(FsimMemory, LoadPastDramEndNamesFieldAndElement) {
  const int64_t eb = cfg.elem_bytes(int(MemType::WGT)), last = int64_t(dram.size()) / eb;
  std::string msg = run_error({load(MemType::WGT, 0, last, 1, 1, 1)});
  EXPECT_THAT(msg, AllOf(HasSubstr("instruction 0 (LOAD"), HasSubstr("dram_base: DRAM element " + std::to_string(last))));
  msg = run_error({load(MemType::WGT, 0, last - 3, 2, 1, 3)});  // second row runs off the end
  EXPECT_THAT(msg, AllOf(HasSubstr("x_stride"), HasSubstr("DRAM element " + std::to_string(last))));
}

TEST_P(FsimMemory, StoreOutOfRangeNamesField) {
  EXPECT_THAT(run_error({store(cfg.acc.depth - 1, 0, 1, 2, 2)}),
              AllOf(HasSubstr("instruction 0 (STORE, store unit)"), HasSubstr("sram_base"),
                    HasSubstr(std::to_string(cfg.acc.depth))));
  const int64_t last = int64_t(dram.size()) / cfg.out.elem_bytes;
  EXPECT_THAT(run_error({store(0, last - 1, 1, 2, 2)}),
              AllOf(HasSubstr("dram_base"), HasSubstr("DRAM element " + std::to_string(last))));
}

TEST_P(FsimMemory, IllegalMemoryTypesAndStorePaddingAreErrors) {
  EXPECT_THAT(run_error({load(MemType::OUT, 0, 0, 1, 1, 1)}), AllOf(HasSubstr("memory_type"), HasSubstr("OUT")));
  EXPECT_THAT(run_error({mem(Opcode::STORE, MemType::INP, 0, 0, 1, 1, 1)}),
              AllOf(HasSubstr("memory_type"), HasSubstr("INP cannot be stored")));
  EXPECT_THAT(run_error({mem(Opcode::STORE, MemType::OUT, 0, 0, 1, 1, 1, Pads{0, 0, 1, 0})}),
              AllOf(HasSubstr("x_pad_0"), HasSubstr("does not pad")));
  EXPECT_THAT(run_error({load(MemType(7), 0, 0, 1, 1, 1)}), AllOf(HasSubstr("memory_type"), HasSubstr("7")));
}

TEST_P(FsimMemory, FieldWiderThanItsSlotIsRejected) {
  EXPECT_THAT(run_error({load(MemType::INP, 0, 0, 1, int64_t{1} << 16, 1)}),
              AllOf(HasSubstr("instruction 0"), HasSubstr("x_size"), HasSubstr("does not fit")));
  EXPECT_THAT(run_error({load(MemType::INP, 0, -1, 1, 1, 1)}), HasSubstr("dram_base"));
}

TEST_P(FsimMemory, LoadStatsCountDramBytesPerType) { run_cases(); }

// STORE OUT_TO_INP: acc[a0 + y*xs + x], each lane truncated to 8 bits, becomes inp[d + y*stride + x];
// the INP elements between the strided rows keep what LOAD put there, nothing goes to DRAM, and a GEMM
// that waits on the store's s2g token multiplies the copied elements. Expected values come from the
// DRAM image alone (not from the fsim's own state). On a config with BLOCK_IN != BLOCK_OUT the
// instruction is rejected instead.
TEST_P(FsimMemory, StoreOutToInpCopiesTruncatedLanesAndAGemmReadsThem) {
  const int B = cfg.hw.batch, I = cfg.hw.block_in, O = cfg.hw.block_out;
  const int64_t a0 = 3, d = 10, ys = 3, xs = 4, stride = 6, dst = 60, acc_dram = 64;
  const Insn copy = mem(Opcode::STORE, MemType::OUT_TO_INP, a0, d, ys, xs, stride, {}, {true, false, true, false});
  if (I != O) {
    EXPECT_THAT(run_error({with_tokens(copy, {})}), AllOf(HasSubstr("memory_type"), HasSubstr("BLOCK_IN = BLOCK_OUT")));
    return;
  }
  const int64_t acc_eb = cfg.elem_bytes(int(MemType::ACC)), inp_eb = cfg.elem_bytes(int(MemType::INP));
  auto word = [&](int64_t e, int64_t lane) {  // lane of DRAM ACC element e
    uint32_t v = 0;
    std::memcpy(&v, &dram[size_t(e * acc_eb + lane * 4)], 4);
    return v;
  };
  // Lanes whose low byte differs from a saturated value: truncation, not clamping.
  const uint32_t corner[3] = {0x7fffff80u, 0xffffffffu, 0x00000100u};
  for (int l = 0; l < 3; ++l) std::memcpy(&dram[size_t(acc_dram * acc_eb + l * 4)], &corner[l], 4);
  const int64_t uops = cases::uop_elem(cfg, dram);
  put_uops(dram, cfg, uops, {{uint32_t(dst), uint32_t(d), 0}});
  const std::vector<uint8_t> before = dram;
  const std::vector<Insn> prog = {
      load(MemType::INP, 0, 0, 1, 40, 40),
      load(MemType::WGT, 0, 0, 1, 1, 1, {}, {false, false, false, true}),                     // l2g
      load(MemType::UOP, 0, uops, 1, 1, 1),
      gemm({0, 1, ys, xs, xs, 1, 0, 0, 0, 0}, true),                                          // reset dst rows
      load(MemType::ACC, a0, acc_dram, 1, ys * xs, ys * xs, {}, {false, false, false, true}),  // g2s
      copy,                                                                                    // pops g2s, pushes s2g
      gemm({0, 1, ys, xs, xs, 1, stride, 1, 0, 0}, false, {true, true, false, false}),        // pops l2g, s2g
      finish()};
  const FsimStats st = sim.run(prog, dram);
  EXPECT_EQ(st.bytes_stored, 0u) << "OUT_TO_INP writes no DRAM";
  EXPECT_TRUE(dram == before);
  EXPECT_EQ(int(sim.inp(d)[0]), -128);
  EXPECT_EQ(int(sim.inp(d)[1]), -1);
  EXPECT_EQ(int(sim.inp(d)[2]), 0);
  int bad = 0;
  for (int64_t y = 0; y < ys; ++y)
    for (int64_t x = 0; x < stride && bad < 5; ++x) {
      const int64_t e = d + y * stride + x;
      for (int64_t l = 0; l < int64_t(B) * I; ++l) {
        const int want = x < xs ? int(int8_t(uint8_t(word(acc_dram + y * xs + x, l) & 0xffu)))
                                : int(int8_t(before[size_t(e * inp_eb + l)]));  // between rows: the LOAD's
        if (e < d + (ys - 1) * stride + xs && int(sim.inp(e)[l]) != want)
          ++bad, ADD_FAILURE() << "inp " << e << " lane " << l << ": " << int(sim.inp(e)[l]) << ", expected " << want;
      }
    }
  for (int64_t y = 0; y < ys; ++y)
    for (int64_t x = 0; x < xs && bad < 5; ++x)
      for (int b = 0; b < B; ++b)
        for (int o = 0; o < O; ++o) {
          int32_t want = 0;
          for (int i = 0; i < I; ++i)
            want += int32_t(int8_t(uint8_t(word(acc_dram + y * xs + x, b * I + i) & 0xffu))) * int8_t(before[size_t(o * I + i)]);
          const int32_t got = sim.acc(dst + y * xs + x)[b * O + o];
          if (got != want) ++bad, ADD_FAILURE() << "acc " << dst + y * xs + x << " lane " << b * O + o << ": " << got << ", expected " << want;
        }
}

TEST_P(FsimMemory, StoreOutToInpRejections) {
  const auto copy = [](int64_t d, int64_t x) { return mem(Opcode::STORE, MemType::OUT_TO_INP, 0, d, 1, x, x); };
  if (cfg.hw.block_in == cfg.hw.block_out) {
    const int64_t depth = cfg.inp.depth;
    EXPECT_EQ(run_error({copy(depth - 4, 4)}), "");  // the last four elements: legal
    EXPECT_THAT(run_error({copy(depth - 3, 4)}),
                AllOf(HasSubstr("dram_base"), HasSubstr("INP SRAM element " + std::to_string(depth)),
                      HasSubstr("past its depth " + std::to_string(depth))));
    sim.set_semantics(Semantics::VTA);  // the stream ends as VTA's runtime ends it, so only the copy is wrong
    EXPECT_THAT(run_error({with_tokens(copy(0, 1), {false, false, true, false}), sync(Unit::LOAD, {false, false, false, true}),
                           sync(Unit::COMPUTE, {true, true, false, false})}),
                AllOf(HasSubstr("memory_type"), HasSubstr("TESSERA extension")));
    sim.set_semantics(Semantics::TESSERA);
  } else {
    EXPECT_THAT(run_error({copy(0, 1)}),
                AllOf(HasSubstr("BLOCK_IN = BLOCK_OUT"), HasSubstr(std::to_string(cfg.hw.block_in) + " and " +
                                                                    std::to_string(cfg.hw.block_out))));
  }
  EXPECT_THAT(run_error({load(MemType::OUT_TO_INP, 0, 0, 1, 1, 1)}),
              AllOf(HasSubstr("memory_type"), HasSubstr("OUT_TO_INP can only be stored, not loaded")));
}

INSTANTIATE_TEST_SUITE_P(Configs, FsimMemory, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
