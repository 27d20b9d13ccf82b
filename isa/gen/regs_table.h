// hw/regs.def expanded into tables for the generators (SV package, C++ header, docs/regs.md).
#pragma once

#include <cstdint>
#include <vector>

namespace tessera::gen {

struct RegDef {
  const char* name;
  uint32_t offset;
  const char* access;
  const char* doc;
};
struct RegFieldDef {
  const char* reg;
  const char* name;
  int lsb;
  int width;
  const char* doc;
};
struct RegsVersion {
  int major, minor;
};

const std::vector<RegDef>& regs();
const std::vector<RegFieldDef>& reg_fields();
RegsVersion regs_version();
// Address bits of the AXI4-Lite slave: enough for the last byte of the highest register, at least 8.
int regs_addr_bits();

}  // namespace tessera::gen
