// Device API: config-hash refusal, input/output binding by name, and dense tensor placement.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "driver/device.h"
#include "isa/asm.h"

namespace tessera {
namespace {

const std::string kRoot = TESSERA_SOURCE_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DenseRelu : public ::testing::Test {
 protected:
  DerivedConfig cfg = load_derived(kRoot + "/configs/default.json");
  Program prog = assemble(slurp(kRoot + "/examples/dense_relu.s"), cfg, "dense_relu.s");
  NpyArray x = read_npy_file(kRoot + "/examples/dense_relu_x.npy");
};

// Independent oracle: the dense layer as a plain loop over the logical (unpacked) weights, which are
// recovered from the program's packed constant segment by the documented tile layout.
TEST_F(DenseRelu, FsimMatchesPlainLoopAndNumpyReference) {
  Device dev(cfg, "fsim");
  const DeviceRun r = dev.run(prog, {{"x", x}});
  const NpyArray& y = r.outputs.at("y");
  const NpyArray want = read_npy_file(kRoot + "/examples/dense_relu_expected.npy");
  EXPECT_EQ(y, want);
  const auto& tiles = prog.constants.at(0).bytes;
  for (int o = 0; o < 64; ++o) {
    int32_t acc = 0;
    for (int i = 0; i < 64; ++i) {
      const size_t t = ((o / 16) * 4 + i / 16) * 256 + (o % 16) * 16 + i % 16;
      acc += int32_t(int8_t(x.data[i])) * int32_t(int8_t(tiles[t]));
    }
    const int32_t v = std::min(127, std::max(0, acc >> 3));
    EXPECT_EQ(int8_t(y.data[o]), v) << "output " << o;
  }
  EXPECT_EQ(r.report.gemm_uops, 16u);
  EXPECT_EQ(r.report.macs, 16u * 256);
  EXPECT_EQ(r.report.bytes_written, 64u);
}

TEST_F(DenseRelu, RefusesProgramOfAnotherConfig) {
  Device dev(load_derived(kRoot + "/configs/board_zcu104_128bit.json"), "fsim");
  try {
    dev.run(prog, {{"x", x}});
    FAIL();
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("compiled for config 'default'"), std::string::npos) << m;
    EXPECT_NE(m.find("board_zcu104_128bit"), std::string::npos) << m;
  }
}

TEST_F(DenseRelu, RejectsMissingUnknownAndMisshapenInputs) {
  Device dev(cfg, "fsim");
  EXPECT_THROW(
      {
        try {
          dev.run(prog, {});
        } catch (const std::runtime_error& e) {
          EXPECT_NE(std::string(e.what()).find("missing input 'x'"), std::string::npos);
          throw;
        }
      },
      std::runtime_error);
  EXPECT_THROW(dev.run(prog, {{"x", x}, {"z", x}}), std::runtime_error);
  NpyArray bad = x;
  bad.shape = {64};
  try {
    dev.run(prog, {{"x", bad}});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("array shape (64), the program wants (1,64)"), std::string::npos) << e.what();
  }
  NpyArray wrong_type = x;
  wrong_type.dtype = NpyDType::UINT8;
  EXPECT_THROW(dev.run(prog, {{"x", wrong_type}}), std::runtime_error);
}

TEST(Backends, UnknownBackendNamesTheAvailableOnes) {
  try {
    make_backend("gpu", load_derived(kRoot + "/configs/default.json"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("available: fsim"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera
