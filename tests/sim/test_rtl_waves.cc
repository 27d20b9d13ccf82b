// Waveforms a person can open (issue #14): a cycle window, the last cycles before a deadlock, a scope,
// and what was written (path, size, cycles), on the RTL harness and the SystemC model's backend.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <iterator>

#include "driver/device.h"
#include "gtkwave/fstapi.h"
#include "isa/asm.h"
#include "sim/rtl/fst_to_vcd.h"
#include "sim/rtl/rtl_backend.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

using namespace programs;
const std::string kRoot = TESSERA_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Span {
  uint64_t start = 0, end = 0, vars = 0;
};
Span fst_span(const std::string& path) {
  std::unique_ptr<void, void (*)(void*)> r(fstReaderOpen(path.c_str()), fstReaderClose);
  if (!r) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  return {fstReaderGetStartTime(r.get()), fstReaderGetEndTime(r.get()), fstReaderGetVarCount(r.get())};
}

uint64_t file_size(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  return f ? uint64_t(f.tellg()) : 0;
}

class RtlWaves : public ::testing::Test {
 protected:
  DerivedConfig cfg = load_derived(kRoot + "/configs/default.json");
  std::unique_ptr<RtlSim> rtl = make_rtl_sim(cfg);
  Program prog = assemble(read_text(kRoot + "/examples/dense_relu.s"), cfg, "dense_relu.s");
  std::vector<uint8_t> dram = initial_dram(prog, cfg);
  std::string dir = ::testing::TempDir() + "/rtl_waves_" + std::to_string(::getpid());
  std::string path(const std::string& name) { return dir + "_" + name; }
};

TEST_F(RtlWaves, CycleWindowKeepsOnlyThoseCycles) {
  RtlOptions full;
  full.fst_path = path("full.fst");
  const RtlStats all = rtl->run(prog.insns, dram, full);
  RtlOptions opt;
  opt.fst_path = path("win.fst");
  opt.vcd_path = path("win.vcd");
  opt.waves.from = 200;
  opt.waves.to = 400;
  const RtlStats st = rtl->run(prog.insns, dram, opt);
  ASSERT_EQ(st.waves.size(), 2u);
  for (const WaveFile& f : st.waves) {
    EXPECT_EQ(f.first_cycle, 200u);
    EXPECT_EQ(f.last_cycle, 400u);
    EXPECT_EQ(f.bytes, file_size(f.path)) << f.path;
  }
  const Span s = fst_span(opt.fst_path);
  EXPECT_EQ(s.start, 2u * 200 + 1) << "time in the file is 2 x cycle";
  EXPECT_EQ(s.end, 2u * 400 + 2);
  EXPECT_LT(file_size(opt.fst_path), file_size(full.fst_path));
  EXPECT_EQ(all.waves.at(0).last_cycle + 1, all.sim_cycles);
  const std::string d = describe_waves(st.waves, opt.waves);
  EXPECT_NE(d.find("waveform " + opt.fst_path + ": "), std::string::npos) << d;
  EXPECT_NE(d.find("cycles 200..400"), std::string::npos) << d;
  for (const auto& p : {full.fst_path, opt.fst_path, opt.vcd_path}) std::remove(p.c_str());
}

// The case: a run that deadlocks leaves the N cycles before the watchdog fired.
TEST_F(RtlWaves, LastCyclesBeforeADeadlock) {
  const std::vector<Insn> p = {load(MemType::INP, 0, 0, 1, 1, 1), gemm({0, 1}, false, {true, false, false, false}),
                               finish()};
  RtlOptions opt;
  opt.watchdog_cycles = 3000;
  opt.fst_path = path("last.fst");
  opt.vcd_path = path("last.vcd");
  opt.waves.last = 500;
  uint64_t failed_at = 0;
  try {
    rtl->run(p, dram, opt);
    FAIL() << "the program deadlocks";
  } catch (const WatchdogError& e) {
    failed_at = e.cycle;
  }
  const Span s = fst_span(opt.fst_path);
  EXPECT_EQ(s.end, 2 * failed_at) << "the file ends with the cycle the watchdog fired in";
  EXPECT_EQ(s.start, 2 * (failed_at - 500) + 1) << "and holds the 500 cycles before it";
  EXPECT_GT(s.vars, 100u);
  EXPECT_GT(file_size(opt.vcd_path), 0u);
  EXPECT_FALSE(std::ifstream(opt.fst_path + ".seg0.fst").good()) << "segments are removed";
  EXPECT_FALSE(std::ifstream(opt.fst_path + ".seg1.fst").good());
  // The window equals the same cycles cut from a whole recording.
  RtlOptions whole = opt;
  whole.waves = {};
  whole.fst_path = path("whole.fst");
  whole.vcd_path.clear();
  EXPECT_THROW(rtl->run(p, dram, whole), WatchdogError);
  EXPECT_EQ(fst_span(whole.fst_path).end, s.end);
  for (const auto& f : {opt.fst_path, opt.vcd_path, whole.fst_path}) std::remove(f.c_str());
}

TEST_F(RtlWaves, ScopeKeepsOneInstance) {
  RtlOptions opt;
  opt.fst_path = path("scope.fst");
  opt.waves.scope = "u_compute.u_seq";
  rtl->run(prog.insns, dram, opt);
  const auto scopes = fst_scopes(opt.fst_path);
  ASSERT_FALSE(scopes.empty());
  for (const auto& s : scopes)
    EXPECT_TRUE(std::string("tessera.tessera_top.u_compute.u_seq").rfind(s, 0) == 0 ||
                s.rfind("tessera.tessera_top.u_compute.u_seq", 0) == 0)
        << s << " is outside the scope";
  EXPECT_GT(fst_var_count(opt.fst_path), 0u);
  std::remove(opt.fst_path.c_str());
  opt.waves.scope = "u_nothing";
  try {
    rtl->run(prog.insns, dram, opt);
    FAIL() << "an unknown scope must be refused";
  } catch (const RtlError& e) {
    EXPECT_NE(std::string(e.what()).find("waveform scope 'u_nothing' names no instance below tessera_top"),
              std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("u_compute"), std::string::npos) << "lists the instances";
  }
  opt.waves = {};
  opt.waves.from = 10;
  opt.waves.to = 5;
  EXPECT_THROW(rtl->run(prog.insns, dram, opt), RtlError);
}

// The same options on the SystemC model (driver backend): the file holds the window once the simulation ends.
TEST_F(RtlWaves, SystemcBackendWritesTheWindow) {
  bool have = false;
  for (const auto& b : backend_names()) have |= b == "systemc";
  if (!have) return;  // built without SystemC: nothing to check
  RunOptions opt;
  opt.fst_path = path("sc.fst");
  opt.waves.last = 300;
  opt.waves.scope = "u_load";
  {
    Device dev(cfg, "systemc");
    dev.run(prog, {{"x", read_npy_file(kRoot + "/examples/dense_relu_x.npy")}}, opt);
  }
  const Span s = fst_span(opt.fst_path);
  EXPECT_EQ(s.end - s.start + 1, 2u * 300) << "300 cycles";
  for (const auto& sc : fst_scopes(opt.fst_path))
    EXPECT_TRUE(std::string("tessera.tessera_top.u_load").rfind(sc, 0) == 0 || sc.rfind("tessera.tessera_top.u_load", 0) == 0)
        << sc;
  std::remove(opt.fst_path.c_str());
}

}  // namespace
}  // namespace tessera
