// Fuzzes the strict config loader: any text either loads or raises ConfigError, and what loads round-trips.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "isa/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tessera::HwConfig cfg;
  try {
    cfg = tessera::parse_config(text, "fuzz.json");
  } catch (const tessera::ConfigError&) {
    return 0;
  }
  // A config that parses must either derive or be refused cleanly, and its JSON forms must reparse.
  try {
    const tessera::DerivedConfig d = tessera::derive(cfg, "fuzz.json");
    const tessera::DerivedConfig again = tessera::derive(tessera::parse_config(tessera::to_json(cfg), "to_json"));
    if (again.hash != d.hash || tessera::canonical_json(again.hw) != tessera::canonical_json(cfg)) std::abort();
  } catch (const tessera::ConfigError&) {
  }
  try {
    tessera::import_vta_config(text, "fuzz_vta.json");
  } catch (const tessera::ConfigError&) {
  }
  return 0;
}
