// docs/isa.md: the ISA table, width rules, bit layouts at the default config, per-config widths, spare room.
#include <algorithm>
#include <sstream>

#include "isa/gen/docs.h"
#include "isa/gen/markdown.h"

namespace tessera::gen {
namespace {

std::string rule_text(WidthRule rule, int arg) {
  const std::string name = width_rules()[static_cast<int>(rule)].name;
  if (rule == WidthRule::FIXED) return std::to_string(arg);
  if (rule == WidthRule::DEPTHWISE) return std::to_string(arg) + " with gemm.depthwise, else 0";
  return arg ? name + " + " + std::to_string(arg) : name;
}

std::string bits(int lsb, int width) {
  return width == 1 ? "[" + std::to_string(lsb) + "]"
                    : "[" + std::to_string(lsb + width - 1) + ":" + std::to_string(lsb) + "]";
}

// Bit ranges of an instruction (or micro-op) of `total` bits that no slot occupies.
std::vector<std::pair<int, int>> spare_ranges(std::vector<std::pair<int, int>> used, int total) {
  std::sort(used.begin(), used.end());
  std::vector<std::pair<int, int>> gaps;  // (lsb, width)
  int next = 0;
  for (const auto& [lsb, w] : used) {
    if (lsb > next) gaps.push_back({next, lsb - next});
    next = std::max(next, lsb + w);
  }
  if (next < total) gaps.push_back({next, total - next});
  return gaps;
}

std::vector<std::pair<int, int>> used_bits(const IsaLayout& L, int fmt) {
  std::vector<std::pair<int, int>> used;
  for (const auto& s : L.formats[fmt]) used.push_back({s.lsb, s.width});
  return used;
}

std::string spare_text(const std::vector<std::pair<int, int>>& gaps) {
  if (gaps.empty()) return "none";
  std::string s;
  int total = 0;
  for (const auto& [lsb, w] : gaps) {
    s += (s.empty() ? "" : ", ") + bits(lsb, w);
    total += w;
  }
  return std::to_string(total) + (total == 1 ? " bit: " : " bits: ") + s;
}

// Values of a `width`-bit code that the table leaves unused.
std::string free_codes(const std::vector<int>& taken, int width) {
  std::string s;
  for (int v = 0; v < (1 << width); ++v)
    if (std::find(taken.begin(), taken.end(), v) == taken.end()) s += (s.empty() ? "" : ", ") + std::to_string(v);
  return s.empty() ? "none" : s;
}

void tables_section(std::ostringstream& os) {
  os << "## Opcodes\n\n";
  MdTable op({"value", "name", "format", "meaning"});
  for (const auto& o : opcodes()) op.row({std::to_string(o.value), code(o.name), format_name(o.format), o.doc});
  for (const auto& f : opcode_flags())
    op.row({std::to_string(f.value), code(f.name), format_name(find_opcode(int(f.base))->format),
            std::string(f.doc) + ": decodes as " + find_opcode(int(f.base))->name + " with `" +
                field_info(f.field).asm_name + "` = 1; the value is undefined in configs without it"});
  os << op.str() << "## Memory types (LOAD/STORE `memory_type`)\n\n";
  MdTable mt({"value", "name", "meaning"});
  for (const auto& m : mem_types()) mt.row({std::to_string(m.value), code(m.name), m.doc});
  os << mt.str() << "## ALU operations (`alu_op`)\n\n";
  MdTable alu({"value", "name", "origin", "semantics"});
  for (const auto& a : alu_ops())
    alu.row({std::to_string(a.value), code(a.name), a.extension ? "tessera extension" : "VTA", a.doc});
  os << alu.str();
}

// "opcode `NAME`, " for a field an opcode flag carries (a slot without bits of its own), else "".
std::string opcode_flag_text(const Slot& s) {
  if (s.lsb >= 0) return "";
  for (const auto& fl : opcode_flags())
    if (fl.field == s.field) return "opcode " + code(fl.name) + ", ";
  return "";
}

void fields_section(std::ostringstream& os, const IsaLayout& L) {
  os << "## Fields\n\nA field is a named value of a decoded instruction; the width column gives its width rule "
        "in each format that carries it (a number is a fixed width).\n\n";
  MdTable t({"field", "assembly name", "signed", "formats: width rule", "meaning"});
  for (int f = 0; f < kNumFields; ++f) {
    const FieldInfo& fi = field_info(Field(f));
    std::string where;
    for (int fmt = 0; fmt < kNumFormats; ++fmt)
      if (const Slot* s = L.find(Format(fmt), Field(f)))
        where += (where.empty() ? "" : "; ") + std::string(format_name(Format(fmt))) + ": " + opcode_flag_text(*s) +
                 rule_text(s->rule, s->rule_arg);
    t.row({code(fi.id), code(fi.asm_name), fi.is_signed ? "yes" : "no", where, fi.doc});
  }
  os << t.str() << "## Width rules\n\n";
  MdTable w({"rule", "width"});
  for (const auto& r : width_rules()) w.row({code(r.name), r.doc});
  os << w.str()
     << "Slots are packed in table order from bit 0; a slot that would straddle a 64-bit word boundary starts the "
        "next word (the GCC bit-field rule VTA's `hw_spec.h` relies on). The instruction width is the widest format "
        "rounded up to 64 bits and never below 128; the micro-op width is the sum of its slots rounded up to 32 "
        "bits. An encoder never truncates: a value that does not fit its field is an error.\n\n";
}

void layout_section(std::ostringstream& os, const DerivedConfig& d) {
  const IsaLayout& L = d.layout;
  os << "## Bit layout at the default config\n\nConfig `" << d.hw.name << "`: " << L.insn_bits
     << "-bit instructions, " << L.uop_bits
     << "-bit micro-ops. At this config every format and the micro-op are bit-identical to VTA's `hw_spec.h` "
        "(golden-vector tests in `tests/isa/test_encoding.cc`). Other configs derive their own layout from the "
        "same rules; see the per-config table below and the generated `tessera_isa_pkg`.\n\n";
  for (int f = 0; f < kNumFormats; ++f) {
    os << "### " << format_name(Format(f)) << "\n\n";
    MdTable t({"bits", "field", "width", "rule"});
    for (const auto& s : L.formats[f])
      if (s.width > 0)  // a unit this config lacks (its fields are listed above)
        t.row({bits(s.lsb, s.width), code(field_info(s.field).asm_name), std::to_string(s.width), rule_text(s.rule, s.rule_arg)});
    os << t.str() << "Spare: " << spare_text(spare_ranges(used_bits(L, f), L.insn_bits)) << ".\n\n";
  }
  os << "### Micro-op\n\n";
  MdTable u({"bits", "field", "width", "rule", "meaning"});
  std::vector<std::pair<int, int>> used;
  for (const auto& s : L.uop) {
    u.row({bits(s.lsb, s.width), code(s.name), std::to_string(s.width), rule_text(s.rule, s.rule_arg), s.doc});
    used.push_back({s.lsb, s.width});
  }
  os << u.str() << "Spare: " << spare_text(spare_ranges(used, L.uop_bits)) << ".\n\n";
}

void configs_section(std::ostringstream& os, const std::vector<DerivedConfig>& configs) {
  os << "## Widths in every shipped config\n\n";
  MdTable t({"config", "insn bits", "uop bits", "uop idx", "inp idx", "wgt idx", "acc idx", "sram_base bits"});
  for (const auto& d : configs) {
    const IsaLayout& L = d.layout;
    t.row({code(d.hw.name), std::to_string(L.insn_bits), std::to_string(L.uop_bits), std::to_string(L.idx.uop),
           std::to_string(L.idx.inp), std::to_string(L.idx.wgt), std::to_string(L.idx.acc),
           std::to_string(L.sram_addr_bits)});
  }
  os << t.str();
}

void extension_section(std::ostringstream& os, const std::vector<DerivedConfig>& configs, const DerivedConfig& dflt) {
  const IsaLayout& L = dflt.layout;
  std::vector<int> ops, mems, alus;
  for (const auto& o : opcodes()) ops.push_back(o.value);
  for (const auto& f : opcode_flags()) ops.push_back(f.value);
  for (const auto& m : mem_types()) mems.push_back(m.value);
  for (const auto& a : alu_ops()) alus.push_back(a.value);
  os << "## Extension room\n\nEncodings VTA leaves unused, where tessera extensions live (a `--isa vta` target "
        "emits none of them):\n\n"
     << "- opcode values: " << free_codes(ops, L.find(Format::MEM, Field::OPCODE)->width) << "\n"
     << "- memory-type values: " << free_codes(mems, L.find(Format::MEM, Field::MEMORY_TYPE)->width) << "\n"
     << "- ALU operation values: " << free_codes(alus, L.find(Format::ALU, Field::ALU_OPCODE)->width) << "\n\n"
     << "Spare instruction bits per format and config:\n\n";
  std::vector<std::string> header = {"config"};
  for (int f = 0; f < kNumFormats; ++f) header.push_back(format_name(Format(f)));
  MdTable t(header);
  for (const auto& d : configs) {
    std::vector<std::string> row = {code(d.hw.name)};
    for (int f = 0; f < kNumFormats; ++f) {
      int spare = 0;
      for (const auto& g : spare_ranges(used_bits(d.layout, f), d.layout.insn_bits)) spare += g.second;
      row.push_back(std::to_string(spare));
    }
    t.row(row);
  }
  os << t.str();
}

}  // namespace

GeneratedFile isa_doc(const std::vector<DerivedConfig>& configs, const DerivedConfig& dflt) {
  std::ostringstream os;
  os << "# tessera ISA\n\n<!-- Generated by `tessera_gen docs` from isa/isa.def and configs/; do not edit. "
        "Regenerate: cmake --build <build> --target tessera_docs -->\n\n"
        "tessera's base ISA is VTA's: the same opcodes, memory types, ALU operations, field order and width "
        "rules. Every instruction starts with the same 7-bit header (opcode and the four dependency-token "
        "flags). Where tessera's semantics are stronger or looser than VTA's (FINISH, ALU reset, shifts, "
        "truncating stores, micro-op loads) and what `--isa vta` guarantees: docs/vta.md.\n\n";
  tables_section(os);
  fields_section(os, dflt.layout);
  layout_section(os, dflt);
  configs_section(os, configs);
  extension_section(os, configs, dflt);
  return {"isa.md", os.str()};
}

}  // namespace tessera::gen
