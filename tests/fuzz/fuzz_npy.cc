// Fuzzes the .npy reader: bytes either parse or raise NpyError, and what parses round-trips through the writer.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "isa/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tessera::NpyArray a;
  try {
    a = tessera::read_npy(std::vector<uint8_t>(data, data + size), "fuzz.npy");
  } catch (const tessera::NpyError&) {
    return 0;
  }
  if (!(tessera::read_npy(tessera::write_npy(a), "rewritten") == a)) std::abort();
  return 0;
}
