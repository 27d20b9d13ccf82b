// Table-driven instruction and micro-op encoding: every bit position comes from IsaLayout.
#include "isa/insn.h"

#include <algorithm>
#include <cstring>

namespace tessera {
namespace {

uint64_t mask(int w) { return w >= 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1; }

// Slots never straddle a 64-bit word (see compute_layout), so one word access per field suffices.
// A zero-width slot (a unit the config lacks) may sit one past the last word: it is never touched.
void put(uint64_t* words, int lsb, int w, uint64_t v) {
  if (w > 0) words[lsb / 64] |= (v & mask(w)) << (lsb % 64);
}
uint64_t get(const uint64_t* words, int lsb, int w) {
  return w > 0 ? (words[lsb / 64] >> (lsb % 64)) & mask(w) : 0;
}

// Bit-level helpers for micro-ops, whose slots may cross byte and word boundaries.
// Reads the field's bytes (at most nine: an unaligned 64-bit field), not bit by bit: the fsim decodes
// one micro-op per executed micro-op.
uint64_t get_bits(const uint8_t* p, int lsb, int w) {
  if (w == 0) return 0;
  const int first = lsb / 8, bytes = (lsb + w - 1) / 8 - first + 1, shift = lsb % 8;
  uint64_t v = 0;
  for (int b = std::min(bytes, 8) - 1; b >= 0; --b) v = v << 8 | p[first + b];
  v >>= shift;
  if (bytes > 8) v |= uint64_t(p[first + 8]) << (64 - shift);
  return v & mask(w);
}
void put_bits(uint8_t* p, int lsb, int w, uint64_t v) {
  for (int i = 0; i < w; ++i)
    if ((v >> i) & 1) p[(lsb + i) / 8] |= uint8_t(1u << ((lsb + i) % 8));
}

}  // namespace

const char* unit_name(Unit u) {
  static constexpr const char* kNames[] = {"load", "compute", "store"};
  return kNames[static_cast<int>(u)];
}

Unit route(const Insn& insn) {
  switch (insn.opcode()) {
    case Opcode::STORE: return Unit::STORE;
    case Opcode::LOAD: {
      const auto m = static_cast<MemType>(insn[Field::MEMORY_TYPE]);
      return m == MemType::INP || m == MemType::WGT ? Unit::LOAD : Unit::COMPUTE;
    }
    default: return Unit::COMPUTE;
  }
}

int overlap_lane(const Insn& insn) {
  switch (insn.opcode()) {
    case Opcode::GEMM: return 0;
    case Opcode::ALU: return 1;
    case Opcode::LOAD: {
      const auto m = static_cast<MemType>(insn[Field::MEMORY_TYPE]);
      return m == MemType::ACC || m == MemType::ACC_8BIT ? 1 : -1;
    }
    default: return -1;
  }
}

unsigned acc_banks(int64_t lo, int64_t hi, int64_t acc_depth) {
  if (hi < lo) return 0;
  return unsigned(lo < acc_depth / 2) | unsigned(hi >= acc_depth / 2) << 1;
}

Format format_of(int64_t opcode) {
  const OpcodeInfo* o = opcode >= 0 && opcode < 256 ? find_opcode(int(opcode)) : nullptr;
  if (!o) throw EncodeError("undefined opcode " + std::to_string(opcode));
  return o->format;
}

std::string IsaCodec::check_fits(const Slot& s, bool is_signed, int64_t v) {
  const int w = s.width;
  if (w == 0 && v != 0)
    return std::string("field ") + field_info(s.field).asm_name + " is not encoded in this config (set to " +
           std::to_string(v) + "): the config lacks its unit (see the field's documentation)";
  const bool ok = is_signed ? (w >= 64 || (v >= -(int64_t{1} << (w - 1)) && v < (int64_t{1} << (w - 1))))
                            : (v >= 0 && (w >= 63 || v < (int64_t{1} << w)));
  if (ok) return {};
  return "value " + std::to_string(v) + " does not fit " + (is_signed ? "signed " : "unsigned ") +
         std::to_string(w) + "-bit field " + field_info(s.field).asm_name;
}

void IsaCodec::encode(const Insn& insn, uint64_t* words) const {
  const Format fmt = format_of(insn[Field::OPCODE]);
  const auto& slots = L_.formats[static_cast<int>(fmt)];
  std::memset(words, 0, sizeof(uint64_t) * insn_words());
  std::array<bool, kNumFields> carried{};
  // A set flag field replaces the opcode by its flag's value (its slot: width 1, or 0 without it).
  int64_t opcode = insn[Field::OPCODE];
  for (const auto& f : opcode_flags()) {
    if (f.base != insn.opcode()) continue;
    const std::string err = check_fits(*L_.find(fmt, f.field), false, insn[f.field]);
    if (!err.empty()) throw EncodeError(std::string(format_name(fmt)) + " instruction: " + err);
    if (insn[f.field]) opcode = f.value;
    carried[static_cast<int>(f.field)] = true;
  }
  for (const auto& s : slots) {
    const auto& info = field_info(s.field);
    const int64_t v = s.field == Field::OPCODE ? opcode : insn[s.field];
    const std::string err = check_fits(s, info.is_signed, v);
    if (!err.empty()) throw EncodeError(std::string(format_name(fmt)) + " instruction: " + err);
    put(words, s.lsb, s.width, uint64_t(v));
    carried[static_cast<int>(s.field)] = true;
  }
  for (int i = 0; i < kNumFields; ++i)
    if (!carried[i] && insn.f[i] != 0)
      throw EncodeError(std::string(format_name(fmt)) + " instruction has no field " + field_info(Field(i)).asm_name +
                        " (set to " + std::to_string(insn.f[i]) + ")");
}

Insn IsaCodec::decode(const uint64_t* words) const {
  Insn insn;
  const OpcodeFlag* flag = L_.flag_of_value(int(words[0] & 7));
  const Format fmt = format_of(flag ? int64_t(flag->base) : int64_t(words[0] & 7));
  for (const auto& s : L_.formats[static_cast<int>(fmt)]) {
    uint64_t v = get(words, s.lsb, s.width);
    if (field_info(s.field).is_signed && s.width < 64 && ((v >> (s.width - 1)) & 1)) v |= ~mask(s.width);
    insn[s.field] = int64_t(v);
  }
  if (flag) {
    insn[Field::OPCODE] = int64_t(flag->base);
    insn[flag->field] = 1;
  }
  return insn;
}

void IsaCodec::encode_bytes(const Insn& insn, uint8_t* out) const {
  uint64_t w[16];
  encode(insn, w);
  for (int i = 0; i < insn_bytes(); ++i) out[i] = uint8_t(w[i / 8] >> (8 * (i % 8)));
}

Insn IsaCodec::decode_bytes(const uint8_t* in) const {
  uint64_t w[16] = {};
  for (int i = 0; i < insn_bytes(); ++i) w[i / 8] |= uint64_t(in[i]) << (8 * (i % 8));
  return decode(w);
}

void IsaCodec::encode_uop(const Uop& u, uint8_t* out) const {
  std::memset(out, 0, uop_bytes());
  const uint32_t vals[3] = {u.dst, u.src, u.wgt};
  for (int i = 0; i < 3; ++i) {
    const auto& s = L_.uop[i];
    if (s.width < 32 && vals[i] >> s.width)
      throw EncodeError(std::string("micro-op ") + s.name + " " + std::to_string(vals[i]) + " does not fit " +
                        std::to_string(s.width) + " bits");
    put_bits(out, s.lsb, s.width, vals[i]);
  }
}

Uop IsaCodec::decode_uop(const uint8_t* in) const {
  Uop u;
  u.dst = uint32_t(get_bits(in, L_.uop[0].lsb, L_.uop[0].width));
  u.src = uint32_t(get_bits(in, L_.uop[1].lsb, L_.uop[1].width));
  u.wgt = uint32_t(get_bits(in, L_.uop[2].lsb, L_.uop[2].width));
  return u;
}

}  // namespace tessera
