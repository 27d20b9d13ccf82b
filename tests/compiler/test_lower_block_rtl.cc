// Fused blocks on the RTL model: every token the lowering links is exercised by real concurrency,
// so the output must equal the fsim's byte for byte (and the reference's within one LSB).
#include <gtest/gtest.h>

#include "compiler/search/block_search.h"
#include "tests/compiler/block_harness.h"

namespace tessera::compiler {
namespace {

struct RtlCase {
  const char* name;
  testing::BlockSpec spec;
  BlockSchedule schedule;  // besides the searched one
};

class LowerBlockRtl : public ::testing::TestWithParam<RtlCase> {};

TEST_P(LowerBlockRtl, RtlMatchesFsimAndReference) {
  const RtlCase& c = GetParam();
  const DerivedConfig cfg = testing::config_named("default");
  const ConvBlock blk = testing::random_block(c.spec, 17);
  const std::vector<int32_t> x = testing::block_input(blk, 5), want = testing::block_reference(blk, x);
  for (const BlockSchedule& s : {search::search_block(blk, cfg).schedule, c.schedule}) {
    SCOPED_TRACE("schedule " + block_schedule_json(s));
    uint64_t cycles = 0;
    const std::vector<int32_t> rtl = testing::run_block(blk, s, cfg, "rtl", x, &cycles);
    EXPECT_EQ(rtl, testing::run_block(blk, s, cfg, "fsim", x)) << "the RTL and fsim differ";
    testing::Agreement agree;
    agree.add(rtl, want);
    EXPECT_EQ(agree.worse, 0);
    EXPECT_LE(agree.off_by_one * 1000, agree.elements);
    EXPECT_GT(cycles, 0u);
    RecordProperty("rtl_cycles_" + std::to_string(s.tile_h) + "x" + std::to_string(s.tile_w), std::to_string(cycles));
  }
}

testing::BlockSpec spec(ElemType t, int64_t c, int64_t e, int64_t k, int64_t h, int64_t w, bool expand, bool residual,
                        int stride = 1) {
  testing::BlockSpec s;
  s.type = t, s.c = c, s.e = e, s.k = k, s.h = h, s.w = w, s.expand = expand, s.residual = residual, s.clamp = true;
  s.stride = stride;
  return s;
}

// Small tiles and chunks give many steps in flight; single buffers serialize the units instead;
// overlap runs the compute unit's two pipes side by side.
INSTANTIATE_TEST_SUITE_P(
    Blocks, LowerBlockRtl,
    ::testing::Values(RtlCase{"expand_add_double", spec(ElemType::UINT8, 24, 96, 24, 9, 10, true, true), {2, 5, 2, 2}},
                      RtlCase{"expand_single", spec(ElemType::INT8, 16, 64, 32, 7, 7, true, false), {3, 7, 1, 1}},
                      RtlCase{"no_expand_add", spec(ElemType::UINT8, 32, 32, 32, 8, 8, false, true), {3, 4, 1, 2}},
                      // the GEMM and ALU pipes side by side (overlap flag, two ACC banks, phase syncs)
                      RtlCase{"expand_add_overlap", spec(ElemType::UINT8, 24, 96, 24, 9, 10, true, true), {2, 5, 2, 2, 1}},
                      RtlCase{"expand_overlap_one_chunk", spec(ElemType::INT8, 16, 48, 24, 6, 7, true, false), {3, 7, 3, 2, 1}},
                      RtlCase{"no_expand_add_overlap", spec(ElemType::UINT8, 32, 32, 32, 8, 8, false, true), {2, 8, 1, 2, 1}},
                      // stride 2 (the expanded window split by parity)
                      RtlCase{"stride2_overlap", spec(ElemType::UINT8, 16, 96, 24, 12, 10, true, false, 2), {2, 5, 2, 2, 1}},
                      RtlCase{"stride2_single", spec(ElemType::INT8, 24, 48, 16, 9, 9, true, false, 2), {2, 5, 1, 1}}),
    [](const ::testing::TestParamInfo<RtlCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace tessera::compiler
