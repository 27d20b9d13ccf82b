// Schedule JSON parsing and the legality report, without lowering anything.
#include <gtest/gtest.h>

#include "compiler/compile_error.h"
#include "compiler/schedule.h"
#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler {
namespace {

const char* kGood =
    R"({"tile_b":1,"tile_h":2,"tile_w":3,"tile_ci":1,"tile_co":2,"oc_nthread":2,"h_nthread":1,"loop_order":["h","co","w"]})";

std::string parse_error(const std::string& text) {
  try {
    parse_schedule(text, "s.json");
  } catch (const CompileError& e) {
    return e.what();
  }
  return "parsed";
}

TEST(Schedule, RoundTripsThroughJson) {
  const Schedule s = parse_schedule(kGood, "s.json");
  EXPECT_EQ(s.tile_h, 2);
  EXPECT_EQ(s.tile_w, 3);
  EXPECT_EQ(s.order[0], LoopAxis::H);
  EXPECT_EQ(parse_schedule(schedule_json(s), "again"), s);
}

TEST(Schedule, BadFilesNameTheKeyAndTheFile) {
  EXPECT_EQ(parse_error("{"), parse_error("{")) << "deterministic";
  EXPECT_NE(parse_error("{").find("s.json: not valid JSON"), std::string::npos);
  EXPECT_NE(parse_error("[1]").find("a schedule is a JSON object"), std::string::npos);
  std::string t = kGood;
  EXPECT_NE(parse_error(t.replace(t.find("\"tile_h\":2"), 10, "\"tile_h\":0")).find("'tile_h' must be an integer"), std::string::npos);
  t = kGood;
  EXPECT_NE(parse_error(t.replace(t.find("\"tile_w\":3"), 10, "\"tile_w\":\"3\"")).find("'tile_w'"), std::string::npos);
  t = kGood;
  EXPECT_NE(parse_error(t.replace(t.find("\"h\",\"co\""), 8, "\"h\",\"h\"")).find("once each"), std::string::npos);
  t = kGood;
  EXPECT_NE(parse_error(t.replace(0, 1, "{\"tile_x\":1,")).find("unknown key 'tile_x'"), std::string::npos);
  t = kGood;
  EXPECT_NE(parse_error(t.replace(t.find("\"tile_ci\":1,"), 12, "")).find("missing key 'tile_ci'"), std::string::npos);
  EXPECT_NE(parse_error(R"({"tile_b":1,"tile_h":99999999999999})").find("'tile_h'"), std::string::npos);
}

TEST(Schedule, LegalityReportsEachSramByHowMuch) {
  const DerivedConfig cfg = testing::config_named("tiny");
  Layer l = random_layer(RandomLayerSpec{LayerKind::CONV2D, ElemType::INT8, 1, 32, 20, 20, 32, 3, 1, 1}, 1);
  const ConvGeometry g = conv_geometry(l, cfg);
  Schedule s;
  s.tile_h = 20, s.tile_w = 20, s.tile_ci = 4, s.tile_co = 4, s.oc_nthread = 2;
  const auto issues = schedule_issues(g, s, cfg, true);
  std::string all;
  for (const auto& i : issues) all += i + "\n";
  // INP: 2 x 4 x 22 x 22 = 3872 vectors; the tiny config's INP SRAM is smaller.
  EXPECT_NE(all.find("INP SRAM (2 x tile_ci*in_rows*in_cols) needs 3872 but has " + std::to_string(cfg.inp.depth)),
            std::string::npos) << all;
  EXPECT_NE(all.find("ACC SRAM"), std::string::npos) << all;
  EXPECT_NE(all.find("WGT SRAM"), std::string::npos) << all;
  EXPECT_TRUE(schedule_issues(g, default_schedule(g, cfg, true), cfg, true).empty());
}

}  // namespace
}  // namespace tessera::compiler
