// Expands hw/regs.def; the address width is computed from the offsets, never typed.
#include "isa/gen/regs_table.h"

#include <algorithm>

namespace tessera::gen {

const std::vector<RegDef>& regs() {
  static const std::vector<RegDef> v = {
#define TESSERA_REG(NAME, OFFSET, ACCESS, DOC) {#NAME, OFFSET, #ACCESS, DOC},
#include "hw/regs.def"
#undef TESSERA_REG
  };
  return v;
}

const std::vector<RegFieldDef>& reg_fields() {
  static const std::vector<RegFieldDef> v = {
#define TESSERA_REG_FIELD(REG, NAME, LSB, WIDTH, DOC) {#REG, #NAME, LSB, WIDTH, DOC},
#include "hw/regs.def"
#undef TESSERA_REG_FIELD
  };
  return v;
}

RegsVersion regs_version() {
#define TESSERA_VERSION(MAJOR, MINOR) return {MAJOR, MINOR};
#include "hw/regs.def"
#undef TESSERA_VERSION
}

int regs_addr_bits() {
  uint32_t last = 0;
  for (const auto& r : regs()) last = std::max(last, r.offset + 3);  // 32-bit registers
  int bits = 0;
  while ((uint64_t{1} << bits) <= last) ++bits;
  return std::max(bits, 8);
}

}  // namespace tessera::gen
