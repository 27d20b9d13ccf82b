// Spelling rules the assembler and disassembler share, so the two can never disagree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/layout.h"

namespace tessera::asm_syntax {

// Fields whose values are written by name from an isa.def table (numbers outside the table are
// written as numbers, so any decoded instruction still round-trips).
inline const std::vector<NamedValue>* enum_table(Field f) {
  if (f == Field::MEMORY_TYPE) return &mem_types();
  if (f == Field::ALU_OPCODE) return &alu_ops();
  return nullptr;
}

// One-bit fixed-width fields are written as bare words when set (pop_prev, reset, use_imm, ...).
// The rule, not the computed width, decides, so the spelling is the same in every config.
inline bool is_flag(const Slot& s) {
  return s.rule == WidthRule::FIXED && s.rule_arg == 1 && !field_info(s.field).is_signed;
}

constexpr int kBytesPerLine = 32;  // .bytes lines in canonical text

// Shortest decimal text that reads back as exactly `v`.
std::string format_double(double v);
// Decimal or 0x-hex integer with optional leading '-'; false on junk or int64 overflow.
bool parse_int(const std::string& s, int64_t* out);

}  // namespace tessera::asm_syntax
