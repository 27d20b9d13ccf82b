// LOAD and STORE: padding, strides, every memory type, sign extension, truncation and range errors.
// The legal programs are the FsimMemory cases of tests/fsim/instruction_cases.cc.
#include <gmock/gmock.h>

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

INSTANTIATE_TEST_SUITE_P(Configs, FsimMemory, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
