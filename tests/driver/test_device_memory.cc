// Device DRAM limits and lazily committed device memory (issue #14), on every backend this build has.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "driver/device.h"
#include "isa/asm.h"

namespace tessera {
namespace {

const std::string kRoot = TESSERA_SOURCE_DIR;
constexpr uint64_t kGiB = uint64_t{1} << 30;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Peak resident memory of this process (VmHWM), in bytes.
uint64_t peak_rss() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

TEST(DeviceMemory, CommitsOnlyThePagesWritten) {
  DeviceMemory m(64 * kGiB);  // far more than this machine has
  ASSERT_EQ(m.size(), 64 * kGiB);
  EXPECT_EQ(m.resident_bytes(), 0u);
  EXPECT_EQ(m.data()[32 * kGiB], 0);  // reading an untouched page commits nothing
  m.data()[m.size() - 1] = 7;
  m.data()[0] = 1;
  EXPECT_LE(m.resident_bytes(), 2u * 64 * 1024) << "two written bytes commit at most two (huge) pages";
  EXPECT_GT(m.resident_bytes(), 0u);
  DeviceMemory moved = std::move(m);
  EXPECT_EQ(moved.data()[moved.size() - 1], 7);
  EXPECT_EQ(m.size(), 0u);
}

TEST(DeviceMemory, ByteCountsParseAndPrint) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_byte_count("4G", &v));
  EXPECT_EQ(v, 4 * kGiB);
  EXPECT_TRUE(parse_byte_count("512MiB", &v));
  EXPECT_EQ(v, uint64_t{512} << 20);
  EXPECT_TRUE(parse_byte_count("1000", &v));
  EXPECT_EQ(v, 1000u);
  for (const char* bad : {"", "G", "0", "4X", "-1", "99999999999T", "1.5G"}) EXPECT_FALSE(parse_byte_count(bad, &v)) << bad;
  EXPECT_EQ(format_bytes(64 * kGiB), "64 GiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(100), "100 bytes");
}

class DeviceDram : public ::testing::TestWithParam<std::string> {
 protected:
  DerivedConfig cfg = load_derived(kRoot + "/configs/default.json");
  Program prog = assemble(slurp(kRoot + "/examples/dense_relu.s"), cfg, "dense_relu.s");
  NpyArray x = read_npy_file(kRoot + "/examples/dense_relu_x.npy");
  NpyArray want = read_npy_file(kRoot + "/examples/dense_relu_expected.npy");
};

// The file: the same content, its header declaring 64 GiB. Refused before anything is
// allocated, naming the file, the field, the amount and the limit; accepted with a larger capacity.
TEST_P(DeviceDram, ProgramLargerThanTheCapacityIsRefused) {
  prog.dram_bytes = 64 * kGiB;
  const std::string path = ::testing::TempDir() + "/big_dram_" + GetParam() + ".tsp";
  write_program_file(prog, path);
  const Program p = read_program_file(path);
  Device dev(cfg, GetParam());
  RunOptions opt;
  opt.program_origin = path;
  try {
    dev.run(p, {{"x", x}}, opt);
    FAIL() << "a 64 GiB program ran on a 4 GiB device";
  } catch (const ProgramError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": byte 32: header: dram_bytes 68719476736 (64 GiB) exceeds the device DRAM "
                                          "capacity of 4294967296 (4 GiB; tessera run --dram-capacity sets it)");
  }
  opt.dram_capacity = 2 * kGiB;
  prog.dram_bytes = 3 * kGiB;
  EXPECT_THROW(dev.run(prog, {{"x", x}}, opt), ProgramError);
  std::remove(path.c_str());
}

// A program whose address map is mostly empty costs the pages it uses, not its dram_bytes.
TEST_P(DeviceDram, SparseProgramCommitsOnlyWhatItUses) {
  prog.dram_bytes = 6 * kGiB;
  Device dev(cfg, GetParam());
  RunOptions opt;
  opt.dram_capacity = 8 * kGiB;
  const DeviceRun r = dev.run(prog, {{"x", x}}, opt);
  EXPECT_EQ(r.outputs.at("y"), want);
  EXPECT_LT(peak_rss(), 2 * kGiB) << "peak resident memory: the 6 GiB device DRAM was committed";
}

INSTANTIATE_TEST_SUITE_P(Backends, DeviceDram, ::testing::ValuesIn([] {
                           std::vector<std::string> v;
                           for (const auto& b : backend_names())
                             if (b != "xrt") v.push_back(b);  // xrt needs a card
                           return v;
                         }()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace tessera
