// Search: the schedule space's enumeration and legality, exactness against brute force on small
// spaces (both objectives), determinism across thread counts, the time budget.
#include <gtest/gtest.h>

#include <algorithm>

#include "compiler/import/random_layer.h"
#include "compiler/search/search.h"

namespace tessera::compiler::search {
namespace {

DerivedConfig config_named(const std::string& name) {
  return load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + name + ".json");
}

LayerProblem problem(const DerivedConfig& cfg, int64_t c, int64_t hw, int64_t k, int kernel, int stride, int pad) {
  RandomLayerSpec spec;
  spec.c = c, spec.h = spec.w = hw, spec.k = k, spec.kernel = kernel, spec.stride = stride, spec.pad = pad;
  spec.per_channel = true;
  return layer_problem(random_layer(spec, 9), cfg, IsaTarget::TESSERA);
}

TEST(ScheduleSpace, TileCandidatesAreTheSmallestTileOfEachCount) {
  EXPECT_EQ(tile_candidates(7), (std::vector<int64_t>{1, 2, 3, 4, 7}));
  EXPECT_EQ(tile_candidates(1), (std::vector<int64_t>{1}));
  EXPECT_EQ(tile_candidates(10), (std::vector<int64_t>{1, 2, 3, 4, 5, 10}));
}

TEST(ScheduleSpace, LegalPointsAreExactlyThoseWithoutIssues) {
  const DerivedConfig cfg = config_named("tiny");
  const LayerProblem lp = problem(cfg, 24, 9, 20, 3, 1, 1);
  const ScheduleSpace space(lp.g, cfg, lp.with_multipliers);
  const auto legal = space.legal();
  size_t next = 0;
  for (int64_t i = 0; i < space.size(); ++i) {
    const bool ok = schedule_issues(lp.g, space.at(i), cfg, true).empty();
    const bool listed = next < legal.size() && legal[next] == i;
    ASSERT_EQ(ok, listed) << i;
    next += listed;
  }
  EXPECT_GT(legal.size(), 10u);
  EXPECT_LT(int64_t(legal.size()), space.size());  // tiny's SRAMs rule some points out
  // Slices concatenate to the whole.
  std::vector<int64_t> joined;
  for (int64_t b = 0; b < space.size(); b += 37)
    for (int64_t i : space.legal(b, std::min(space.size(), b + 37))) joined.push_back(i);
  EXPECT_EQ(joined, legal);
}

// Every legal point evaluated, sorted by the objective.
std::vector<Candidate> brute_force(const LayerProblem& lp, const CostModel& model, Objective o) {
  const ScheduleSpace space(lp.g, model.config(), lp.with_multipliers);
  std::vector<Candidate> all;
  for (int64_t i : space.legal()) {
    Candidate c{space.at(i), model.evaluate(lp, space.at(i)), i};
    if (c.cost.uop_fits) all.push_back(c);
  }
  std::sort(all.begin(), all.end(), [&](const Candidate& a, const Candidate& b) { return better(a, b, o); });
  return all;
}

TEST(Search, MatchesBruteForceForAnyThreadCount) {
  for (const char* cname : {"tiny", "default"}) {
    const DerivedConfig cfg = config_named(cname);
    const CostModel model(cfg);
    for (const LayerProblem& lp : {problem(cfg, 24, 9, 20, 3, 1, 1), problem(cfg, 40, 12, 16, 1, 2, 0),
                                   problem(cfg, 8, 15, 33, 3, 2, 1)}) {
      for (Objective o : {Objective::LATENCY, Objective::DRAM_TRAFFIC}) {
        const auto all = brute_force(lp, model, o);
        ASSERT_GE(all.size(), 5u);
        for (int threads : {1, 2, 4}) {
          SearchOptions opt;
          opt.objective = o, opt.threads = threads, opt.keep_top = 5;
          const SearchResult r = search_layer(lp, model, opt);
          ASSERT_TRUE(r.optimal);
          ASSERT_EQ(r.top.size(), 5u);
          for (size_t k = 0; k < 5; ++k) {
            EXPECT_EQ(r.top[k].index, all[k].index) << cname << " " << lp.descriptor() << " threads " << threads << " rank " << k;
            EXPECT_EQ(r.top[k].cost.cycles, all[k].cost.cycles);
          }
          EXPECT_LE(r.evaluated, r.legal);
        }
      }
    }
  }
}

TEST(Search, BoundsPruneMostOfALargeSpace) {
  const DerivedConfig cfg = config_named("default");
  const LayerProblem lp = problem(cfg, 64, 56, 64, 3, 1, 1);
  const SearchResult r = search_layer(lp, CostModel(cfg));
  ASSERT_TRUE(r.optimal);
  EXPECT_LT(r.evaluated * 5, r.legal) << "evaluated " << r.evaluated << " of " << r.legal;
}

TEST(Search, TimeBudgetReturnsBestSoFarWithoutClaimingOptimality) {
  const DerivedConfig cfg = config_named("default");
  const LayerProblem lp = problem(cfg, 64, 56, 64, 3, 1, 1);
  SearchOptions opt;
  opt.time_budget_s = 1e-9;
  const SearchResult r = search_layer(lp, CostModel(cfg), opt);
  EXPECT_FALSE(r.optimal);
  ASSERT_FALSE(r.top.empty());
  EXPECT_TRUE(schedule_issues(lp.g, r.top[0].schedule, cfg, true).empty());
}

TEST(Search, ObjectiveNames) {
  EXPECT_EQ(parse_objective("latency"), Objective::LATENCY);
  EXPECT_EQ(parse_objective("dram"), Objective::DRAM_TRAFFIC);
  EXPECT_THROW(parse_objective("speed"), std::invalid_argument);
}

}  // namespace
}  // namespace tessera::compiler::search
