// Fused inverted-residual blocks on the functional simulator against the plain-loop reference of
// their layers, under random legal schedules (tile sizes, chunks, single and double buffers).
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "compiler/compile_error.h"
#include "compiler/search/block_search.h"
#include "tests/compiler/block_harness.h"

namespace tessera::compiler {
namespace {

using testing::Agreement;
using testing::BlockSpec;

// The searched schedule first, then up to `want - 1` others drawn from the legal space.
std::vector<BlockSchedule> some_block_schedules(const ConvBlock& blk, const DerivedConfig& cfg, size_t want, uint64_t seed) {
  std::vector<BlockSchedule> all = block_schedules(blk, cfg), out{search::search_block(blk, cfg).schedule};
  std::mt19937_64 rng(seed);
  for (int tries = 0; tries < 100 && out.size() < want && !all.empty(); ++tries) {
    const BlockSchedule s = all[rng() % all.size()];
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

struct Case {
  const char* name;
  BlockSpec spec;
};

class LowerBlock : public ::testing::TestWithParam<Case> {};

TEST_P(LowerBlock, MatchesReferenceUnderSeveralSchedules) {
  const Case& c = GetParam();
  const DerivedConfig cfg = testing::config_named("default");
  Agreement agree;
  int64_t schedules = 0;
  for (uint64_t seed = 1; seed <= 2; ++seed) {
    const ConvBlock blk = testing::random_block(c.spec, seed * 101);
    for (const BlockSchedule& s : some_block_schedules(blk, cfg, 4, seed)) {
      SCOPED_TRACE("schedule " + block_schedule_json(s));
      testing::run_block_and_compare(blk, s, cfg, "fsim", seed, agree);
      ++schedules;
    }
  }
  EXPECT_GE(schedules, 4);
  // Every buffering mode once more on the first block: single, double, double with overlap.
  const ConvBlock blk = testing::random_block(c.spec, 101);
  for (const int64_t mode : {0, 1, 2}) {
    std::optional<BlockSchedule> pick;
    for (const BlockSchedule& s : block_schedules(blk, cfg))
      if (s.bufs == (mode ? 2 : 1) && s.overlap == (mode == 2 ? 1 : 0)) pick = s;  // the largest tiles
    if (!pick) continue;
    SCOPED_TRACE("schedule " + block_schedule_json(*pick));
    testing::run_block_and_compare(blk, *pick, cfg, "fsim", 9, agree);
    ++schedules;
  }
  EXPECT_EQ(agree.worse, 0) << "elements off by more than one LSB";
  EXPECT_LE(agree.off_by_one * 1000, agree.elements) << agree.off_by_one << " of " << agree.elements << " off by one";
}

BlockSpec spec(ElemType t, int64_t c, int64_t e, int64_t k, int64_t h, int64_t w, bool expand, bool residual, bool clamp,
               bool skip_first = false, int stride = 1) {
  BlockSpec s;
  s.type = t, s.c = c, s.e = e, s.k = k, s.h = h, s.w = w, s.expand = expand, s.residual = residual, s.clamp = clamp;
  s.skip_first = skip_first, s.stride = stride;
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Blocks, LowerBlock,
    ::testing::Values(
        // MobileNetV2's shapes, small: 24 -> 144 -> 24 with the add; partial channel blocks; odd sizes
        Case{"expand_add_uint8", spec(ElemType::UINT8, 24, 144, 24, 9, 10, true, true, false)},
        Case{"expand_add_skip_first_int8", spec(ElemType::INT8, 16, 96, 16, 7, 7, true, true, true, true)},
        Case{"expand_no_add_clamp", spec(ElemType::UINT8, 20, 120, 40, 11, 6, true, false, true)},
        Case{"no_expand", spec(ElemType::INT8, 32, 32, 16, 12, 12, false, false, false)},
        Case{"no_expand_add", spec(ElemType::UINT8, 40, 40, 40, 5, 14, false, true, true)},
        // stride 2: the expanded window split by row and column parity, the depthwise mode at full rate
        Case{"stride2_even", spec(ElemType::UINT8, 16, 96, 24, 12, 10, true, false, true, false, 2)},
        Case{"stride2_odd_int8", spec(ElemType::INT8, 24, 144, 32, 9, 11, true, false, false, false, 2)}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(LowerBlock, RejectsBlocksTheModeCannotRun) {
  const ConvBlock blk = testing::random_block(spec(ElemType::INT8, 16, 32, 16, 6, 6, true, false, false), 3);
  EXPECT_THROW(check_block(blk, testing::config_named("tiny")), CompileError);  // no depthwise mode
  ConvBlock strided = blk;
  strided.depthwise.stride_h = strided.depthwise.stride_w = 3;
  EXPECT_THROW(check_block(strided, testing::config_named("default")), CompileError);  // stride 1 or 2 only
  const ConvBlock s2 = testing::random_block(spec(ElemType::UINT8, 32, 32, 16, 8, 8, false, false, false, false, 2), 3);
  EXPECT_THROW(check_block(s2, testing::config_named("default")), CompileError);  // stride 2 needs the expansion
  EXPECT_NO_THROW(check_block(testing::random_block(spec(ElemType::UINT8, 16, 32, 16, 8, 8, true, false, false, false, 2), 3),
                              testing::config_named("default")));
  std::vector<std::string> issues;
  plan_block(blk, BlockSchedule{6, 6, 2, 3}, testing::config_named("default"), &issues);
  EXPECT_FALSE(issues.empty());  // three buffers is no legal setting
}

}  // namespace
}  // namespace tessera::compiler
