// The shipped schedule databases (configs/schedules/): one per config, written by the current
// compiler and model (else the command to regenerate them), covering ResNet-18 (every layer that fits
// the config, and as the network compiler lowers it) and MobileNetV2's fused blocks, equal to a fresh
// search; a corrupt, stale or tampered copy is ignored with a warning and the layer searched.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/import/onnx_import.h"
#include "compiler/import/random_network.h"
#include "compiler/network/compile_network.h"
#include "compiler/search/schedule_cache.h"
#include "tests/compiler/resnet18_shapes.h"

namespace tessera::compiler::search {
namespace {

namespace fs = std::filesystem;
const std::string kRegenerate = "; regenerate with scripts/ship_schedules.sh (docs/search.md)";

std::vector<fs::path> config_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(std::string(TESSERA_SOURCE_DIR) + "/configs"))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const std::string& path) {
  std::stringstream ss;
  ss << std::ifstream(path).rdbuf();
  return ss.str();
}

LayerProblem resnet_problem(const std::string& name, const DerivedConfig& cfg) {
  for (const auto& l : testing::resnet18_layers())
    if (l.name == name) return layer_problem(random_layer(l.spec, 1), cfg, IsaTarget::TESSERA);
  throw std::runtime_error("no ResNet-18 layer " + name);
}

TEST(ShippedSchedules, EveryConfigHasACurrentDatabaseCoveringResNet18) {
  ASSERT_GE(config_files().size(), 7u);
  for (const fs::path& file : config_files()) {
    const std::string path = shipped_database_path(file.string());
    ASSERT_TRUE(fs::exists(path)) << path << " is missing" << kRegenerate;
    const auto j = nlohmann::json::parse(slurp(path));
    ASSERT_EQ(j.value("version", ""), search_version()) << path << " was written by another compiler/model version"
                                                         << kRegenerate;
    const DerivedConfig cfg = load_derived(file.string());
    for (const auto& e : j.at("entries")) {
      const std::string key = e.at("key");
      EXPECT_NE(key.find("|" + cfg.hash_hex() + "|"), std::string::npos)
          << path << ": entry '" << key << "' is for another config hash (" << file.filename().string()
          << " changed?)" << kRegenerate;
    }
    ScheduleCache db(path, "shipped database");
    EXPECT_TRUE(db.warnings().empty()) << db.warnings()[0];
    for (const auto& l : testing::resnet18_layers()) {
      const LayerProblem lp = layer_problem(random_layer(l.spec, 1), cfg, IsaTarget::TESSERA);
      for (Objective o : {Objective::LATENCY, Objective::DRAM_TRAFFIC}) {
        if (!db.find(lp, cfg, o)) {  // only a layer that fits no schedule on this config may be missing
          EXPECT_TRUE(search_layer(lp, CostModel(cfg)).top.empty())
              << path << ": no legal " << objective_name(o) << " entry for " << l.name << kRegenerate;
        }
      }
    }
    EXPECT_TRUE(db.warnings().empty()) << db.warnings()[0];
  }
}

TEST(ShippedSchedules, ShippedScheduleIsWhatAFreshSearchReturns) {
  for (const fs::path& file : config_files()) {
    const DerivedConfig cfg = load_derived(file.string());
    const CostModel model(cfg);
    ScheduleCache db(shipped_database_path(file.string()), "shipped database");
    for (const char* name : {"layer2.0.downsample", "layer3.conv", "layer3.0.downsample"}) {
      const LayerProblem lp = resnet_problem(name, cfg);
      for (Objective o : {Objective::LATENCY, Objective::DRAM_TRAFFIC}) {
        SearchOptions opt;
        opt.objective = o;
        const auto shipped = db.find(lp, cfg, o);
        ASSERT_TRUE(shipped) << file << " " << name << ": not shipped" << kRegenerate;
        EXPECT_EQ(schedule_json(*shipped), schedule_json(search_layer(lp, model, opt).top[0].schedule))
            << file << " " << name << " " << objective_name(o) << kRegenerate;
      }
    }
  }
}

// On default (the depthwise mode), every block the fusion pass fuses in MobileNetV2 224 is shipped,
// the first two as a fresh block search finds them, so compiling the network searches nothing.
TEST(ShippedSchedules, DefaultShipsMobileNetV2sFusedBlocks) {
  const std::string file = std::string(TESSERA_SOURCE_DIR) + "/configs/default.json";
  const DerivedConfig cfg = load_derived(file);
  ASSERT_TRUE(cfg.hw.depthwise);
  NetworkSpec spec;
  spec.arch = NetworkArch::MOBILENETV2;
  CompileOptions opt;
  opt.shipped_schedules = shipped_database_path(file);
  const Network net = run_graph_passes(import_onnx_network(random_network(spec).onnx, "mobilenetv2"), cfg, opt);
  ScheduleCache db(opt.shipped_schedules, "shipped database");
  int blocks = 0;
  for (const NetNode& n : net.nodes) {
    if (!n.block) continue;
    EXPECT_EQ(n.block_schedule_origin, db.label()) << n.name << kRegenerate;
    const auto shipped = db.find_block(*n.block, cfg);
    ASSERT_TRUE(shipped) << n.name << ": not shipped" << kRegenerate;
    if (blocks++ < 2) {
      const BlockChoice fresh = search_block(*n.block, cfg);
      EXPECT_EQ(shipped->schedule, fresh.schedule) << n.name << kRegenerate;
      EXPECT_EQ(shipped->cycles, fresh.cycles) << n.name << kRegenerate;
    }
  }
  EXPECT_EQ(blocks, 17);
  EXPECT_TRUE(net.warnings.empty()) << net.warnings[0];
}

// A copy of configs/default.json and its shipped database in a scratch directory.
class ShippedCopy : public ::testing::Test {
 protected:
  fs::path dir = fs::path(::testing::TempDir()) /
                 ("tessera_shipped_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::string config = (dir / "default.json").string();
  std::string db = shipped_database_path(config);
  DerivedConfig cfg = load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json");
  Layer layer = random_layer(testing::resnet18_layers()[3].spec, 4);  // layer2.conv

  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir / "schedules");
    fs::copy_file(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json", config);
    fs::copy_file(shipped_database_path(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json"), db);
  }
  void TearDown() override { fs::remove_all(dir); }

  // The compile default's schedule through the copy, its origin and the warnings.
  Schedule choose(std::string& origin, std::vector<std::string>& warnings, const std::string& user_cache = "") {
    return searched_schedule(layer, cfg, IsaTarget::TESSERA, user_cache, warnings, db, &origin);
  }
  Schedule fresh() { return search_layer(layer_problem(layer, cfg, IsaTarget::TESSERA), CostModel(cfg)).top[0].schedule; }
};

TEST_F(ShippedCopy, IntactCopyIsUsedWithoutWarnings) {
  std::string origin;
  std::vector<std::string> warnings;
  EXPECT_EQ(choose(origin, warnings), fresh());
  EXPECT_EQ(origin, "shipped database " + db);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(ShippedCopy, TheUsersCacheComesFirst) {
  const std::string user = (dir / "mine.json").string();
  const LayerProblem lp = layer_problem(layer, cfg, IsaTarget::TESSERA);
  const Schedule legal_but_not_best = default_schedule(lp.g, cfg, true);
  ASSERT_FALSE(legal_but_not_best == fresh());
  {
    ScheduleCache c(user);
    c.put(lp, cfg, Objective::LATENCY, legal_but_not_best, 1);
    c.save();
  }
  std::string origin;
  std::vector<std::string> warnings;
  EXPECT_EQ(choose(origin, warnings, user), legal_but_not_best);
  EXPECT_EQ(origin, "schedule cache " + user);
}

TEST_F(ShippedCopy, CorruptCopyIsIgnoredWithAWarning) {
  const std::string text = slurp(db);
  for (const std::string& bad : {text.substr(0, text.size() / 2), std::string("")}) {
    std::ofstream(db) << bad;
    std::string origin;
    std::vector<std::string> warnings;
    EXPECT_EQ(choose(origin, warnings), fresh());
    EXPECT_EQ(origin, "search");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find(db + ": corrupt shipped database ignored"), std::string::npos) << warnings[0];
  }
}

TEST_F(ShippedCopy, StaleOrTamperedCopyIsNotTrusted) {
  auto j = nlohmann::json::parse(slurp(db));
  const LayerProblem lp = layer_problem(layer, cfg, IsaTarget::TESSERA);
  for (auto& e : j["entries"])  // every entry: whole-layer tiles, far beyond the SRAMs
    e["schedule"] = nlohmann::json::parse(schedule_json(Schedule{1, lp.g.oh, lp.g.ow, lp.g.cb, lp.g.kb}));
  std::ofstream(db) << j.dump();
  std::string origin;
  std::vector<std::string> warnings;
  EXPECT_EQ(choose(origin, warnings), fresh());
  EXPECT_EQ(origin, "search");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("is illegal"), std::string::npos) << warnings[0];

  j["version"] = "lowering 0";
  std::ofstream(db) << j.dump();
  warnings.clear();
  EXPECT_EQ(choose(origin, warnings), fresh());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("stale shipped database"), std::string::npos) << warnings[0];
}

// ResNet-18 as the network compiler lowers it (conv1 over im2col, residual adds fused into convs)
// has a shipped latency entry for every conv and the FC on the default config.
TEST(ShippedSchedules, CoverResNet18AsTheNetworkCompilerLowersIt) {
  const std::string cfg_file = std::string(TESSERA_SOURCE_DIR) + "/configs/default.json";
  const DerivedConfig cfg = load_derived(cfg_file);
  ScheduleCache db(shipped_database_path(cfg_file), "shipped database");
  NetworkSpec spec;
  spec.arch = NetworkArch::RESNET18;
  int layers = 0, fused = 0;
  for (const NetNode& n : run_graph_passes(import_onnx_network(random_network(spec).onnx, "resnet18"), cfg).nodes) {
    if (!n.layer || (n.layer->kind != LayerKind::CONV2D && n.layer->kind != LayerKind::DENSE)) continue;
    ++layers, fused += n.layer->residual.has_value();
    EXPECT_TRUE(db.find(layer_problem(*n.layer, cfg, IsaTarget::TESSERA), cfg, Objective::LATENCY))
        << n.name << " has no shipped schedule" << kRegenerate;
  }
  EXPECT_EQ(layers, 21);
  EXPECT_EQ(fused, 8);
}

}  // namespace
}  // namespace tessera::compiler::search
