// tessera sweep library: strict spec, space and constraints, the memoised layer search against
// search_layer, and the results store's handling of a cut-off line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "compiler/import/onnx_import.h"
#include "compiler/import/random_layer.h"
#include "compiler/import/random_network.h"
#include "compiler/network/compile_network.h"
#include "compiler/search/search.h"
#include "sweep/area_model.h"
#include "sweep/evaluate.h"
#include "sweep/pareto.h"
#include "sweep/space.h"
#include "sweep/store.h"
#include "sweep/workload.h"
#include "tests/compiler/resnet18_shapes.h"

using namespace tessera;
using namespace tessera::sweep;
using json = nlohmann::ordered_json;

namespace {

const std::string kBase = std::string(TESSERA_SOURCE_DIR) + "/configs/default.json";

std::string spec_text(const std::string& extra) {
  return R"({"name": "t", "base": ")" + kBase + R"(", "workloads": [{"builtin": "tiny"}])" + extra + "}";
}

std::string error_of(const std::string& text) {
  try {
    parse_spec(text, "s.json");
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SweepSpec, UnknownKeysAndBadValuesNameTheJsonPath) {
  EXPECT_NE(error_of(spec_text(R"(, "spaec": {})")).find("s.json: /spaec: unknown key"), std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "space": {"gemm.blok_in": [8]})")).find("/space/gemm.blok_in: unknown config field"),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "space": {"gemm.block_in": [8, 12]})")).find("/space/gemm.block_in/1: must be a power of two"),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "space": {"sram_bytes.inp": {"from": 8192, "to": 65536, "step": 8192}})"))
                .find("/space/sram_bytes.inp/step: sram_bytes.inp must be a power of two: use \"times\""),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "space": {"gemm.batch": {"from": 1, "to": 4, "stp": 1}})")).find("/space/gemm.batch/stp: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "constraints": ["gemm.block_in == gemm.blockout"])")).find("/constraints/0: column 18: unknown config field"),
            std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "objectives": ["latency", "area"])")).find("/objectives/1: unknown objective"), std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "verify": {"top": 2, "pareto": 1})")).find("/verify/pareto: expected true or false"), std::string::npos);
  EXPECT_NE(error_of(spec_text(R"(, "board": {"dram_latency": 5})")).find("/board/dram_latency: unknown key"), std::string::npos);
  EXPECT_NE(error_of(R"({"base": ")" + kBase + R"(", "workloads": [{"onnx": "nope.onnx"}]})").find("/workloads/0: cannot read"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"base": ")" + kBase + R"(", "workloads": [{"table": "a.csv", "onnx": "b.onnx"}]})").find("/workloads/0: give exactly one"),
            std::string::npos);
  EXPECT_EQ(error_of(spec_text("")), "");
}

TEST(SweepSpec, RangesListsAndBoard) {
  const Spec s = parse_spec(spec_text(R"(, "space": {"gemm.block_in": {"from": 8, "to": 32}, "sram_bytes.acc": {"from": 16384, "to": 262144, "times": 4},
      "dram.latency_cycles": {"from": 32, "to": 96, "step": 32}, "clock_mhz": [100, 250.5]},
      "board": {"dram_bytes_per_cycle": 4, "dram_latency_cycles": 77})"),
                            "s.json");
  ASSERT_EQ(s.axes.size(), 4u);
  EXPECT_EQ(s.axes[0].values, (std::vector<double>{8, 16, 32}));
  EXPECT_EQ(s.axes[1].values, (std::vector<double>{16384, 65536, 262144}));
  EXPECT_EQ(s.axes[2].values, (std::vector<double>{32, 64, 96}));
  EXPECT_EQ(s.axes[3].values, (std::vector<double>{100, 250.5}));
  EXPECT_EQ(s.base["dram"]["bytes_per_cycle"], 4);
  EXPECT_EQ(s.base["dram"]["latency_cycles"], 77);
}

TEST(SweepSpace, ProductConstraintsAndStableIds) {
  const Spec s = parse_spec(spec_text(R"(, "space": {"gemm.block_in": [8, 16, 32], "gemm.block_out": [8, 16, 32], "dram.bus_bits": [64, 128]},
      "constraints": ["gemm.block_in == gemm.block_out && dram.bus_bits / 8 <= gemm.block_in"])"),
                            "s.json");
  const Space space(s);
  EXPECT_EQ(space.size(), 18);
  const auto pts = space.points();
  ASSERT_EQ(pts.size(), 5u);  // 8/64, 16/64, 16/128, 32/64, 32/128
  for (const Point& p : pts) {
    EXPECT_EQ(p.config["gemm"]["block_in"], p.config["gemm"]["block_out"]);
    EXPECT_EQ(p.id.size(), 16u);
  }
  // The id depends only on the values: the same point in a reordered spec keeps it.
  const Spec s2 = parse_spec(spec_text(R"(, "space": {"dram.bus_bits": [128, 64], "gemm.block_in": [32, 16, 8], "gemm.block_out": [16]},
      "constraints": ["gemm.block_in == gemm.block_out"])"),
                             "s.json");
  const auto pts2 = Space(s2).points();
  ASSERT_EQ(pts2.size(), 2u);  // 128/16, 64/16
  for (const Point& p : pts) {
    if (p.config["gemm"]["block_in"] == 16 && p.config["dram"]["bus_bits"] == 128) {
      EXPECT_EQ(p.id, pts2[0].id);
    }
  }
}

// The memoised search returns search_layer's winner (keep_top 1) on every point of a small space
// that varies SRAM sizes within one cost family and across families, for ResNet-18's layers.
TEST(SweepLayerSearch, SameWinnerAsSearchLayer) {
  using namespace tessera::compiler;
  using namespace tessera::compiler::search;
  // gemm.depthwise 0: the mode needs square blocks, and this compares the layer searchers on rect ones too
  const Spec s = parse_spec(spec_text(R"(, "space": {"gemm.depthwise": [0], "gemm.block_in": [8, 16], "sram_bytes.inp": [8192, 32768],
      "sram_bytes.wgt": [65536, 262144], "sram_bytes.acc": [32768, 131072], "sram_bytes.uop": [4096, 32768]},
      "constraints": ["gemm.block_in == gemm.block_out || gemm.block_out == 16"])"),
                            "s.json");
  LayerSearcher searcher;
  int compared = 0;
  for (const Point& p : Space(s).points()) {
    const DerivedConfig cfg = derive(parse_config(p.config.dump(), p.id));
    for (const auto& shape : compiler::testing::resnet18_layers()) {
      if (std::string(shape.name) == "conv1") continue;  // slow on 8-wide blocks; covered by the network test
      const LayerProblem lp = layer_problem(random_layer(shape.spec, 1), cfg, IsaTarget::TESSERA);
      for (Objective o : {Objective::LATENCY, Objective::DRAM_TRAFFIC}) {
        SearchOptions opt;
        opt.keep_top = 1, opt.objective = o;
        const SearchResult ref = search_layer(lp, CostModel(cfg), opt);
        const auto got = searcher.search(lp, cfg, o);
        ASSERT_EQ(ref.top.empty(), !got.has_value()) << shape.name << " " << p.id;
        if (!got) continue;
        EXPECT_EQ(got->index, ref.top[0].index) << shape.name << " at " << p.config.dump();
        EXPECT_EQ(got->cost.cycles, ref.top[0].cost.cycles);
        EXPECT_EQ(got->cost.dram_read + got->cost.dram_written, ref.top[0].cost.dram_read + ref.top[0].cost.dram_written);
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 300);
  EXPECT_GT(searcher.stats().memo_hits, 0);
}

TEST(SweepStore, CutOffLastLineIsDroppedAndResumeRepairsIt) {
  const std::string dir = ::testing::TempDir() + "/sweep_store_" + std::to_string(::getpid());
  {
    ResultStore st(dir, "fp", false);
    st.append({{"id", "a"}, {"v", 1}});
    st.append({{"id", "b"}, {"v", 2}});
  }
  std::ofstream(dir + "/results.jsonl", std::ios::app) << R"({"id": "c", "v")";  // a kill mid-write
  bool dropped = false;
  EXPECT_EQ(read_results(dir + "/results.jsonl", &dropped).size(), 2u);
  EXPECT_TRUE(dropped);
  EXPECT_THROW(ResultStore(dir, "fp", false), std::runtime_error);        // results exist: needs --resume
  EXPECT_THROW(ResultStore(dir, "other", true), std::runtime_error);      // another spec
  {
    ResultStore st(dir, "fp", true);
    EXPECT_EQ(st.done().size(), 2u);
    st.append({{"id", "c"}, {"v", 3}});
  }
  const auto all = read_results(dir + "/results.jsonl", &dropped);
  EXPECT_FALSE(dropped);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2]["id"], "c");
}

// A whole network per point: every point ok or illegal with a reason; block_in != block_out is
// illegal for networks (the placement pass's reason); cycles and utilization plausible.
TEST(SweepEvaluate, NetworkPointsAndIllegalPoints) {
  const Spec s = parse_spec(R"({"base": ")" + kBase + R"(", "workloads": [{"builtin": "resnet18"}],
      "space": {"gemm.block_out": [16, 32], "sram_bytes.inp": [64, 32768]}})",
                            "s.json");
  Evaluator ev(s);
  int ok = 0, illegal = 0;
  for (const Point& p : Space(s).points()) {
    const json r = ev.evaluate(p);
    if (r["status"] == "ok") {
      ++ok;
      EXPECT_GT(r["cycles"].get<double>(), 0);
      EXPECT_GT(r["util"].get<double>(), 0.05);
      EXPECT_LE(r["util"].get<double>(), 1.0);
      EXPECT_GT(r["workloads"][0]["layers"].size(), 3u);
    } else {
      ++illegal;
      EXPECT_FALSE(r["reason"].get<std::string>().empty());
    }
  }
  EXPECT_EQ(ok, 1);       // 16/32768
  EXPECT_EQ(illegal, 3);  // block_out 32 (networks need BLOCK_IN == BLOCK_OUT), or 64-byte INP SRAM
}

// Grouped and depthwise convs count the MACs they do (C/group per output), so no layer of a
// MobileNetV2 point claims more than the array's MAC rate, on its own or in a fused block.
TEST(SweepEvaluate, DepthwiseLayersNeverExceedTheArray) {
  const Spec s = parse_spec(R"({"base": ")" + kBase + R"(", "workloads": [{"builtin": "mobilenetv2"}]})", "s.json");
  Evaluator ev(s);
  const json r = ev.evaluate(*Space(s).at(0));
  ASSERT_EQ(r["status"], "ok") << r.dump();
  int depthwise = 0;
  for (const json& l : r["workloads"][0]["layers"]) {
    EXPECT_LE(l["util"].get<double>(), 1.0) << l.dump();
    depthwise += l["name"].get<std::string>().find("conv.1") != std::string::npos ||
                 l["op"].get<std::string>().rfind("block", 0) == 0;
  }
  EXPECT_GT(depthwise, 10);
  EXPECT_LE(r["util"].get<double>(), 1.0);
}

// gemm.depthwise is a hardware knob the sweep weighs: with one evaluator (shared memo), the point with
// the GEMM core's depthwise mode runs MobileNetV2 faster (its inverted residuals as fused blocks, the
// layers left apart no slower) and costs area (sweep/area_calibration.json's depthwise_mode).
TEST(SweepEvaluate, DepthwiseModeIsWeighedAgainstItsArea) {
  const Spec s = parse_spec(R"({"base": ")" + kBase + R"(", "space": {"gemm.depthwise": [0, 1]},
      "workloads": [{"builtin": "mobilenetv2"}], "objectives": ["latency", "lut"]})",
                            "s.json");
  const std::string calibration = std::string(TESSERA_SOURCE_DIR) + "/sweep/area_calibration.json";
  const AreaModel model(load_area_samples(calibration, TESSERA_SOURCE_DIR), load_lane_delta(calibration));
  Evaluator ev(s);
  ev.area = [&](const DerivedConfig& c) { return model.to_json(c); };
  const json off = ev.evaluate(*Space(s).at(0)), on = ev.evaluate(*Space(s).at(1));
  ASSERT_EQ(off["status"], "ok") << off.dump();
  ASSERT_EQ(on["status"], "ok") << on.dump();
  ASSERT_EQ(on["config"]["gemm"]["depthwise"], 1);
  const json &a = off["workloads"][0]["layers"], &b = on["workloads"][0]["layers"];
  int blocks = 0;
  for (const json& l : b) {
    if (l["op"].get<std::string>().rfind("block", 0) == 0) {
      ++blocks;
      continue;
    }
    for (const json& m : a) {  // a layer left apart is as fast as without the mode
      if (m["name"] == l["name"]) {
        EXPECT_LE(l["cycles"].get<double>(), m["cycles"].get<double>() * (1 + 1e-9)) << l.dump();
      }
    }
  }
  EXPECT_GE(blocks, 10);
  for (const json& l : a) EXPECT_EQ(l["op"].get<std::string>().rfind("block", 0), std::string::npos) << l.dump();
  EXPECT_LT(on["cycles"].get<double>(), 0.8 * off["cycles"].get<double>());
  EXPECT_GT(on["area"]["luts"].get<double>(), off["area"]["luts"].get<double>());
}

// Workload table rows: grouped and depthwise convs are layers like any other (MACs per group),
// identical rows merge, a non-square kernel is skipped and counted.
TEST(SweepEvaluate, TableRowsIncludeGroupedConvs) {
  const std::string csv = ::testing::TempDir() + "/grouped_table.csv";
  std::ofstream(csv) << "net,idx,layer,N,C,H,W,K,R,S,stride,pad,groups,P,Q,MACs\n"
                        "m,0,dense conv,1,32,28,28,32,3,3,1,1,1,28,28,0\n"
                        "m,1,dw 3x3,1,96,28,28,96,3,3,2,1,96,14,14,0\n"
                        "m,2,dw 3x3 again,1,96,28,28,96,3,3,2,1,96,14,14,0\n"
                        "m,3,grouped 1x1,1,64,14,20,64,1,1,1,0,2,14,20,0\n"
                        "m,4,wide kernel,1,16,14,14,16,1,3,1,0,1,14,12,0\n";
  const Spec s = parse_spec(R"({"base": ")" + kBase + R"(", "workloads": [{"table": ")" + csv + R"("}]})", "s.json");
  Workloads w(s);
  EXPECT_EQ(w.skipped(0), 1);
  Evaluator ev(s);
  const json r = ev.evaluate(*Space(s).at(0));
  ASSERT_EQ(r["status"], "ok") << r.dump();
  const json& layers = r["workloads"][0]["layers"];
  ASSERT_EQ(layers.size(), 3u) << layers.dump();
  const int64_t macs[] = {32 * 28 * 28 * 32 * 9, 96 * 14 * 14 * 9, 64 * 14 * 20 * 32};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GT(layers[i]["cycles"].get<double>(), 0) << layers[i].dump();
    EXPECT_LE(layers[i]["util"].get<double>(), 1.0) << layers[i].dump();
    EXPECT_EQ(layers[i]["macs"].get<int64_t>(), macs[i]) << layers[i].dump();
  }
  EXPECT_EQ(layers[1]["count"].get<int64_t>(), 2) << layers[1].dump();
}

// A point's network total is what compile_network's report predicts for the same config (the sweep
// plans layouts and memory the same way; DRAM offsets start at 0 instead of after the program's
// reserved bytes, which moves a few segment cycles).
TEST(SweepEvaluate, NetworkTotalMatchesCompileNetworkReport) {
  using namespace tessera::compiler;
  const Spec s = parse_spec(R"({"base": ")" + kBase + R"(", "workloads": [{"builtin": "resnet18"}]})", "s.json");
  Evaluator ev(s);
  const json r = ev.evaluate(*Space(s).at(0));
  ASSERT_EQ(r["status"], "ok") << r.dump();
  NetworkSpec ns;
  ns.arch = NetworkArch::RESNET18;
  const DerivedConfig cfg = load_derived(kBase);
  CompileOptions opt;
  const CompiledNetwork c = compile_network(import_onnx_network(random_network(ns).onnx, "resnet18"), cfg, opt);
  double total = 0;
  for (const NodeReport& n : c.report) total += n.cycles;
  EXPECT_NEAR(r["cycles"].get<double>() / total, 1.0, 1e-4) << r["cycles"] << " vs " << total;
}

// The area model on configs it was not fitted on (sweep/area_calibration.json, role held_out: Yosys
// synth_xilinx runs of the RTL the file was made from): the issue's bar, LUT and DSP within 10% and
// block RAM exact; block RAM is exact on the fitted configs too (it is computed, not fitted). The
// current RTL's figures (the fit plus the file's measured per-lane delta) are checked against a fresh
// synthesis by sweep_verify_on_demand.
TEST(SweepArea, HeldOutErrorOnSynthesizedConfigs) {
  const auto samples = load_area_samples(std::string(TESSERA_SOURCE_DIR) + "/sweep/area_calibration.json", TESSERA_SOURCE_DIR);
  const AreaModel model(samples);
  int held = 0;
  for (const auto& s : samples) {
    const AreaFigures p = model.predict_calibration_rtl(s.cfg);
    EXPECT_EQ(p.ramb36, s.measured.ramb36) << s.name;
    EXPECT_EQ(p.ramb18, s.measured.ramb18) << s.name;
    if (s.role != "held_out") continue;
    ++held;
    EXPECT_NEAR(p.luts / s.measured.luts, 1.0, 0.10) << s.name;
    EXPECT_NEAR(p.dsps / s.measured.dsps, 1.0, 0.10) << s.name;
  }
  EXPECT_GE(held, 3);
  EXPECT_GE(model.fit_size(), 4u);
}

// The current RTL's prediction for configs with the depthwise mode against their Yosys runs
// (area_calibration.json, depthwise_mode.measured): LUTs and FFs within 10 %; block RAM (the banked
// input SRAM is in the memory map) exact on tiny_dw, within 3 on default, whose prediction without
// the mode is already 2 RAMB36 off (docs/sweep.md) and whose RAMB18 count is 3 off.
TEST(SweepArea, DepthwiseModeMatchesItsSynthesis) {
  const std::string file = std::string(TESSERA_SOURCE_DIR) + "/sweep/area_calibration.json";
  const AreaModel model(load_area_samples(file, TESSERA_SOURCE_DIR), load_lane_delta(file));
  std::ifstream in(file);
  const json j = json::parse(in);
  int n = 0;
  for (const json& m : j.at("depthwise_mode").at("measured")) {
    const json& cj = m.at("config");
    const DerivedConfig cfg = cj.is_string() ? load_derived(std::string(TESSERA_SOURCE_DIR) + "/" + cj.get<std::string>())
                                             : derive(parse_config(cj.dump(), "measured"));
    ASSERT_EQ(cfg.hw.depthwise, 1);
    const AreaFigures p = model.predict(cfg);
    SCOPED_TRACE(m.at("name").get<std::string>());
    const double bram_slack = cfg.hw.block_out >= 16 ? 3 : 0;
    EXPECT_NEAR(p.ramb36, m.at("ramb36e1").get<double>(), bram_slack);
    EXPECT_NEAR(p.ramb18, m.at("ramb18e1").get<double>(), bram_slack);
    EXPECT_NEAR(p.luts / m.at("luts").get<double>(), 1.0, 0.10);
    EXPECT_NEAR(p.ffs / m.at("ffs").get<double>(), 1.0, 0.10);
    ++n;
  }
  EXPECT_GE(n, 1);
}

// The block-RAM rule against standalone Yosys runs of tessera_sram (synth_xilinx -family xc7 up to
// memory mapping, bench/sweep/bram_grid.sh): width, depth -> RAMB36, RAMB18, LUTRAM cells.
TEST(SweepArea, BramRuleMatchesYosysOnSramGrid) {
  struct Case {
    int w;
    int64_t d;
    int r36, r18, lut;
  };
  const Case cases[] = {
#include "bram_grid.inc"
  };
  for (const Case& c : cases) {
    const MemoryMapping m = map_memory(c.w, c.d);
    EXPECT_EQ(m.ramb36, c.r36) << c.w << "x" << c.d << " " << m.mode;
    EXPECT_EQ(m.ramb18, c.r18) << c.w << "x" << c.d << " " << m.mode;
    if (c.r36 + c.r18 == 0) {
      EXPECT_EQ(m.lutram > 0, c.lut > 0) << c.w << "x" << c.d << " " << m.mode;
    }
  }
}

TEST(SweepPareto, FrontIsNonDominatedAndTiesResolveByInputOrder) {
  const auto pt = [](const char* id, double cycles, double luts) {
    return json{{"id", id}, {"status", "ok"}, {"cycles", cycles}, {"area", {{"luts", luts}}}};
  };
  const std::vector<json> pts = {pt("a", 10, 5), pt("b", 8, 7), pt("c", 9, 9), pt("d", 8, 7), pt("e", 20, 1),
                                 json{{"id", "x"}, {"status", "illegal"}}};
  const auto f1 = pareto_front(pts, {"latency", "lut"}), f2 = pareto_front(pts, {"lut", "latency"});
  std::vector<std::string> ids1, ids2;
  for (size_t i : f1) ids1.push_back(pts[i]["id"]);
  for (size_t i : f2) ids2.push_back(pts[i]["id"]);
  EXPECT_EQ(ids1, (std::vector<std::string>{"b", "a", "e"}));
  EXPECT_EQ(ids2, (std::vector<std::string>{"e", "a", "b"}));
}
