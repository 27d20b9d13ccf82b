// The generated SV packages and register header, read back and compared with DerivedConfig and
// hw/regs.def, for every shipped config; plus Verilator -Wall lint and a Yosys read of the packages.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>

#include "isa/config.h"
#include "tests/isa/gen/gen_test_util.h"
#include "tessera_regs.h"  // generated for config "default" by tessera_generate()

namespace tessera {
namespace {

using namespace gen_test;
const std::string kSource = TESSERA_SOURCE_DIR;
const char* kPackages[] = {"tessera_params_pkg.sv", "tessera_isa_pkg.sv", "tessera_regs_pkg.sv"};

std::vector<std::string> shipped_configs() {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(kSource + "/configs"))
    if (e.path().extension() == ".json") v.push_back(e.path().stem().string());
  std::sort(v.begin(), v.end());
  return v;
}

// Runs tessera_gen for a config into a fresh directory and returns that directory.
std::string generate(const std::string& cfg) {
  const fs::path dir = scratch() / cfg;
  fs::remove_all(dir);
  const CmdResult r = run(std::string(TESSERA_GEN_TOOL) + " sv --config " + kSource + "/configs/" + cfg +
                          ".json --out " + dir.string());
  EXPECT_EQ(r.rc, 0) << r.output;
  return dir.string();
}

// name -> value of every localparam, read with an independent parser of the SV literal forms used.
std::map<std::string, uint64_t> read_localparams(const std::string& sv) {
  std::map<std::string, uint64_t> m;
  static const std::regex re(R"(localparam\s+(?:int|logic\s*\[\d+:0\])\s+(\w+)\s*=\s*([^;]+);)");
  for (std::sregex_iterator it(sv.begin(), sv.end(), re), end; it != end; ++it) {
    const std::string lit = (*it)[2];  // 12, 'h1c, 3'd4 or 64'h0123...
    const auto tick = lit.find('\'');
    const uint64_t v = tick == std::string::npos ? std::stoull(lit, nullptr, 10)
                                                 : std::stoull(lit.substr(tick + 2), nullptr, lit[tick + 1] == 'h' ? 16 : 10);
    EXPECT_TRUE(m.emplace((*it)[1], v).second) << "duplicate localparam " << (*it)[1];
  }
  return m;
}

std::map<std::string, uint64_t> read_all(const std::string& dir) {
  std::map<std::string, uint64_t> all;
  for (const char* p : kPackages)
    for (const auto& [k, v] : read_localparams(slurp(dir + "/" + p))) EXPECT_TRUE(all.emplace(k, v).second) << k;
  return all;
}

TEST(GenPackages, AgreeWithDerivedConfigForEveryShippedConfig) {
  for (const auto& cfg : shipped_configs()) {
    SCOPED_TRACE(cfg);
    const DerivedConfig d = load_derived(kSource + "/configs/" + cfg + ".json");
    auto p = read_all(generate(cfg));
    EXPECT_EQ(p["BATCH"], uint64_t(d.hw.batch));
    EXPECT_EQ(p["BLOCK_IN"], uint64_t(d.hw.block_in));
    EXPECT_EQ(p["BLOCK_OUT"], uint64_t(d.hw.block_out));
    EXPECT_EQ(p["OUT_BITS"], uint64_t(d.out_bits));
    EXPECT_EQ(p["UOP_DEPTH"], uint64_t(d.uop.depth));
    EXPECT_EQ(p["WGT_DEPTH"], uint64_t(d.wgt.depth));
    EXPECT_EQ(p["ACC_IDX_BITS"], uint64_t(d.acc.idx_bits));
    EXPECT_EQ(p["INP_ELEM_BYTES"], uint64_t(d.inp.elem_bytes));
    EXPECT_EQ(p["ACC8_ELEM_BYTES"], uint64_t(d.acc8.elem_bytes));
    EXPECT_EQ(p["UOP_ELEM_BYTES"], uint64_t(d.uop_bytes()));
    EXPECT_EQ(p["INSN_BITS"], uint64_t(d.layout.insn_bits));
    EXPECT_EQ(p["UOP_BITS"], uint64_t(d.layout.uop_bits));
    EXPECT_EQ(p["SRAM_ADDR_BITS"], uint64_t(d.layout.sram_addr_bits));
    EXPECT_EQ(p["AXI_DATA_BITS"], uint64_t(d.hw.dram_bus_bits));
    EXPECT_EQ(p["AXI_MAX_OUTSTANDING"], uint64_t(d.hw.dram_max_outstanding));
    EXPECT_EQ(p["TOKEN_QUEUE_DEPTH"], uint64_t(d.hw.token_queue_depth));
    EXPECT_EQ(p["CONFIG_HASH"], d.hash);

    for (const auto& o : opcodes()) EXPECT_EQ(p.at(std::string("OPC_") + o.name), uint64_t(o.value));
    for (const auto& m : mem_types()) EXPECT_EQ(p.at(std::string("MEM_") + m.name), uint64_t(m.value));
    for (const auto& a : alu_ops()) EXPECT_EQ(p.at(std::string("ALU_") + a.name), uint64_t(a.value));
    for (int f = 0; f < kNumFormats; ++f)
      for (const auto& s : d.layout.formats[f]) {
        const std::string id = std::string(format_name(Format(f))) + "_" + field_info(s.field).id;
        EXPECT_EQ(p.at(id + "_LSB"), uint64_t(s.lsb)) << id;
        EXPECT_EQ(p.at(id + "_W"), uint64_t(s.width)) << id;
      }
    EXPECT_EQ(p.at("UOP_SRC_LSB"), uint64_t(d.layout.uop[1].lsb));
    EXPECT_EQ(p.at("UOP_WGT_W"), uint64_t(d.layout.uop[2].width));
  }
}

TEST(GenPackages, ProvideEveryNameOfTheRtlContract) {
  auto p = read_all(generate("tiny"));
  for (const char* n :
       {"BATCH", "BLOCK_IN", "BLOCK_OUT", "INP_BITS", "WGT_BITS", "ACC_BITS", "OUT_BITS", "UOP_DEPTH", "INP_DEPTH",
        "WGT_DEPTH", "ACC_DEPTH", "UOP_IDX_BITS", "INP_IDX_BITS", "WGT_IDX_BITS", "ACC_IDX_BITS", "INP_ELEM_BYTES",
        "WGT_ELEM_BYTES", "ACC_ELEM_BYTES", "OUT_ELEM_BYTES", "ACC8_ELEM_BYTES", "UOP_ELEM_BYTES", "INSN_BITS",
        "UOP_BITS", "SRAM_ADDR_BITS", "AXI_DATA_BITS", "AXI_ADDR_BITS", "AXI_MAX_BURST_BEATS", "AXI_MAX_OUTSTANDING",
        "CMD_QUEUE_DEPTH", "TOKEN_QUEUE_DEPTH", "CONFIG_HASH", "OPCODE_W", "MEM_SRAM_BASE_LSB", "GEMM_UOP_BGN_W",
        "ALU_IMM_LSB", "FINISH_OPCODE_W", "UOP_DST_LSB", "UOP_DST_W", "UOP_SRC_W", "UOP_WGT_LSB", "VERSION_MAJOR",
        "VERSION_MINOR", "REGS_ADDR_BITS", "REG_CTRL_OFFSET", "CTRL_AP_START_LSB", "CTRL_AP_START_W"})
    EXPECT_TRUE(p.count(n)) << n;
  EXPECT_EQ(p["AXI_ADDR_BITS"], 64u);
}

TEST(GenPackages, RegistersMatchRegsDef) {
  auto p = read_all(generate("default"));
  uint64_t last = 0;
#define TESSERA_REG(NAME, OFFSET, ACCESS, DOC)            \
  EXPECT_EQ(p.at("REG_" #NAME "_OFFSET"), uint64_t(OFFSET)); \
  last = std::max<uint64_t>(last, OFFSET + 3);
#define TESSERA_REG_FIELD(REG, NAME, LSB, WIDTH, DOC) \
  EXPECT_EQ(p.at(#REG "_" #NAME "_LSB"), uint64_t(LSB)); \
  EXPECT_EQ(p.at(#REG "_" #NAME "_W"), uint64_t(WIDTH));
#define TESSERA_VERSION(MAJOR, MINOR)           \
  EXPECT_EQ(p.at("VERSION_MAJOR"), uint64_t(MAJOR)); \
  EXPECT_EQ(p.at("VERSION_MINOR"), uint64_t(MINOR));
#include "hw/regs.def"
#undef TESSERA_REG
#undef TESSERA_REG_FIELD
#undef TESSERA_VERSION
  EXPECT_GE(p.at("REGS_ADDR_BITS"), 8u);
  EXPECT_GT(uint64_t{1} << p.at("REGS_ADDR_BITS"), last);
  EXPECT_LE(uint64_t{1} << (p.at("REGS_ADDR_BITS") - 1), std::max<uint64_t>(last, 255));
}

TEST(GenPackages, CxxRegisterHeaderMatchesRegsDef) {
  size_t n = 0;
#define TESSERA_REG(NAME, OFFSET, ACCESS, DOC)      \
  EXPECT_EQ(regs::REG_##NAME##_OFFSET, uint32_t(OFFSET)); \
  EXPECT_STREQ(regs::kRegs[n].name, #NAME);        \
  EXPECT_STREQ(regs::kRegs[n].access, #ACCESS);    \
  ++n;
#define TESSERA_REG_FIELD(REG, NAME, LSB, WIDTH, DOC) \
  EXPECT_EQ(regs::REG##_##NAME##_LSB, LSB);           \
  EXPECT_EQ(regs::REG##_##NAME##_W, WIDTH);
#include "hw/regs.def"
#undef TESSERA_REG
#undef TESSERA_REG_FIELD
  EXPECT_EQ(n, sizeof(regs::kRegs) / sizeof(regs::kRegs[0]));
}

std::string package_list(const std::string& dir) {
  std::string s;
  for (const char* p : kPackages) s += " " + dir + "/" + p;
  return s;
}

TEST(GenPackages, LintCleanWithVerilatorForEveryShippedConfig) {
  for (const auto& cfg : shipped_configs()) {
    const CmdResult r = run(std::string(TESSERA_VERILATOR) + " --lint-only -Wall" + package_list(generate(cfg)) + " " +
                            kSource + "/tests/isa/gen/pkg_smoke_top.sv --top-module pkg_smoke_top");
    EXPECT_EQ(r.rc, 0) << cfg << ":\n" << r.output;
  }
}

TEST(GenPackages, ReadByYosysForEveryShippedConfig) {
  for (const auto& cfg : shipped_configs()) {
    const CmdResult r = run(std::string(TESSERA_YOSYS) + " -q -p 'read_verilog -sv" + package_list(generate(cfg)) +
                            " " + kSource + "/tests/isa/gen/pkg_smoke_top.sv; hierarchy -check -top pkg_smoke_top'");
    EXPECT_EQ(r.rc, 0) << cfg << ":\n" << r.output;
  }
}

TEST(GenPackages, BadConfigGivesAClearErrorAndNoPackages) {
  const fs::path dir = scratch() / "bad";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "bad.json") << "{ \"name\": \"x\" }";
  const CmdResult r =
      run(std::string(TESSERA_GEN_TOOL) + " sv --config " + (dir / "bad.json").string() + " --out " + (dir / "out").string());
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.output.find("bad.json: /description: missing required key"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
}  // namespace tessera
