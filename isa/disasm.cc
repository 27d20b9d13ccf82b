// Disassembler: canonical text for programs, single instructions and raw instruction streams.
#include <algorithm>

#include "isa/asm.h"
#include "isa/asm_syntax.h"

namespace tessera {
namespace {

std::string hex_bytes(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 15];
  }
  return s;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

// A step's tensor list as the assembler reads it back (names never contain commas: program_issues).
std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? "," : "") + names[i];
  return s;
}

}  // namespace

std::string disassemble_insn(const Insn& insn, const IsaLayout& layout) {
  const Format fmt = format_of(insn[Field::OPCODE]);
  std::string s = find_opcode(int(insn[Field::OPCODE]))->name;
  std::string flags;
  layout.for_each_slot(fmt, [&](const Slot& slot) {
    if (slot.field == Field::OPCODE) return;
    const char* name = field_info(slot.field).asm_name;
    const int64_t v = insn[slot.field];
    if (asm_syntax::is_flag(slot)) {
      if (v == 1) flags += std::string(" ") + name;
      else if (v != 0) s += std::string(" ") + name + "=" + std::to_string(v);
      return;
    }
    const char* enum_name = nullptr;
    if (const auto* names = asm_syntax::enum_table(slot.field)) {
      for (const auto& n : *names)
        if (n.value == v) enum_name = n.name;
      s += std::string(" ") + name + "=" + (enum_name ? enum_name : std::to_string(v));
    } else if (v != 0) {
      s += std::string(" ") + name + "=" + std::to_string(v);
    }
  });
  return s + flags;
}

std::string disassemble(const Program& p, const DerivedConfig& cfg) {
  std::string out = ".config_hash " + cfg.hash_hex() + "\n";
  out += ".dram_bytes " + std::to_string(p.dram_bytes) + "\n";
  out += ".uop_offset " + std::to_string(p.uop_dram_offset) + "\n";
  const auto& us = cfg.layout.uop;
  for (const auto& u : p.uops)
    out += std::string(".uop ") + us[0].name + "=" + std::to_string(u.dst) + " " + us[1].name + "=" +
           std::to_string(u.src) + " " + us[2].name + "=" + std::to_string(u.wgt) + "\n";
  for (const auto& seg : p.constants) {
    out += ".const " + std::to_string(seg.offset) + "\n";
    for (size_t i = 0; i < seg.bytes.size(); i += asm_syntax::kBytesPerLine)
      out += ".bytes " + hex_bytes(seg.bytes.data() + i, std::min<size_t>(asm_syntax::kBytesPerLine, seg.bytes.size() - i)) + "\n";
  }
  for (const auto& t : p.tensors)
    out += std::string(".tensor ") + tensor_dir_name(t.dir) + " " + t.name + " dtype=" + dtype_name(t.dtype) +
           " shape=" + shape_text(t.shape) + " layout=" + t.layout + " offset=" + std::to_string(t.dram_offset) +
           " bytes=" + std::to_string(t.bytes) + " scale=" + asm_syntax::format_double(t.scale) +
           " zero_point=" + std::to_string(t.zero_point) + "\n";
  for (const auto& s : p.steps) {
    out += std::string(".step ") + step_kind_name(s.kind) + " " + s.name + " op=" + s.op;
    if (s.kind == StepKind::ACCEL) out += " begin=" + std::to_string(s.insn_begin) + " end=" + std::to_string(s.insn_end);
    if (!s.inputs.empty()) out += " inputs=" + join(s.inputs);
    if (!s.outputs.empty()) out += " outputs=" + join(s.outputs);
    for (const auto& kv : s.attrs) out += " @" + kv.first + "=" + kv.second;
    out += "\n";
  }
  for (const auto& insn : p.insns) out += disassemble_insn(insn, cfg.layout) + "\n";
  return out;
}

std::string disassemble_raw(const std::vector<uint8_t>& bytes, const IsaCodec& codec, const std::string& origin) {
  const size_t n = size_t(codec.insn_bytes());
  if (bytes.size() % n != 0)
    throw AsmError(origin + ": byte " + std::to_string(bytes.size() / n * n) + ": " +
                   std::to_string(bytes.size() % n) + " trailing bytes: the stream length " +
                   std::to_string(bytes.size()) + " is not a multiple of the " + std::to_string(n) +
                   "-byte instruction size");
  std::string out;
  for (size_t at = 0; at < bytes.size(); at += n) {
    try {
      out += disassemble_insn(codec.decode_bytes(bytes.data() + at), codec.layout()) + "\n";
    } catch (const EncodeError& e) {
      throw AsmError(origin + ": byte " + std::to_string(at) + ": instruction " + std::to_string(at / n) + ": " +
                     e.what());
    }
  }
  return out;
}

}  // namespace tessera
