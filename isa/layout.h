// ISA enums expanded from isa/isa.def, and the per-config bit layout of every format and the micro-op.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

enum class Opcode : uint8_t {
#define TESSERA_OPCODE(NAME, VAL, FMT, DOC) NAME = VAL,
#include "isa/isa.def"
#undef TESSERA_OPCODE
};

enum class MemType : uint8_t {
#define TESSERA_MEMTYPE(NAME, VAL, DOC) NAME = VAL,
#include "isa/isa.def"
#undef TESSERA_MEMTYPE
};

enum class AluOp : uint8_t {
#define TESSERA_ALUOP(NAME, VAL, ORIGIN, DOC) NAME = VAL,
#include "isa/isa.def"
#undef TESSERA_ALUOP
};

enum class Field : uint8_t {
#define TESSERA_FIELD(ID, NAME, SIGNED, DOC) ID,
#include "isa/isa.def"
#undef TESSERA_FIELD
  kCount
};
constexpr int kNumFields = static_cast<int>(Field::kCount);

enum class Format : uint8_t { MEM, GEMM, ALU, FINISH, kCount };
constexpr int kNumFormats = static_cast<int>(Format::kCount);

enum class WidthRule : uint8_t {
#define TESSERA_WIDTH(RULE, DOC) RULE,
#include "isa/isa.def"
#undef TESSERA_WIDTH
};

// Static descriptions straight from the table (names, docs, signedness), for tools and generators.
struct FieldInfo {
  const char* id;
  const char* asm_name;
  bool is_signed;
  const char* doc;
};
struct NamedValue {
  const char* name;
  int value;
  const char* doc;
  bool extension = false;  // a tessera extension VTA does not have (ALU ops only)
};
struct OpcodeInfo {
  const char* name;
  int value;
  Format format;
  const char* doc;
};
// An opcode value that encodes `base` with the one-bit `field` set (isa.def, TESSERA_OPCODE_FLAG).
struct OpcodeFlag {
  const char* name;
  int value;
  Opcode base;
  Field field;
  WidthRule rule;
  const char* doc;
};

struct WidthRuleInfo {
  const char* name;
  const char* doc;
};
const FieldInfo& field_info(Field f);
const std::vector<OpcodeInfo>& opcodes();
const std::vector<OpcodeFlag>& opcode_flags();
const std::vector<NamedValue>& mem_types();
const std::vector<NamedValue>& alu_ops();
// The ALU ops VTA has (no extensions): what `--isa vta` may emit.
const std::vector<NamedValue>& vta_alu_ops();
const std::vector<WidthRuleInfo>& width_rules();
const char* format_name(Format f);
// Null when the value is not in the table.
const OpcodeInfo* find_opcode(int value);
const char* mem_type_name(int value);
const char* alu_op_name(int value);

// Derived index widths that width rules refer to.
struct IndexWidths {
  int uop = 0, inp = 0, wgt = 0, acc = 0;
  int depthwise = 0;  // 1 when the config has the depthwise mode (its flag is encoded)
};

// One field's place in an encoded instruction or micro-op.
struct Slot {
  Field field;        // for micro-op slots: unused (see UopSlot)
  WidthRule rule;
  int rule_arg;
  int width;          // bits
  int lsb;            // absolute bit position of the field's LSB
};
struct UopSlot {
  const char* name;
  const char* doc;
  WidthRule rule;
  int rule_arg;
  int width;
  int lsb;
};

// The bit layout of all formats for one config.
struct IsaLayout {
  std::array<std::vector<Slot>, kNumFormats> formats;
  std::array<UopSlot, 3> uop{};  // dst_idx, src_idx, wgt_idx
  int insn_bits = 0;             // widest format rounded up to 64, never below 128 (VTA's size)
  int uop_bits = 0;              // rounded up to 32
  int sram_addr_bits = 0;
  IndexWidths idx;
  // Every opcode flag's field as a slot of its base opcode's format: width 1 where the config has the
  // flag, else 0 (nothing may set it); lsb -1, no bit of its own.
  std::array<std::vector<Slot>, kNumFormats> flag_slots;

  // Slot of a field in a format (a flag slot included), or null when the format does not carry it.
  const Slot* find(Format fmt, Field f) const;
  // Every slot of a format, its flag slots last: what a checker, assembler or disassembler visits.
  template <class F>
  void for_each_slot(Format fmt, F&& f) const {
    for (const auto* v : {&formats[static_cast<int>(fmt)], &flag_slots[static_cast<int>(fmt)]})
      for (const Slot& s : *v) f(s);
  }
  // The opcode flag this config defines with this opcode value, or null.
  const OpcodeFlag* flag_of_value(int value) const;
  int width_of(WidthRule rule, int arg) const;
};

IsaLayout compute_layout(const IndexWidths& idx);

}  // namespace tessera
