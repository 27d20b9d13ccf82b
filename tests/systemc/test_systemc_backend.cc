// The driver's systemc backend in one process: repeated runs on one simulation, two devices side by side, recovery after errors.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "driver/device.h"
#include "isa/asm.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

std::string example(const std::string& file) { return std::string(TESSERA_SOURCE_DIR) + "/examples/" + file; }

class SystemcBackend : public ::testing::Test {
 protected:
  DerivedConfig cfg = programs::config("default");
  std::ifstream text{example("dense_relu.s")};
  Program layer = assemble({std::istreambuf_iterator<char>(text), {}}, cfg, "dense_relu.s");
  NpyArray x = read_npy_file(example("dense_relu_x.npy"));
  NpyArray want = read_npy_file(example("dense_relu_expected.npy"));
  Program deadlock = assemble("GEMM uop_end=1 iter_out=1 iter_in=1 pop_prev\nFINISH\n", cfg, "deadlock.s",
                              AsmOptions{false});

  void expect_layer(Device& dev, const RunReport& rtl) {
    const DeviceRun r = dev.run(layer, {{"x", x}});
    EXPECT_EQ(r.outputs.at("y").data, want.data);
    EXPECT_EQ(r.report.backend, "systemc");
    EXPECT_EQ(r.report.cycles, rtl.cycles);
    EXPECT_EQ(r.report.busy, rtl.busy);
    EXPECT_EQ(r.report.stall, rtl.stall);
    EXPECT_EQ(r.report.insns, rtl.insns);
    EXPECT_EQ(r.report.gemm_uops, rtl.gemm_uops);
    EXPECT_EQ(r.report.bytes_read, rtl.bytes_read);
    EXPECT_EQ(r.report.bytes_written, rtl.bytes_written);
  }
  RunReport rtl_report() {
    Device rtl(cfg, "rtl");
    return rtl.run(layer, {{"x", x}}).report;
  }
};

// The simulation stays alive between runs (the RTL keeps its SRAMs): each run reports its own counters.
TEST_F(SystemcBackend, RepeatedRunsOnOneSimulationEachEqualTheRtl) {
  const RunReport rtl = rtl_report();
  Device dev(cfg, "systemc");
  for (int i = 0; i < 3; ++i) expect_layer(dev, rtl);
}

// Each backend has a kernel context of its own; runs may interleave.
TEST_F(SystemcBackend, TwoDevicesInterleave) {
  const RunReport rtl = rtl_report();
  Device a(cfg, "systemc"), b(cfg, "systemc");
  expect_layer(a, rtl);
  expect_layer(b, rtl);
  expect_layer(a, rtl);
}

// A deadlock or the cycle limit ends that simulation with the cause; the next run gets a fresh one.
TEST_F(SystemcBackend, RecoversAfterDeadlockAndCycleLimit) {
  const RunReport rtl = rtl_report();
  Device dev(cfg, "systemc");
  try {
    dev.run(deadlock, {});
    FAIL() << "the deadlock was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("watchdog"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("waiting on token queue l2g"), std::string::npos) << e.what();
  }
  expect_layer(dev, rtl);
  RunOptions opt;
  opt.max_cycles = 100;
  try {
    dev.run(layer, {{"x", x}}, opt);
    FAIL() << "the cycle limit was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("did not finish within 100 cycles"), std::string::npos) << e.what();
  }
  expect_layer(dev, rtl);
}

}  // namespace
}  // namespace tessera
