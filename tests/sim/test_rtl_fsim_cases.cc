// Every legal program of the fsim instruction tests (tests/fsim/instruction_cases.h) on the RTL, bit-exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "sim/cosim/lockstep.h"
#include "tests/fsim/instruction_cases.h"

namespace tessera {
namespace {

using namespace programs;

// "first differing byte" for a readable failure instead of a 1 MiB dump.
void expect_same_dram(const std::vector<uint8_t>& fsim, const std::vector<uint8_t>& rtl) {
  ASSERT_EQ(fsim.size(), rtl.size());
  const auto diff = std::mismatch(fsim.begin(), fsim.end(), rtl.begin());
  if (diff.first != fsim.end())
    ADD_FAILURE() << "final DRAM differs first at byte offset " << diff.first - fsim.begin() << ": fsim "
                  << int(*diff.first) << ", RTL " << int(*diff.second);
}

class RtlFsimCases : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

// Each case on a fresh RTL model in lockstep with the fsim (SRAM, DRAM and tokens after every retire),
// then once more without the observer, its whole final DRAM against Fsim::run()'s byte for byte.
TEST_P(RtlFsimCases, MatchTheFsimBitExactly) {
  const auto& [config_name, group] = GetParam();
  const DerivedConfig cfg = config(config_name);
  const std::unique_ptr<RtlSim> rtl = make_rtl_sim(cfg);
  std::vector<uint8_t> dram = cases::initial_dram();
  int ran = 0;
  cases::case_group(group).build(cfg, dram, [&](const cases::InstructionCase& c) {
    SCOPED_TRACE(c.name);
    const CosimResult r = run_lockstep(*rtl, c.program, dram);
    EXPECT_TRUE(r.ok) << r.divergence;
    EXPECT_EQ(r.checked_insns, int64_t(c.program.size()));
    std::vector<uint8_t> fsim_dram = dram, rtl_dram = dram;
    Fsim(cfg).run(c.program, fsim_dram);
    rtl->run(c.program, rtl_dram);
    expect_same_dram(fsim_dram, rtl_dram);
    ++ran;
  });
  EXPECT_GT(ran, 0);
  RecordProperty("cases", ran);
}

std::string case_test_name(const ::testing::TestParamInfo<RtlFsimCases::ParamType>& info) {
  std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

// Every built config with every case group it has cases for.
std::vector<std::tuple<std::string, std::string>> config_groups() {
  std::vector<std::tuple<std::string, std::string>> v;
  for (const std::string& c : built_rtl_configs())
    for (const cases::CaseGroup& g : cases::case_groups())
      if (!g.needs_depthwise || config(c).hw.depthwise) v.emplace_back(c, g.name);
  return v;
}

INSTANTIATE_TEST_SUITE_P(FsimCases, RtlFsimCases, ::testing::ValuesIn(config_groups()), case_test_name);

// The RTL counterpart of FsimStreams.WithoutTheFreeBufferGrantsTheStreamDeadlocks: the watchdog names
// every unit's stuck token queue and program index, as the fsim's deadlock report does.
class RtlFsimDeadlocks : public ::testing::TestWithParam<std::string> {};

TEST_P(RtlFsimDeadlocks, StreamWithoutFreeBufferGrantsNamesEveryStuckQueue) {
  const DerivedConfig cfg = config(GetParam());
  std::vector<uint8_t> dram = cases::initial_dram();
  std::vector<Insn> prog = cases::double_buffered_stream(cfg, dram, 3);
  prog.erase(prog.begin() + 2, prog.begin() + 6);  // drop the four initial grants
  RtlOptions opt;
  opt.watchdog_cycles = 3000;
  try {
    make_rtl_sim(cfg)->run(prog, dram, opt);
    FAIL() << "the stream cannot start without its free-buffer grants";
  } catch (const WatchdogError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("load: stalled waiting on token queue g2l at program index 2"), std::string::npos) << m;
    EXPECT_NE(m.find("waiting on token queue l2g"), std::string::npos) << m;
    EXPECT_NE(m.find("at program index 3 (GEMM)"), std::string::npos) << m;
    EXPECT_NE(m.find("store: stalled waiting on token queue g2s at program index 5"), std::string::npos) << m;
    EXPECT_NE(m.find("l2g=0 g2l=0 g2s=0 s2g=0"), std::string::npos) << m;
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, RtlFsimDeadlocks, ::testing::ValuesIn(built_rtl_configs()));

}  // namespace
}  // namespace tessera
