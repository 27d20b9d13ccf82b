// The named parameters every generated artefact exports (SV params package, docs/params.md).
#pragma once

#include <cstdint>
#include <vector>

#include "isa/config.h"

namespace tessera::gen {

// One derived parameter: its export name, value for a config, and how it is derived (for the docs).
struct DerivedParam {
  const char* name;
  int64_t value;
  const char* formula;
};

// In the order the SV package declares them; the 64-bit CONFIG_HASH is exported separately.
std::vector<DerivedParam> derived_params(const DerivedConfig& d);

// The AXI address width of the DRAM master: full 64-bit, as XRT buffer addresses are.
constexpr int kAxiAddrBits = 64;

}  // namespace tessera::gen
