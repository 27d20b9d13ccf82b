// Quick validation of the cost model against the RTL model on small layers (the full report is
// scripts/validate_cost_model.sh): exact DRAM bytes, latency error, rank correlation, and the
// searcher's pick against the best of the schedules run. Thresholds come from the full validation
// (docs/search.md): per-layer MAPE at most 6.3% on tiny and 2.5% on default over 20 layers, pick
// gap at most 1.3%; each gets a margin for these smaller layers, whose fixed costs weigh more.
#include <gtest/gtest.h>

#include <algorithm>

#include "compiler/search/search.h"
#include "tests/compiler/search/rtl_measure.h"

namespace tessera::compiler::search {
namespace {

struct Case {
  const char* config;
  int64_t c, hw, k;
  int kernel, stride, pad;
  double max_mape;  // percent, per layer
};

// The validation's rank statistics: ties averaged; with a tolerance, near-equal values share a rank.
TEST(RankStatistics, TiesAndTolerance) {
  EXPECT_EQ(testing::ranks({3, 1, 3, 2}), (std::vector<double>{3.5, 1, 3.5, 2}));
  EXPECT_EQ(testing::ranks({1000, 1004, 1020}, 0.005), (std::vector<double>{1.5, 1.5, 3}));
  EXPECT_EQ(testing::ranks({1000, 1004, 1008}, 0.005), (std::vector<double>{1.5, 1.5, 3}));  // anchored at the run's first
  const std::vector<double> pred = {7440, 7442, 9000, 12000}, meas = {7557, 7552, 9100, 11900};
  EXPECT_LT(testing::spearman(pred, meas), 0.9);
  EXPECT_DOUBLE_EQ(testing::spearman(pred, meas, 0.005), 1.0);
  EXPECT_LT(testing::spearman(pred, {9100, 7552, 7557, 11900}, 0.005), 0.9);  // a real misranking stays one
}

class CostModelOnRtl : public ::testing::TestWithParam<Case> {};

TEST_P(CostModelOnRtl, PredictsCyclesRanksAndBytes) {
  const Case& k = GetParam();
  const DerivedConfig cfg = load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + k.config + ".json");
  RandomLayerSpec spec;
  spec.c = k.c, spec.h = spec.w = k.hw, spec.k = k.k, spec.kernel = k.kernel, spec.stride = k.stride, spec.pad = k.pad;
  spec.type = ElemType::UINT8, spec.per_channel = true, spec.relu = true;
  const Layer layer = random_layer(spec, 4);
  const LayerProblem lp = layer_problem(layer, cfg, IsaTarget::TESSERA);
  const CostModel model(cfg);
  // The model's best three and three schedules spread over the model's ranking.
  const ScheduleSpace space(lp.g, cfg, true);
  std::vector<std::pair<double, int64_t>> ranked;
  for (int64_t i : space.legal()) {
    const Cost c = model.evaluate(lp, space.at(i));
    if (c.uop_fits) ranked.push_back({c.cycles, i});
  }
  std::sort(ranked.begin(), ranked.end());
  SearchOptions opt;
  opt.keep_top = 3;
  const SearchResult r = search_layer(lp, model, opt);
  std::vector<Schedule> runs;
  for (const auto& c : r.top) runs.push_back(c.schedule);
  for (size_t q : {ranked.size() / 4, ranked.size() / 2, ranked.size() - 1}) runs.push_back(space.at(ranked[q].second));

  std::vector<double> pred, meas;
  for (const Schedule& s : runs) {
    const Cost c = model.evaluate(lp, s);
    const testing::Measured m = testing::measure_on_rtl(layer, cfg, s);
    EXPECT_EQ(c.dram_read, m.read) << schedule_json(s);
    EXPECT_EQ(c.dram_written, m.written) << schedule_json(s);
    EXPECT_LT(std::abs(c.cycles - m.cycles) / m.cycles, 0.15) << schedule_json(s) << " model " << c.cycles << " rtl " << m.cycles;
    pred.push_back(c.cycles), meas.push_back(m.cycles);
  }
  EXPECT_LE(testing::mape(pred, meas), k.max_mape);
  EXPECT_GE(testing::spearman(pred, meas), 0.8);
  EXPECT_LE(meas[0], 1.03 * *std::min_element(meas.begin(), meas.end()));
}

INSTANTIATE_TEST_SUITE_P(Layers, CostModelOnRtl,
                         ::testing::Values(Case{"tiny", 16, 8, 16, 3, 1, 1, 8}, Case{"tiny", 32, 6, 24, 1, 2, 0, 8},
                                           Case{"default", 64, 8, 64, 3, 1, 1, 3}, Case{"default", 48, 10, 80, 1, 1, 0, 3}),
                         [](const auto& info) { return std::string(info.param.config) + "_" + std::to_string(info.index); });

}  // namespace
}  // namespace tessera::compiler::search
