// Instruction-level scenarios on the RTL in lockstep with the fsim, plus watchdog, waveform (VCD, FST) and trace checks.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include <unistd.h>

#include "sim/cosim/lockstep.h"
#include "tests/fsim/programs.h"
#if TESSERA_RTL_TRACE_FST
#include "gtkwave/fstapi.h"
#endif

namespace tessera {
namespace {

using namespace programs;

constexpr bool kHasFst = TESSERA_RTL_TRACE_FST, kHasVcd = TESSERA_RTL_TRACE_FST || TESSERA_RTL_TRACE_VCD;

// What a VCD file declares and how often its top-level clock changes, parsed with plain text scanning.
struct VcdSummary {
  bool has_timescale = false;
  std::map<std::string, std::string> vars;  // signal name -> identifier code (first declaration)
  uint64_t clock_changes = 0, last_time = 0;
};

VcdSummary read_vcd(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "no VCD at " << path;
  VcdSummary v;
  std::string line, clock_id;
  while (std::getline(in, line) && line.find("$enddefinitions") == std::string::npos) {
    v.has_timescale |= line.rfind("$timescale", 0) == 0;
    std::istringstream ls(line);
    std::string tag, type, width, id, name;
    if (ls >> tag >> type >> width >> id >> name && tag == "$var") v.vars.emplace(name, id);
  }
  if (v.vars.count("clk_i")) clock_id = v.vars["clk_i"];
  while (std::getline(in, line)) {
    if (line.size() > 1 && line[0] == '#') v.last_time = std::stoull(line.substr(1));
    if (line.size() > 1 && (line[0] == '0' || line[0] == '1') && line.substr(1) == clock_id) ++v.clock_changes;
  }
  return v;
}

// The run's failure message when the waveform request cannot be met.
std::string waveform_error(RtlSim& rtl, const std::vector<Insn>& p, std::vector<uint8_t>& dram, const RtlOptions& opt) {
  try {
    rtl.run(p, dram, opt);
  } catch (const RtlError& e) {
    return e.what();
  }
  ADD_FAILURE() << "the waveform request cannot be met, yet the run did not fail";
  return "";
}

#if TESSERA_RTL_TRACE_FST
// An FST file read back with the FST reader: the clock's presence, the end time and the final value of
// the control block's cycle counter (cycles_q).
struct FstSummary {
  bool has_clock = false;
  uint64_t end_time = 0, last_cycles_q = 0;
};

FstSummary read_fst(const std::string& path) {
  FstSummary s;
  std::unique_ptr<void, void (*)(void*)> rd(fstReaderOpen(path.c_str()), fstReaderClose);
  if (!rd) {
    ADD_FAILURE() << "the FST reader cannot open " << path;
    return s;
  }
  s.end_time = fstReaderGetEndTime(rd.get());
  struct Watch {
    fstHandle counter = 0;
    uint64_t value = 0;
  } watch;
  while (const fstHier* h = fstReaderIterateHier(rd.get())) {
    if (h->htyp != FST_HT_VAR) continue;
    const std::string full(h->u.var.name), name = full.substr(0, full.find(" ["));  // "cycles_q [63:0]"
    s.has_clock |= name == "clk_i";
    if (name == "cycles_q" && !watch.counter) watch.counter = h->u.var.handle;
  }
  EXPECT_NE(watch.counter, 0u) << path << " has no cycles_q";
  fstReaderSetFacProcessMask(rd.get(), watch.counter);
  fstReaderIterBlocks(rd.get(), [](void* user, uint64_t, fstHandle f, const unsigned char* bits) {
    Watch& w = *static_cast<Watch*>(user);
    if (f != w.counter) return;
    w.value = 0;
    for (const unsigned char* b = bits; *b; ++b) w.value = w.value << 1 | uint64_t(*b == '1');
  }, &watch, nullptr);
  s.last_cycles_q = watch.value;
  return s;
}
#endif

class RtlScenario : public ::testing::TestWithParam<std::string> {
 protected:
  DerivedConfig cfg = config(GetParam());
  std::unique_ptr<RtlSim> rtl;
  std::vector<uint8_t> dram = std::vector<uint8_t>(1 << 16);
  int64_t out_elem = (1 << 15) / cfg.elem_bytes(int(MemType::OUT));  // stores go to the upper half

  RtlScenario() {
    fill_random(dram, 99);
    // Micro-ops at UOP element 0; dst repeats on the next and the next-but-one micro-op (RAW hazards).
    put_uops(dram, cfg, 0, {{0, 0, 0}, {0, 1, 1}, {1, 2, 0}, {0, 3, 2}, {2, 0, 1}});
  }

  // A file name of this test's own: build directories and ctest -j share the temporary directory.
  std::string temp_path(const std::string& name) const {
    return ::testing::TempDir() + "tessera_rtl_" + GetParam() + "_" + std::to_string(getpid()) + "_" + name;
  }

  void SetUp() override {
    const std::vector<std::string> built = built_rtl_configs();
    if (std::find(built.begin(), built.end(), GetParam()) == built.end())
      GTEST_SKIP() << "no RTL model for config '" << GetParam() << "' in this build (add it to TESSERA_RTL_CONFIGS)";
    rtl = make_rtl_sim(cfg);
  }

  CosimResult lockstep(std::vector<Insn> prog, const CosimOptions& opt = {}) {
    prog.push_back(finish());
    CosimResult r = run_lockstep(*rtl, prog, dram, opt);
    EXPECT_TRUE(r.ok) << r.divergence;
    EXPECT_EQ(r.checked_insns, int64_t(prog.size()));
    return r;
  }

  // LOAD INP/WGT on the load unit, handed to compute with a token.
  std::vector<Insn> operands() {
    return {load(MemType::INP, 0, 0, 2, 4, 5, {1, 0, 1, 1}),
            load(MemType::WGT, 0, 3, 2, 3, 4, {0, 1, 0, 1}, {false, false, false, true}),
            load(MemType::UOP, 0, 0, 1, 5, 5)};
  }
};

TEST_P(RtlScenario, LoadPaddingOnEveryMemoryType) {
  lockstep({load(MemType::INP, 3, 5, 3, 2, 7, {2, 1, 1, 2}), load(MemType::WGT, 1, 2, 2, 2, 3, {1, 2, 2, 1}),
            load(MemType::UOP, 7, 1, 2, 2, 3, {1, 1, 1, 1}), load(MemType::ACC, 2, 4, 2, 3, 5, {1, 1, 2, 0}),
            load(MemType::ACC_8BIT, 20, 9, 3, 2, 2, {0, 2, 1, 1}),
            load(MemType::INP, 40, 100, 0, 3, 3, {2, 1, 0, 0})});  // y_size 0: padding rows only
}

TEST_P(RtlScenario, GemmTwoLevelLoopsWithAccumulatorHazards) {
  std::vector<Insn> p = operands();
  p.push_back(gemm({0, 5, 2, 3, 4, 1, 0, 0, 0, 0}, true));  // reset
  p.push_back(gemm({0, 5, 2, 3, 4, 1, 5, 2, 3, 1}, false, {true, false, false, false}));
  p.push_back(gemm({1, 4, 1, 1}));  // back-to-back micro-ops on the same accumulator
  p.push_back(gemm({0, 5, 1, 2, 0, 0, 1, 1, 1, 0}, false, {false, false, false, true}));
  p.push_back(store(0, out_elem, 3, 4, 6, {true, false, false, false}));
  const CosimResult r = lockstep(p);
  Fsim f(cfg);
  std::vector<uint8_t> d = dram;
  p.push_back(finish());
  const FsimStats fs = f.run(p, d);
  EXPECT_EQ(r.rtl.gemm_uops, fs.gemm_uops);  // MAC steps; reset micro-ops are not counted
  for (int u = 0; u < kNumUnits; ++u) EXPECT_EQ(r.rtl.units[u].insns, fs.insns[u]) << unit_name(Unit(u));
  EXPECT_GT(r.rtl.units[1].busy, 0u);
  EXPECT_EQ(r.rtl.bytes_fetched, p.size() * uint64_t(cfg.insn_bytes()));
  uint64_t loaded = 0;
  for (uint64_t b : fs.bytes_loaded) loaded += b;
  EXPECT_GE(r.rtl.bytes_read, loaded);  // whole beats: at least what the program addresses
  EXPECT_EQ(r.rtl.bytes_written, fs.bytes_stored);
}

TEST_P(RtlScenario, EveryAluOperationWithImmediateAndVector) {
  std::vector<Insn> p = {load(MemType::UOP, 0, 0, 1, 5, 5), load(MemType::ACC, 0, 10, 2, 4, 4),
                         load(MemType::ACC_8BIT, 8, 30, 1, 4, 4)};
  const Loop l{0, 3, 2, 2, 1, 2, 3, 1};
  for (const NamedValue& op : vta_alu_ops()) {
    p.push_back(alu(AluOp(op.value), l, false));
    p.push_back(alu(AluOp(op.value), l, true, -7));
    p.push_back(alu(AluOp(op.value), l, true, 12345));
  }
  for (int64_t shift : {-40, -31, -1, 0, 1, 31, 40, -32768, 32767}) p.push_back(alu(AluOp::SHR, l, true, shift));
  p.push_back(alu_reset({2, 3, 1, 2, 0, 3}));
  p.back()[Field::PUSH_NEXT] = 1;
  p.push_back(store(0, out_elem, 3, 4, 5, {true, false, false, false}));  // truncating store
  lockstep(p);
}

TEST_P(RtlScenario, PollingGivesTheSameResultAsTheInterrupt) {
  std::vector<Insn> p = operands();
  p.push_back(gemm({0, 5, 2, 2, 1, 1, 1, 1, 1, 1}, false, {true, false, false, false}));
  CosimOptions opt;
  opt.rtl.poll = true;
  lockstep(p, opt);
}

TEST_P(RtlScenario, SlowNarrowDramStillMatches) {
  std::vector<Insn> p = operands();
  p.push_back(gemm({0, 5, 2, 2, 1, 1, 1, 1, 1, 1}, false, {true, false, false, true}));
  p.push_back(store(0, out_elem, 2, 3, 3, {true, false, false, false}));
  CosimOptions opt;
  opt.rtl.dram_latency_cycles = 3;
  opt.rtl.dram_bytes_per_cycle = 1;
  opt.rtl.dram_max_outstanding = 1;
  lockstep(p, opt);
}

TEST_P(RtlScenario, WatchdogNamesTheWaitingUnitQueueAndIndex) {
  const std::vector<Insn> p = {load(MemType::INP, 0, 0, 1, 1, 1), gemm({0, 1}, false, {true, false, false, false}),
                               finish()};
  RtlOptions opt;
  opt.watchdog_cycles = 3000;
  try {
    rtl->run(p, dram, opt);
    FAIL() << "a GEMM popping an empty l2g queue must not finish";
  } catch (const WatchdogError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("compute: stalled waiting on token queue l2g at program index 1"), std::string::npos) << m;
    EXPECT_NE(m.find("load: all 1 instructions retired"), std::string::npos) << m;
    EXPECT_LT(e.cycle, 10000u);
  }
}

TEST_P(RtlScenario, SyncsCarryTokensAroundAllUnits) {
  // load -> compute -> store -> compute -> load, with data only at the ends of the chain.
  lockstep({load(MemType::INP, 0, 0, 1, 2, 2, {}, {false, false, false, true}),
            sync(Unit::COMPUTE, {true, false, false, true}), sync(Unit::STORE, {true, false, true, false}),
            sync(Unit::COMPUTE, {false, true, true, false}), load(MemType::WGT, 0, 1, 1, 2, 2, {}, {false, true, false, false}),
            gemm({0, 1}, false, {false, false, false, false})});
}

TEST_P(RtlScenario, FinishFirstStillDrainsLoadAndStore) {
  std::vector<Insn> p = {finish(), load(MemType::INP, 0, 0, 1, 3, 3), store(0, out_elem, 1, 2, 2)};
  const CosimResult r = run_lockstep(*rtl, p, dram);
  EXPECT_TRUE(r.ok) << r.divergence;
  EXPECT_EQ(r.checked_insns, 3);
}

TEST_P(RtlScenario, PushIntoAFullTokenQueueStalls) {
  const int depth = cfg.hw.token_queue_depth;
  std::vector<Insn> p;
  for (int k = 0; k <= depth; ++k) p.push_back(sync(Unit::LOAD, {false, false, false, true}));
  p.push_back(finish());
  RtlOptions opt;
  opt.watchdog_cycles = 3000;
  try {
    rtl->run(p, dram, opt);
    FAIL() << "the load unit cannot push token " << depth + 1 << " into l2g";
  } catch (const WatchdogError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("load: stalled waiting on token queue l2g at program index " + std::to_string(depth)),
              std::string::npos) << m;
    EXPECT_NE(m.find("l2g=" + std::to_string(depth)), std::string::npos) << m;
  }
  p.back() = sync(Unit::COMPUTE, {true, false, false, false});  // one pop on the consumer side frees a slot
  lockstep(p);
}

TEST_P(RtlScenario, FullCommandQueueStallsFetch) {
  // Compute waits for a token that only the last LOAD pushes, but fetch cannot reach that LOAD past
  // a full compute command queue: a deadlock of order, not of content.
  const int depth = cfg.hw.command_queue_depth;
  std::vector<Insn> p = {gemm({0, 1}, false, {true, false, false, false})};
  for (int k = 0; k < depth + 1; ++k) p.push_back(gemm({0, 1}));
  p.push_back(sync(Unit::LOAD, {false, false, false, true}));
  p.push_back(finish());
  RtlOptions opt;
  opt.watchdog_cycles = 3000;
  try {
    rtl->run(p, dram, opt);
    FAIL() << "fetch must stall on the full compute queue";
  } catch (const WatchdogError& e) {
    EXPECT_NE(std::string(e.what()).find("compute: stalled waiting on token queue l2g at program index 0"),
              std::string::npos) << e.what();
  }
  std::rotate(p.begin(), p.end() - 2, p.end() - 1);  // the producer first: now it runs
  lockstep({p.begin(), p.end() - 1});
}

TEST_P(RtlScenario, CycleLimitStopsTheRun) {
  std::vector<Insn> p = operands();
  p.push_back(finish());
  RtlOptions opt;
  opt.max_cycles = 50;
  EXPECT_THROW(rtl->run(p, dram, opt), WatchdogError);
}

TEST_P(RtlScenario, TraceFileHasUnitSpansAndRetires) {
  std::vector<Insn> p = operands();
  p.push_back(gemm({0, 5, 2, 2, 1, 1, 1, 1, 1, 1}, false, {true, false, false, false}));
  p.push_back(finish());
  RtlOptions opt;
  opt.trace_path = temp_path("trace.json");
  rtl->run(p, dram, opt);
  std::ifstream tj(opt.trace_path);
  const nlohmann::json j = nlohmann::json::parse(tj);
  size_t retires = 0, busy = 0;
  for (const auto& ev : j.at("traceEvents")) {
    const std::string name = ev.value("name", "");
    retires += name.rfind("retire ", 0) == 0;
    busy += name == "busy";
  }
  EXPECT_EQ(retires, p.size());
  EXPECT_GT(busy, 0u);
  std::remove(opt.trace_path.c_str());
}

TEST_P(RtlScenario, WaveformsInBothFormatsCoverTheRun) {
  std::vector<Insn> p = operands();
  p.push_back(gemm({0, 5, 2, 2, 1, 1, 1, 1, 1, 1}, false, {true, false, false, false}));
  p.push_back(finish());
  const std::string base = temp_path("waves");
  RtlOptions opt;
  opt.vcd_path = base + ".vcd";
  opt.fst_path = base + ".fst";  // both at once: the VCD is converted from this FST
  if (!kHasFst) {
    const std::string m = waveform_error(*rtl, p, dram, opt);
    EXPECT_NE(m.find("-DTESSERA_RTL_TRACE=FST"), std::string::npos) << m;
    if (!kHasVcd) return;
    opt.fst_path.clear();
  }
  const RtlStats st = rtl->run(p, dram, opt);
  const uint64_t half_cycles = 2 * st.sim_cycles;  // the model dumps after each clock edge
  const VcdSummary vcd = read_vcd(opt.vcd_path);
  EXPECT_TRUE(vcd.has_timescale);
  EXPECT_TRUE(vcd.vars.count("cycles_q") && vcd.vars.count("obs_retire_o")) << "VCD declares " << vcd.vars.size() << " names";
  ASSERT_TRUE(vcd.vars.count("clk_i"));
  EXPECT_GE(vcd.clock_changes + 1, half_cycles) << "the clock must toggle at every dumped step";
  EXPECT_GE(vcd.last_time, half_cycles);
  std::remove(opt.vcd_path.c_str());
#if TESSERA_RTL_TRACE_FST
  EXPECT_FALSE(std::ifstream(opt.vcd_path + ".tmp.fst").good()) << "no temporary FST left behind";
  const FstSummary fst = read_fst(opt.fst_path);
  EXPECT_TRUE(fst.has_clock);
  EXPECT_GE(fst.end_time, st.cycles);
  EXPECT_GE(fst.end_time, half_cycles);
  EXPECT_EQ(fst.last_cycles_q, st.cycles) << "the CYCLES counter's last value in the FST is what the run read";
  std::remove(opt.fst_path.c_str());
  opt.vcd_path.clear();  // FST alone, written directly
  rtl->run(p, dram, opt);
  EXPECT_EQ(read_fst(opt.fst_path).last_cycles_q, st.cycles);
  std::remove(opt.fst_path.c_str());
#endif
}

TEST_P(RtlScenario, FailedRunStillLeavesItsWaveform) {
  if (!kHasVcd) GTEST_SKIP() << "models built with -DTESSERA_RTL_TRACE=OFF";
  const std::vector<Insn> p = {gemm({0, 1}, false, {true, false, false, false}), finish()};
  RtlOptions opt;
  opt.watchdog_cycles = 500;
  opt.vcd_path = temp_path("stuck.vcd");
  EXPECT_THROW(rtl->run(p, dram, opt), WatchdogError);
  const VcdSummary vcd = read_vcd(opt.vcd_path);
  EXPECT_GE(vcd.last_time, 2 * opt.watchdog_cycles);
  EXPECT_GE(vcd.clock_changes, 2 * opt.watchdog_cycles);
  std::remove(opt.vcd_path.c_str());
}

TEST_P(RtlScenario, OneFileForBothWaveformsIsRejected) {
  if (!kHasFst) GTEST_SKIP() << "only an FST build writes both formats";
  RtlOptions opt;
  opt.vcd_path = opt.fst_path = temp_path("same");
  const std::string m = waveform_error(*rtl, {load(MemType::INP, 0, 0, 1, 2, 2), finish()}, dram, opt);
  EXPECT_NE(m.find("different files"), std::string::npos) << m;
  std::remove(opt.vcd_path.c_str());
}

TEST_P(RtlScenario, UnwritableWaveformPathNamesTheFile) {
  if (!kHasVcd) GTEST_SKIP() << "models built with -DTESSERA_RTL_TRACE=OFF";
  const std::vector<Insn> p = {load(MemType::INP, 0, 0, 1, 2, 2), finish()};
  RtlOptions opt;
  opt.vcd_path = ::testing::TempDir() + "tessera_no_such_dir/run.vcd";
  try {
    rtl->run(p, dram, opt);
    FAIL() << "a waveform that cannot be written must fail the run before it starts";
  } catch (const RtlError& e) {
    EXPECT_NE(std::string(e.what()).find(opt.vcd_path), std::string::npos) << e.what();
  }
}

TEST_P(RtlScenario, CheckerCatchesAWrongSram) {
  // Not vacuous: reading the truncated output copy instead of the accumulators must diverge.
  std::vector<Insn> p = operands();
  p.push_back(gemm({0, 5, 2, 2, 1, 1, 1, 1, 1, 1}, false, {true, false, false, false}));
  p.push_back(finish());
  CosimOptions opt;
  opt.paths.acc = "u_compute.u_out_sram.mem_q";
  const CosimResult r = run_lockstep(*rtl, p, dram, opt);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.divergence.find("program index 3"), std::string::npos) << r.divergence;
}

INSTANTIATE_TEST_SUITE_P(Configs, RtlScenario, ::testing::Values("default", "tiny", "vta_4x8x8"));

TEST(RtlBackend, ModelsOfSeveralConfigsLiveSideBySide) {
  std::vector<uint8_t> dram(1 << 16);
  fill_random(dram, 5);
  const std::vector<Insn> p = {load(MemType::INP, 2, 0, 1, 2, 2), finish()};
  auto a = make_rtl_sim(config("tiny"));
  auto b = make_rtl_sim(config("default"));
  a->run(p, dram);
  b->run(p, dram);
  a->run(p, dram);  // rebuilds a's model while b's is alive
  b.reset();        // destroying b must not unregister a's SRAMs
  const DerivedConfig tiny = config("tiny");
  const std::vector<uint8_t> got = a->peek("u_load.u_inp_sram.mem_q", 3);
  ASSERT_EQ(int64_t(got.size()), tiny.inp.elem_bytes);
  for (int64_t k = 0; k < tiny.inp.elem_bytes; ++k)
    EXPECT_EQ(got[size_t(k)], dram[size_t(tiny.inp.elem_bytes + k)]) << "byte " << k;
}

TEST(RtlBackend, MissingModelSaysHowToBuildIt) {
  const DerivedConfig cfg = config("rect_1x16x32");
  try {
    make_rtl_sim(cfg);
    FAIL() << "rect_1x16x32 is not among TESSERA_RTL_CONFIGS";
  } catch (const RtlError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("rect_1x16x32"), std::string::npos) << m;
    EXPECT_NE(m.find("TESSERA_RTL_CONFIGS"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace tessera
