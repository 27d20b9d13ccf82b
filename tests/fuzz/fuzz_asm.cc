// Fuzzes the assembler: text either assembles or raises AsmError; what assembles survives text and .tsp round trips.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "isa/asm.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the config and whether tokens are checked; the rest is the program text.
  const auto& cfgs = tessera::fuzz_configs();
  const tessera::DerivedConfig& cfg = cfgs[data[0] % cfgs.size()];
  const tessera::AsmOptions opts{(data[0] & 0x80) == 0};
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  tessera::Program p;
  try {
    p = tessera::assemble(text, cfg, "fuzz.s", opts);
  } catch (const tessera::AsmError&) {
    return 0;
  }
  const std::string canon = tessera::disassemble(p, cfg);
  const tessera::Program again = tessera::assemble(canon, cfg, "canon.s", opts);
  if (!(again == p) || tessera::disassemble(again, cfg) != canon) std::abort();
  if (!(tessera::read_program(tessera::write_program(p), "fuzz.tsp") == p)) std::abort();
  return 0;
}
