// Device API: config-hash refusal, input/output binding by name, and tensor placement (dense, blocked, float32).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "driver/device.h"
#include "driver/tensor_io.h"
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

NpyArray float_array(const std::vector<int64_t>& shape) {
  NpyArray a{NpyDType::FLOAT32, shape, {}};
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  for (int64_t i = 0; i < n; ++i) {
    const float v = float(i) * -0.375f + 1.5f;
    const auto* b = reinterpret_cast<const uint8_t*>(&v);
    a.data.insert(a.data.end(), b, b + 4);
  }
  return a;
}

float float_at(const std::vector<uint8_t>& bytes, size_t at) {
  float v;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;
}

TEST(TensorIo, Float32DenseRoundTripsForEveryDirection) {
  for (TensorDir dir : {TensorDir::INPUT, TensorDir::OUTPUT, TensorDir::INTERNAL}) {
    const TensorInfo t{"p", dir, DType::FLOAT32, {2, 5}, "NC", 1, 0, 8, 40};
    std::vector<uint8_t> dram(64, 0xee);
    const NpyArray a = float_array({2, 5});
    place_tensor(a, t, dram);
    EXPECT_EQ(std::vector<uint8_t>(dram.begin() + 8, dram.begin() + 48), a.data);  // dense C order, IEEE floats
    EXPECT_EQ(dram[7], 0xee);
    EXPECT_EQ(dram[48], 0xee);
    EXPECT_EQ(fetch_tensor(t, dram), a);
  }
}

TEST(TensorIo, Float32BlockedLayoutsPadWithZeroOrMinusInfinity) {
  // 6 channels in blocks of 4 (2 blocks), 2x3 image with a halo of 1 on top and 1 on the right.
  for (const bool minpad : {false, true}) {
    const std::string layout = minpad ? "NCHW1n4c_minpad1_0_0_1" : "NCHW1n4c_pad1_0_0_1";
    const TensorInfo t{"act", TensorDir::INTERNAL, DType::FLOAT32, {1, 6, 2, 3}, layout, 1, 0, 0, 2 * 3 * 4 * 4 * 4};
    std::vector<uint8_t> dram(t.bytes, 0);
    const NpyArray a = float_array({1, 6, 2, 3});
    place_tensor(a, t, dram);
    std::vector<bool> logical(t.bytes / 4, false);
    for (int c = 0; c < 6; ++c)
      for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x) {
          const size_t e = size_t((((c / 4) * 3 + y + 1) * 4 + x) * 4 + c % 4);  // [C/4][H+1][W+1][4]
          EXPECT_EQ(float_at(dram, 4 * e), float_at(a.data, size_t(4 * ((c * 2 + y) * 3 + x)))) << c << y << x;
          logical[e] = true;
        }
    const float pad = minpad ? -std::numeric_limits<float>::infinity() : 0.0f;
    for (size_t e = 0; e < logical.size(); ++e)
      if (!logical[e]) {
        EXPECT_EQ(float_at(dram, 4 * e), pad) << layout << " element " << e;
      }
    EXPECT_EQ(fetch_tensor(t, dram), a);
  }
}

TEST(TensorIo, EightBitBlockedLayoutsKeepTheirDeviceForm) {
  // uint8 values are held as q - 128 and the padding holds the zero point (also as zp - 128).
  const TensorInfo t{"x", TensorDir::INPUT, DType::UINT8, {1, 3}, "NC1n4c", 0.1, 200, 2, 4};
  std::vector<uint8_t> dram(8, 0);
  const NpyArray a{NpyDType::UINT8, {1, 3}, {0, 255, 130}};
  place_tensor(a, t, dram);
  EXPECT_EQ(dram, (std::vector<uint8_t>{0, 0, 0x80, 0x7f, 2, 72, 0, 0}));
  EXPECT_EQ(fetch_tensor(t, dram), a);
}

// Runs f, which must throw a runtime_error containing `what`.
void expect_error(const std::function<void()>& f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "no error; wanted: " << what;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(TensorIo, MismatchedFloat32ArraysAndInt32BlockingAreRefused) {
  std::vector<uint8_t> dram(256, 0);
  const TensorInfo t{"p", TensorDir::INTERNAL, DType::FLOAT32, {1, 4}, "NC", 1, 0, 0, 16};
  const NpyArray ints{NpyDType::INT32, {1, 4}, std::vector<uint8_t>(16, 0)};
  expect_error([&] { place_tensor(ints, t, dram); }, "tensor 'p': array is int32, the program wants float32");
  const TensorInfo bad_bytes{"q", TensorDir::OUTPUT, DType::FLOAT32, {1, 4}, "NC1n4c", 1, 0, 0, 4};
  expect_error([&] { fetch_tensor(bad_bytes, dram); }, "occupies 16 bytes, but the table says 4");
  const TensorInfo acc{"r", TensorDir::OUTPUT, DType::INT32, {1, 4}, "NC1n4c", 1, 0, 0, 16};
  expect_error([&] { fetch_tensor(acc, dram); }, "is only defined for 8-bit and float32 tensors");
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
