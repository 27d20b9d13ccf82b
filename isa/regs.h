// hw/regs.def expanded for C++ hosts (RTL harness, SystemC model, XRT driver): offsets, field masks and the access table.
#pragma once

#include <cstdint>

namespace tessera::regmap {

#define TESSERA_REG(NAME, OFFSET, ACCESS, DOC) constexpr uint32_t NAME = OFFSET;
#include "hw/regs.def"
#undef TESSERA_REG

namespace bit {
#define TESSERA_REG_FIELD(REG, NAME, LSB, WIDTH, DOC) constexpr uint32_t REG##_##NAME = ((1u << WIDTH) - 1) << LSB;
#include "hw/regs.def"
#undef TESSERA_REG_FIELD
}  // namespace bit

enum class Access { RW, RO, RW1C, COR };
struct RegEntry {
  const char* name;
  uint32_t offset;
  Access access;
};
constexpr RegEntry kRegs[] = {
#define TESSERA_REG(NAME, OFFSET, ACCESS, DOC) {#NAME, OFFSET, Access::ACCESS},
#include "hw/regs.def"
#undef TESSERA_REG
};

// The register at byte offset `offset`, or nullptr.
inline const RegEntry* find_reg(uint64_t offset) {
  for (const RegEntry& r : kRegs)
    if (r.offset == offset) return &r;
  return nullptr;
}

}  // namespace tessera::regmap
