// Shared by the fuzz harnesses: the shipped configs, loaded once.
#pragma once

#include <string>
#include <vector>

#include "isa/config.h"

namespace tessera {

inline const std::vector<DerivedConfig>& fuzz_configs() {
  static const std::vector<DerivedConfig> v = [] {
    std::vector<DerivedConfig> c;
    for (const char* name : {"default", "tiny", "large_1x32x32", "batch2_2x16x16"})
      c.push_back(load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + name + ".json"));
    return c;
  }();
  return v;
}

}  // namespace tessera
