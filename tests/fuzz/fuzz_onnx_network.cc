// Fuzzes the whole-network ONNX importer and, for what imports, the network compiler: bytes either
// import and compile or raise the documented ImportError / CompileError; anything else (another
// exception, a sanitizer report, a hang) is a bug.
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/compile_error.h"
#include "compiler/import/onnx_import.h"
#include "compiler/network/compile_network.h"
#include "isa/config.h"

namespace {

// Compiling is linear in the tensors' sizes; larger (valid) networks are only imported, so one
// input costs milliseconds and stays well below the fuzzer's memory limit.
constexpr int64_t kMaxCompiledElements = int64_t{1} << 20;

bool small_enough(const tessera::compiler::Network& net) {
  int64_t total = 0;
  for (const auto& [name, t] : net.tensors) {
    int64_t n = 1;
    for (int64_t d : t.shape) {
      if (d > kMaxCompiledElements) return false;
      n *= d;
      if (n > kMaxCompiledElements) return false;
    }
    total += n;
    if (total > kMaxCompiledElements) return false;
  }
  for (const auto& node : net.nodes)
    if (node.layer && static_cast<int64_t>(node.layer->weights.size()) > kMaxCompiledElements) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tessera::compiler;
  static const tessera::DerivedConfig cfg =
      tessera::load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json");
  Network net;
  try {
    net = import_onnx_network(std::vector<uint8_t>(data, data + size), "fuzz.onnx");
  } catch (const ImportError&) {
    return 0;
  }
  if (!small_enough(net)) return 0;
  try {
    compile_network(std::move(net), cfg);
  } catch (const CompileError&) {
  }
  return 0;
}
