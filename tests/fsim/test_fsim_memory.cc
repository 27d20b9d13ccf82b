// LOAD and STORE: padding, strides, every memory type, sign extension, truncation and range errors.
#include <gmock/gmock.h>

#include "tests/fsim/fsim_fixture.h"

namespace tessera {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace programs;

using FsimMemory = FsimTest;

constexpr MemType kLoadable[] = {MemType::UOP, MemType::WGT, MemType::INP, MemType::ACC, MemType::ACC_8BIT};

TEST_P(FsimMemory, PaddedStridedLoadOfEveryTypeMatchesReference) {
  for (MemType m : kLoadable) {
    SCOPED_TRACE(mem_type_name(int(m)));
    // Dirty the region first so that padding zeros are observable.
    run_both({load(m, 0, 40, 1, 60, 60), load(m, 5, 3, 3, 4, 7, Pads{1, 2, 3, 1})});
  }
}

TEST_P(FsimMemory, PaddingLandsWhereTheSpecSays) {
  run_both({load(MemType::INP, 0, 100, 1, 64, 64), load(MemType::INP, 2, 9, 2, 3, 11, Pads{1, 1, 2, 1})});
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_in, row = 2 + 3 + 1;
  auto is_zero = [&](int64_t e) {
    for (int64_t l = 0; l < lanes; ++l)
      if (sim.inp(e)[l] != 0) return false;
    return true;
  };
  for (int64_t x = 0; x < row; ++x) EXPECT_TRUE(is_zero(2 + x)) << "y_pad_0 row, x " << x;  // leading zero row
  for (int64_t y = 0; y < 2; ++y) {
    const int64_t r = 2 + (1 + y) * row;
    EXPECT_TRUE(is_zero(r) && is_zero(r + 1) && is_zero(r + 5)) << "x pads of row " << y;
    for (int64_t x = 0; x < 3; ++x)
      for (int64_t l = 0; l < lanes; ++l)
        ASSERT_EQ(sim.inp(r + 2 + x)[l], int8_t(dram[size_t((9 + y * 11 + x) * lanes + l)])) << y << "," << x;
  }
  for (int64_t x = 0; x < row; ++x) EXPECT_TRUE(is_zero(2 + 3 * row + x)) << "y_pad_1 row";
  EXPECT_FALSE(is_zero(2 + 4 * row)) << "the load wrote past its last pad row";
}

TEST_P(FsimMemory, Acc8BitLoadSignExtends) {
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  const uint8_t pattern[] = {0x80, 0xff, 0x7f, 0x00, 0x01, 0xfe};
  for (int64_t l = 0; l < lanes; ++l) dram[size_t(lanes * 3 + l)] = pattern[l % 6];
  run_both({load(MemType::ACC_8BIT, 7, 3, 1, 1, 1)});
  const int32_t want[] = {-128, -1, 127, 0, 1, -2};
  for (int64_t l = 0; l < lanes; ++l) EXPECT_EQ(sim.acc(7)[l], want[l % 6]) << "lane " << l;
}

TEST_P(FsimMemory, StoreTruncatesToLowEightBits) {
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  const int32_t values[] = {0x12345680, 300, -129, 127, -128, 255, int32_t(0x80000000), -1};
  for (int64_t e = 0; e < 4; ++e)
    for (int64_t l = 0; l < lanes; ++l) {
      const int32_t v = values[(e + l) % 8];
      std::memcpy(&dram[size_t((10 + e) * lanes * 4 + l * 4)], &v, 4);
    }
  // Two rows of two elements, DRAM row stride 5 elements.
  run_both({load(MemType::ACC, 0, 10, 1, 4, 4), store(0, 1000, 2, 2, 5)});
  const uint8_t want[] = {0x80, 44, 127, 127, 0x80, 0xff, 0x00, 0xff};
  for (int64_t y = 0; y < 2; ++y)
    for (int64_t x = 0; x < 2; ++x)
      for (int64_t l = 0; l < lanes; ++l)
        EXPECT_EQ(dram[size_t((1000 + y * 5 + x) * lanes + l)], want[(y * 2 + x + l) % 8]) << y << x << l;
}

TEST_P(FsimMemory, SyncLoadAndStoreMoveNoData) {
  const std::vector<uint8_t> before = dram;
  run_both({load(MemType::INP, 0, 0, 3, 0, 3, Pads{2, 2, 2, 2}), store(0, 0, 3, 0, 3)});
  EXPECT_TRUE(dram == before);
  for (int64_t l = 0; l < int64_t(cfg.hw.batch) * cfg.hw.block_in; ++l) EXPECT_EQ(sim.inp(0)[l], 0);
  EXPECT_EQ(sim.stats().bytes_loaded[int(MemType::INP)], 0u);
  EXPECT_EQ(sim.stats().bytes_stored, 0u);
}

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

TEST_P(FsimMemory, LoadStatsCountDramBytesPerType) {
  run_both({load(MemType::INP, 0, 0, 2, 3, 5, Pads{1, 1, 1, 1}), load(MemType::ACC_8BIT, 0, 0, 1, 4, 4),
            load(MemType::ACC, 0, 0, 1, 2, 2), store(0, 0, 1, 3, 3)});
  const FsimStats& s = sim.stats();
  EXPECT_EQ(s.bytes_loaded[int(MemType::INP)], uint64_t(6 * cfg.inp.elem_bytes));
  EXPECT_EQ(s.bytes_loaded[int(MemType::ACC_8BIT)], uint64_t(4 * cfg.hw.batch * cfg.hw.block_out));
  EXPECT_EQ(s.bytes_loaded[int(MemType::ACC)], uint64_t(2 * cfg.acc.elem_bytes));
  EXPECT_EQ(s.bytes_stored, uint64_t(3 * cfg.hw.batch * cfg.hw.block_out));
  EXPECT_EQ(s.insns[int(Unit::LOAD)], 1u);
  EXPECT_EQ(s.insns[int(Unit::COMPUTE)], 3u);  // ACC_8BIT, ACC loads and FINISH
  EXPECT_EQ(s.insns[int(Unit::STORE)], 1u);
}

INSTANTIATE_TEST_SUITE_P(Configs, FsimMemory, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
