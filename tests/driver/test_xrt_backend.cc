// The XRT backend builds and links; with no FPGA card it fails cleanly when opening the device.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "driver/backend.h"

namespace tessera {
namespace {

TEST(XrtBackend, IsListedAmongBackends) {
  const auto names = backend_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "xrt"), names.end());
}

// Debian's XRT looks for its plugins under $XILINX_XRT/lib; point it at the multiarch directory so the
// failure we observe is the real "no device" one rather than a packaging error.
TEST(XrtBackend, NoCardGivesACleanOpenError) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "tessera_xrt_root";
  fs::create_directories(root);
  std::error_code ec;
  fs::create_directory_symlink("/usr/lib/x86_64-linux-gnu", root / "lib", ec);
  setenv("XILINX_XRT", root.c_str(), 1);
  const DerivedConfig cfg = load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json");
  try {
    make_backend("xrt", cfg);
    FAIL() << "an FPGA device opened on a machine without one";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("xrt: cannot open FPGA device 0"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace tessera
