// Strict config loading, derived parameters and the canonical hash, over every shipped config.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "isa/config.h"

namespace tessera {
namespace {

const std::string kConfigs = std::string(TESSERA_SOURCE_DIR) + "/configs";

std::vector<std::string> shipped_configs() {
  std::vector<std::string> v;
  for (const auto& e : std::filesystem::directory_iterator(kConfigs))
    if (e.path().extension() == ".json") v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

const char* kGood = R"({
  "name": "t", "description": "d",
  "gemm": { "batch": 1, "block_in": 16, "block_out": 16, "depthwise": 0 },
  "datatypes": { "inp_bits": 8, "wgt_bits": 8, "acc_bits": 32 },
  "sram_bytes": { "uop": 32768, "inp": 32768, "wgt": 262144, "acc": 131072 },
  "dram": { "bus_bits": 64, "bytes_per_cycle": 8, "latency_cycles": 64, "max_outstanding": 8, "max_burst_beats": 16 },
  "queues": { "command_depth": 512, "token_depth": 8 },
  "clock_mhz": 100
})";

std::string with(const std::string& from, const std::string& to) {
  std::string s = kGood;
  const auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  return s.replace(p, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    derive(parse_config(text, "bad.json"), "bad.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, DefaultMatchesVtaDerivedParameters) {
  const DerivedConfig d = load_derived(kConfigs + "/default.json");
  EXPECT_EQ(d.uop.depth, 8192);
  EXPECT_EQ(d.inp.depth, 2048);
  EXPECT_EQ(d.wgt.depth, 1024);
  EXPECT_EQ(d.acc.depth, 2048);
  EXPECT_EQ(d.uop.idx_bits, 13);
  EXPECT_EQ(d.inp.idx_bits, 11);
  EXPECT_EQ(d.wgt.idx_bits, 10);
  EXPECT_EQ(d.acc.idx_bits, 11);
  EXPECT_EQ(d.layout.insn_bits, 128);
  EXPECT_EQ(d.layout.uop_bits, 32);
  EXPECT_EQ(d.inp.elem_bytes, 16);
  EXPECT_EQ(d.wgt.elem_bytes, 256);
  EXPECT_EQ(d.acc.elem_bytes, 64);
  EXPECT_EQ(d.out.elem_bytes, 16);
  EXPECT_EQ(d.acc8.elem_bytes, 16);
}

TEST(Config, LargeConfigGrowsInstructionAndMicroOp) {
  const DerivedConfig d = load_derived(kConfigs + "/large_1x32x32.json");
  EXPECT_EQ(d.layout.insn_bits, 192);
  EXPECT_EQ(d.layout.uop_bits, 64);
  EXPECT_EQ(d.uop.depth, 32768 / 8);
}

TEST(Config, EveryShippedConfigLoadsAndHashesUniquely) {
  std::set<uint64_t> hashes;
  const auto files = shipped_configs();
  ASSERT_GE(files.size(), 6u);
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    const DerivedConfig d = load_derived(f);
    EXPECT_EQ(d.layout.insn_bits % 64, 0);
    EXPECT_GE(d.layout.insn_bits, 128);
    EXPECT_EQ(d.layout.uop_bits % 32, 0);
    EXPECT_TRUE(hashes.insert(d.hash).second) << "duplicate hash";
    // Writing a config back out and re-reading it is lossless.
    const HwConfig again = parse_config(to_json(d.hw), "roundtrip");
    EXPECT_EQ(canonical_json(again), canonical_json(d.hw));
  }
}

TEST(Config, HashIgnoresNameButNotHardware) {
  HwConfig a = parse_config(kGood, "a");
  HwConfig b = a;
  b.name = "other";
  b.description = "other";
  EXPECT_EQ(derive(a).hash, derive(b).hash);
  b.dram_latency_cycles += 1;
  EXPECT_NE(derive(a).hash, derive(b).hash);
}

TEST(Config, RejectsUnknownKeyWithPath) {
  const std::string e = error_of(with("\"batch\": 1,", "\"batch\": 1, \"bacth\": 1,"));
  EXPECT_NE(e.find("bad.json: /gemm/bacth: unknown key"), std::string::npos) << e;
}

TEST(Config, RejectsMissingKey) {
  const std::string e = error_of(with("\"token_depth\": 8", "\"x\": 1"));
  EXPECT_NE(e.find("/queues/token_depth: missing required key"), std::string::npos) << e;
}

TEST(Config, RejectsWrongType) {
  const std::string e = error_of(with("\"block_in\": 16", "\"block_in\": \"16\""));
  EXPECT_NE(e.find("/gemm/block_in: expected an integer, got string"), std::string::npos) << e;
  const std::string f = error_of(with("\"block_in\": 16", "\"block_in\": 16.5"));
  EXPECT_NE(f.find("/gemm/block_in: expected an integer"), std::string::npos) << f;
}

TEST(Config, RejectsNonPowerOfTwo) {
  const std::string e = error_of(with("\"block_out\": 16", "\"block_out\": 12"));
  EXPECT_NE(e.find("/gemm/block_out: must be a power of two (got 12)"), std::string::npos) << e;
}

TEST(Config, RejectsOutOfRange) {
  const std::string e = error_of(with("\"acc_bits\": 32", "\"acc_bits\": 16"));
  EXPECT_NE(e.find("/datatypes/acc_bits: value 16 out of range"), std::string::npos) << e;
  const std::string f = error_of(with("\"clock_mhz\": 100", "\"clock_mhz\": -5"));
  EXPECT_NE(f.find("/clock_mhz: value -5 out of range"), std::string::npos) << f;
}

TEST(Config, RejectsBufferTooSmallForATile) {
  const std::string e = error_of(with("\"wgt\": 262144", "\"wgt\": 256"));
  EXPECT_NE(e.find("/sram_bytes/wgt: 256 bytes hold fewer than two 256-byte elements"), std::string::npos) << e;
}

TEST(Config, RejectsBandwidthAboveBusWidth) {
  const std::string e = error_of(with("\"bytes_per_cycle\": 8", "\"bytes_per_cycle\": 16"));
  EXPECT_NE(e.find("/dram/bytes_per_cycle: 16 exceeds the bus width"), std::string::npos) << e;
}

TEST(Config, RejectsInvalidJsonWithLineAndColumn) {
  const std::string e = error_of("{\n  \"name\": \"x\",\n  oops\n}");
  EXPECT_NE(e.find("bad.json:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;
}

TEST(Config, RejectsNonObjectRoot) {
  const std::string e = error_of("[1,2]");
  EXPECT_NE(e.find("bad.json: /: expected an object, got array"), std::string::npos) << e;
}

TEST(Config, MissingFileIsNamed) {
  try {
    load_config_file("/nonexistent/x.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.json: cannot open file"), std::string::npos);
  }
}

TEST(Config, ImportsVtaDefaultConfig) {
  const std::string vta = R"({"TARGET":"sim","HW_VER":"0.0.2","LOG_INP_WIDTH":3,"LOG_WGT_WIDTH":3,
    "LOG_ACC_WIDTH":5,"LOG_BATCH":0,"LOG_BLOCK":4,"LOG_UOP_BUFF_SIZE":15,"LOG_INP_BUFF_SIZE":15,
    "LOG_WGT_BUFF_SIZE":18,"LOG_ACC_BUFF_SIZE":17})";
  const HwConfig c = import_vta_config(vta, "vta_config.json");
  HwConfig def = load_config_file(kConfigs + "/default.json");
  EXPECT_EQ(c.name, "vta_sim");
  EXPECT_EQ(c.depthwise, 0);  // VTA has no depthwise mode; default.json is VTA's default plus it
  EXPECT_NE(derive(c).hash, derive(def).hash);
  def.depthwise = 0;
  EXPECT_EQ(derive(c).hash, derive(def).hash);
}

TEST(Config, ImportRejectsUnsupportedVtaValues) {
  const std::string vta = R"({"LOG_INP_WIDTH":2,"LOG_WGT_WIDTH":3,"LOG_ACC_WIDTH":5,"LOG_BATCH":0,"LOG_BLOCK":4,
    "LOG_UOP_BUFF_SIZE":15,"LOG_INP_BUFF_SIZE":15,"LOG_WGT_BUFF_SIZE":18,"LOG_ACC_BUFF_SIZE":17})";
  try {
    import_vta_config(vta, "v.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/datatypes/inp_bits"), std::string::npos) << e.what();
  }
  try {
    import_vta_config(R"({"LOG_INP_WIDTH":3,"FOO":1})", "v.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("v.json: /FOO: unknown VTA config key"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera
