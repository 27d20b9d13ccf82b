// Expands isa/isa.def into lookup tables and packs each format's slots into 64-bit words.
#include "isa/layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tessera {
namespace {

constexpr FieldInfo kFields[] = {
#define TESSERA_FIELD(ID, NAME, SIGNED, DOC) {#ID, #NAME, SIGNED != 0, DOC},
#include "isa/isa.def"
#undef TESSERA_FIELD
};

struct SlotDef {
  Format format;
  Field field;
  WidthRule rule;
  int arg;
};
constexpr SlotDef kSlots[] = {
#define TESSERA_SLOT(FMT, FIELD, RULE, ARG) {Format::FMT, Field::FIELD, WidthRule::RULE, ARG},
#include "isa/isa.def"
#undef TESSERA_SLOT
};

struct UopSlotDef {
  const char* name;
  WidthRule rule;
  int arg;
  const char* doc;
};
constexpr UopSlotDef kUopSlots[] = {
#define TESSERA_UOP_SLOT(NAME, RULE, ARG, DOC) {#NAME, WidthRule::RULE, ARG, DOC},
#include "isa/isa.def"
#undef TESSERA_UOP_SLOT
};
static_assert(sizeof(kUopSlots) / sizeof(kUopSlots[0]) == 3, "micro-op has dst, src and wgt slots");

int round_up(int v, int m) { return (v + m - 1) / m * m; }

}  // namespace

const FieldInfo& field_info(Field f) { return kFields[static_cast<int>(f)]; }

const std::vector<OpcodeInfo>& opcodes() {
  static const std::vector<OpcodeInfo> v = {
#define TESSERA_OPCODE(NAME, VAL, FMT, DOC) {#NAME, VAL, Format::FMT, DOC},
#include "isa/isa.def"
#undef TESSERA_OPCODE
  };
  return v;
}

const std::vector<OpcodeFlag>& opcode_flags() {
  static const std::vector<OpcodeFlag> v = {
#define TESSERA_OPCODE_FLAG(NAME, VAL, BASE, FIELD, RULE, DOC) \
  {#NAME, VAL, Opcode::BASE, Field::FIELD, WidthRule::RULE, DOC},
#include "isa/isa.def"
#undef TESSERA_OPCODE_FLAG
  };
  return v;
}

const std::vector<NamedValue>& mem_types() {
  static const std::vector<NamedValue> v = {
#define TESSERA_MEMTYPE(NAME, VAL, DOC) {#NAME, VAL, DOC},
#include "isa/isa.def"
#undef TESSERA_MEMTYPE
  };
  return v;
}

const std::vector<NamedValue>& alu_ops() {
  static const std::vector<NamedValue> v = {
#define TESSERA_ALUOP(NAME, VAL, ORIGIN, DOC) {#NAME, VAL, DOC, std::string_view(#ORIGIN) == "EXT"},
#include "isa/isa.def"
#undef TESSERA_ALUOP
  };
  return v;
}

const std::vector<NamedValue>& vta_alu_ops() {
  static const std::vector<NamedValue> v = [] {
    std::vector<NamedValue> r;
    for (const auto& a : alu_ops())
      if (!a.extension) r.push_back(a);
    return r;
  }();
  return v;
}

const std::vector<WidthRuleInfo>& width_rules() {
  static const std::vector<WidthRuleInfo> v = {
#define TESSERA_WIDTH(RULE, DOC) {#RULE, DOC},
#include "isa/isa.def"
#undef TESSERA_WIDTH
  };
  return v;
}

const char* format_name(Format f) {
  static constexpr const char* kNames[] = {"MEM", "GEMM", "ALU", "FINISH"};
  return kNames[static_cast<int>(f)];
}

const OpcodeInfo* find_opcode(int value) {
  for (const auto& o : opcodes())
    if (o.value == value) return &o;
  return nullptr;
}

namespace {
const char* find_name(const std::vector<NamedValue>& table, int value) {
  for (const auto& e : table)
    if (e.value == value) return e.name;
  return nullptr;
}
}  // namespace
const char* mem_type_name(int value) { return find_name(mem_types(), value); }
const char* alu_op_name(int value) { return find_name(alu_ops(), value); }

int IsaLayout::width_of(WidthRule rule, int arg) const {
  switch (rule) {
    case WidthRule::FIXED: return arg;
    case WidthRule::UOP_IDX: return idx.uop + arg;
    case WidthRule::INP_IDX: return idx.inp + arg;
    case WidthRule::WGT_IDX: return idx.wgt + arg;
    case WidthRule::ACC_IDX: return idx.acc + arg;
    case WidthRule::SRAM_ADDR: return std::max({16, idx.uop, idx.inp, idx.wgt, idx.acc}) + arg;
    case WidthRule::UOP_SRC: return std::max(idx.inp, idx.acc) + arg;
    case WidthRule::DEPTHWISE: return idx.depthwise ? arg : 0;
  }
  throw std::logic_error("unknown width rule");
}

const Slot* IsaLayout::find(Format fmt, Field f) const {
  const Slot* found = nullptr;
  for_each_slot(fmt, [&](const Slot& s) {
    if (!found && s.field == f) found = &s;
  });
  return found;
}

const OpcodeFlag* IsaLayout::flag_of_value(int value) const {
  for (const auto& f : opcode_flags())
    if (f.value == value && width_of(f.rule, 1) == 1) return &f;
  return nullptr;
}

IsaLayout compute_layout(const IndexWidths& idx) {
  IsaLayout L;
  L.idx = idx;
  L.sram_addr_bits = L.width_of(WidthRule::SRAM_ADDR, 0);
  std::array<int, kNumFormats> next{};  // next free bit per format
  for (const auto& d : kSlots) {
    int& pos = next[static_cast<int>(d.format)];
    const int w = L.width_of(d.rule, d.arg);
    if (w > 64) throw std::invalid_argument("ISA field wider than 64 bits");
    if (pos / 64 != (pos + w - 1) / 64) pos = round_up(pos, 64);  // never straddle a word
    L.formats[static_cast<int>(d.format)].push_back({d.field, d.rule, d.arg, w, pos});
    pos += w;
  }
  int widest = 128;
  for (int p : next) widest = std::max(widest, round_up(p, 64));
  if (widest > 1024) throw std::invalid_argument("instruction wider than 1024 bits");
  L.insn_bits = widest;
  for (const auto& f : opcode_flags()) {
    const int w = L.width_of(f.rule, 1);
    if (w > 1) throw std::logic_error(std::string("opcode flag ") + f.name + " is one bit");
    L.flag_slots[static_cast<int>(find_opcode(int(f.base))->format)].push_back({f.field, f.rule, 1, w, -1});
  }

  int pos = 0;
  for (size_t i = 0; i < L.uop.size(); ++i) {
    const auto& d = kUopSlots[i];
    const int w = L.width_of(d.rule, d.arg);
    L.uop[i] = {d.name, d.doc, d.rule, d.arg, w, pos};
    pos += w;
  }
  L.uop_bits = round_up(std::max(pos, 32), 32);
  return L;
}

}  // namespace tessera
