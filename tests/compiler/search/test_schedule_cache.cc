// Schedule cache: round trip, corrupt and stale files ignored with a warning, illegal entries
// re-searched, and a cached search that skips the search on a hit; the same for fused blocks.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/import/random_layer.h"
#include "compiler/search/schedule_cache.h"
#include "tests/compiler/block_harness.h"

namespace tessera::compiler::search {
namespace {

DerivedConfig config_named(const std::string& name) {
  return load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + name + ".json");
}

LayerProblem problem(const DerivedConfig& cfg) {
  RandomLayerSpec spec;
  spec.c = 32, spec.h = spec.w = 10, spec.k = 24, spec.kernel = 3, spec.pad = 1, spec.per_channel = true;
  return layer_problem(random_layer(spec, 2), cfg, IsaTarget::TESSERA);
}

class ScheduleCacheTest : public ::testing::Test {
 protected:
  std::string path = ::testing::TempDir() + "tessera_schedule_cache_" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
  void SetUp() override { std::remove(path.c_str()); }
  void TearDown() override { std::remove(path.c_str()); }
  void write(const std::string& text) { std::ofstream(path) << text; }
  std::string read() {
    std::stringstream ss;
    ss << std::ifstream(path).rdbuf();
    return ss.str();
  }
};

TEST_F(ScheduleCacheTest, RoundTripKeyedByLayerConfigAndObjective) {
  const DerivedConfig tiny = config_named("tiny"), def = config_named("default");
  const LayerProblem lp = problem(tiny);
  Schedule s = default_schedule(lp.g, tiny, true);
  {
    ScheduleCache c(path);
    EXPECT_TRUE(c.warnings().empty());  // no file yet is not a problem
    EXPECT_FALSE(c.find(lp, tiny, Objective::LATENCY));
    c.put(lp, tiny, Objective::LATENCY, s, 1234);
    c.save();
  }
  ScheduleCache c(path);
  EXPECT_TRUE(c.warnings().empty());
  ASSERT_EQ(c.size(), 1u);
  const auto got = c.find(lp, tiny, Objective::LATENCY);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, s);
  EXPECT_FALSE(c.find(lp, tiny, Objective::DRAM_TRAFFIC));
  EXPECT_FALSE(c.find(problem(def), def, Objective::LATENCY));  // another config hash
  LayerProblem other = lp;
  other.alu_imm_ops += 1;  // another epilogue is another layer
  EXPECT_FALSE(c.find(other, tiny, Objective::LATENCY));
}

TEST_F(ScheduleCacheTest, CorruptFilesAreIgnoredWithAWarning) {
  const DerivedConfig cfg = config_named("tiny");
  for (const std::string& text : std::vector<std::string>{"{not json", "[1,2,3]", "{\"format\":\"something else\"}",
                                 "{\"format\":\"tessera-schedule-cache\",\"version\":\"" + search_version() +
                                     "\",\"entries\":[{\"key\":\"k\",\"schedule\":{\"tile_b\":1},\"cycles\":1}]}"}) {
    write(text);
    ScheduleCache c(path);
    ASSERT_EQ(c.warnings().size(), 1u) << text;
    EXPECT_NE(c.warnings()[0].find(path), std::string::npos);
    EXPECT_NE(c.warnings()[0].find("corrupt"), std::string::npos) << c.warnings()[0];
    EXPECT_EQ(c.size(), 0u);
    EXPECT_FALSE(c.find(problem(cfg), cfg, Objective::LATENCY));
  }
}

TEST_F(ScheduleCacheTest, StaleVersionIsIgnored) {
  const DerivedConfig cfg = config_named("tiny");
  const LayerProblem lp = problem(cfg);
  {
    ScheduleCache c(path);
    c.put(lp, cfg, Objective::LATENCY, default_schedule(lp.g, cfg, true), 1);
    c.save();
  }
  auto j = nlohmann::json::parse(read());
  j["version"] = "lowering 0, model 0";
  write(j.dump());
  ScheduleCache c(path);
  ASSERT_EQ(c.warnings().size(), 1u);
  EXPECT_NE(c.warnings()[0].find("stale"), std::string::npos);
  EXPECT_FALSE(c.find(lp, cfg, Objective::LATENCY));
}

TEST_F(ScheduleCacheTest, IllegalEntryIsReSearched) {
  const DerivedConfig cfg = config_named("tiny");
  const LayerProblem lp = problem(cfg);
  Schedule huge;  // whole-layer tiles: far beyond tiny's SRAMs
  huge.tile_h = lp.g.oh, huge.tile_w = lp.g.ow, huge.tile_ci = lp.g.cb, huge.tile_co = lp.g.kb;
  ASSERT_FALSE(schedule_issues(lp.g, huge, cfg, true).empty());
  {
    ScheduleCache c(path);
    c.put(lp, cfg, Objective::LATENCY, huge, 1);
    c.save();
  }
  ScheduleCache c(path);
  EXPECT_FALSE(c.find(lp, cfg, Objective::LATENCY));
  ASSERT_EQ(c.warnings().size(), 1u);
  EXPECT_NE(c.warnings()[0].find("illegal"), std::string::npos);
  const CostModel model(cfg);
  const Schedule s = cached_search(lp, model, &c, {});
  EXPECT_EQ(s, search_layer(lp, model).top[0].schedule);
  EXPECT_EQ(*c.find(lp, cfg, Objective::LATENCY), s);  // replaced by the searched one
}

TEST_F(ScheduleCacheTest, CachedSearchHitSkipsTheSearch) {
  const DerivedConfig cfg = config_named("tiny");
  const LayerProblem lp = problem(cfg);
  const Schedule legal_but_not_best = default_schedule(lp.g, cfg, true);
  ScheduleCache c(path);
  c.put(lp, cfg, Objective::LATENCY, legal_but_not_best, 1);
  EXPECT_EQ(cached_search(lp, CostModel(cfg), &c, {}), legal_but_not_best);
}

TEST_F(ScheduleCacheTest, SearchedScheduleFillsTheCacheAndReportsProblems) {
  const DerivedConfig cfg = config_named("tiny");
  RandomLayerSpec spec;
  spec.c = 32, spec.h = spec.w = 10, spec.k = 24, spec.kernel = 3, spec.pad = 1, spec.per_channel = true;
  const Layer layer = random_layer(spec, 2);
  std::vector<std::string> warnings;
  const Schedule s = searched_schedule(layer, cfg, IsaTarget::TESSERA, path, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(s, searched_schedule(layer, cfg, IsaTarget::TESSERA, "", warnings));  // same answer without a cache
  EXPECT_EQ(ScheduleCache(path).size(), 1u);                                      // the miss was saved
  write("garbage");
  EXPECT_EQ(searched_schedule(layer, cfg, IsaTarget::TESSERA, path, warnings), s);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("corrupt"), std::string::npos);
  EXPECT_EQ(ScheduleCache(path).size(), 1u);  // rewritten
}

// Fused blocks: the searched schedule and its cycles round-trip, keyed by the block's layers and the
// config; another epilogue (the residual add) is another block.
TEST_F(ScheduleCacheTest, BlockEntriesRoundTripBesideLayerEntries) {
  const DerivedConfig cfg = config_named("default");
  const ConvBlock blk = testing::random_block({}, 3);
  testing::BlockSpec with_add;
  with_add.residual = true;
  const ConvBlock other = testing::random_block(with_add, 3);
  const LayerProblem lp = problem(cfg);
  const BlockChoice searched = search_block(blk, cfg);
  {
    ScheduleCache c(path);
    EXPECT_FALSE(c.find_block(blk, cfg));
    c.put_block(blk, cfg, searched);
    c.put(lp, cfg, Objective::LATENCY, default_schedule(lp.g, cfg, true), 7);
    c.save();
  }
  ScheduleCache c(path);
  EXPECT_TRUE(c.warnings().empty());
  ASSERT_EQ(c.size(), 2u);
  const auto got = c.find_block(blk, cfg);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->schedule, searched.schedule);
  EXPECT_EQ(got->cycles, searched.cycles);
  EXPECT_FALSE(c.find_block(other, cfg));
  EXPECT_TRUE(c.find(lp, cfg, Objective::LATENCY));
  EXPECT_NE(read().find("\"block\": {"), std::string::npos);
}

TEST_F(ScheduleCacheTest, MalformedBlockEntryMakesTheFileCorrupt) {
  const DerivedConfig cfg = config_named("default");
  const ConvBlock blk = testing::random_block({}, 3);
  {
    ScheduleCache c(path);
    c.put_block(blk, cfg, search_block(blk, cfg));
    c.save();
  }
  for (const char* edit : {"tile_e", "extra"}) {
    auto j = nlohmann::json::parse(read());
    if (std::string(edit) == "extra") j["entries"][0]["block"]["tile_z"] = 1;
    else j["entries"][0]["block"].erase(edit);
    std::ofstream(path) << j.dump();
    ScheduleCache c(path);
    ASSERT_EQ(c.warnings().size(), 1u) << edit;
    EXPECT_NE(c.warnings()[0].find("corrupt"), std::string::npos) << c.warnings()[0];
    EXPECT_FALSE(c.find_block(blk, cfg));
  }
}

// A cached block schedule that no longer fits is reported and searched again; a legal one, even if
// not the fastest, is used without searching.
TEST_F(ScheduleCacheTest, IllegalBlockEntryIsReSearchedAndLegalOneUsed) {
  const DerivedConfig cfg = config_named("default");
  const ConvBlock blk = testing::random_block({}, 3);
  const BlockChoice best = search_block(blk, cfg);
  BlockChoice huge = best;
  huge.schedule.tile_h = huge.schedule.tile_w = 1000;
  {
    ScheduleCache c(path);
    c.put_block(blk, cfg, huge);
    c.save();
  }
  {
    ScheduleCache c(path);
    EXPECT_FALSE(c.find_block(blk, cfg));
    ASSERT_EQ(c.warnings().size(), 1u);
    EXPECT_NE(c.warnings()[0].find("illegal"), std::string::npos) << c.warnings()[0];
    std::string origin;
    EXPECT_EQ(cached_block_search(blk, cfg, &c, nullptr, &origin).schedule, best.schedule);
    EXPECT_EQ(origin, "search");
    EXPECT_EQ(c.find_block(blk, cfg)->schedule, best.schedule);  // replaced by the searched one
  }
  std::vector<BlockSchedule> legal = block_schedules(blk, cfg);
  legal.erase(std::remove(legal.begin(), legal.end(), best.schedule), legal.end());
  ASSERT_FALSE(legal.empty());
  BlockChoice slower = best;
  slower.schedule = legal.front(), slower.cycles = 1;
  ScheduleCache c(path);
  c.put_block(blk, cfg, slower);
  std::string origin;
  const BlockChoice hit = cached_block_search(blk, cfg, &c, nullptr, &origin);
  EXPECT_EQ(hit.schedule, slower.schedule);
  EXPECT_EQ(hit.cycles, 1);
  EXPECT_EQ(origin, c.label());
}

TEST_F(ScheduleCacheTest, SearchedBlockFillsTheCacheOnce) {
  const DerivedConfig cfg = config_named("default");
  const ConvBlock blk = testing::random_block({}, 4);
  std::vector<std::string> warnings;
  std::string origin;
  const BlockChoice first = searched_block(blk, cfg, path, warnings, "", &origin);
  EXPECT_EQ(origin, "search");
  const BlockChoice second = searched_block(blk, cfg, path, warnings, "", &origin);
  EXPECT_EQ(origin, "schedule cache " + path);
  EXPECT_EQ(second.schedule, first.schedule);
  EXPECT_EQ(second.cycles, first.cycles);
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
}  // namespace tessera::compiler::search
