// Decoded instructions and micro-ops, and the table-driven encoder/decoder for one config's layout.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "isa/layout.h"

namespace tessera {

// A value does not fit its field, or a field is set that the format does not carry.
class EncodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One instruction as named field values; fields a format does not carry stay 0.
struct Insn {
  std::array<int64_t, kNumFields> f{};

  int64_t operator[](Field x) const { return f[static_cast<int>(x)]; }
  int64_t& operator[](Field x) { return f[static_cast<int>(x)]; }
  Opcode opcode() const { return static_cast<Opcode>(f[0]); }
  bool operator==(const Insn& o) const { return f == o.f; }
  bool operator!=(const Insn& o) const { return f != o.f; }
};

struct Uop {
  uint32_t dst = 0, src = 0, wgt = 0;
  bool operator==(const Uop& o) const { return dst == o.dst && src == o.src && wgt == o.wgt; }
};

// The three execution units and the command queue each instruction is routed to, as VTA's fetch does.
enum class Unit : uint8_t { LOAD, COMPUTE, STORE };
constexpr int kNumUnits = 3;
const char* unit_name(Unit u);
Unit route(const Insn& insn);

// The compute pipeline an instruction uses under the overlap flag (isa.def, OVERLAP): 0 the GEMM
// pipe, 1 ALU work (ALU instructions and LOADs of ACC/ACC_8BIT), -1 one that may not carry the flag.
int overlap_lane(const Insn& insn);
// The accumulator banks an index range [lo, hi] reaches: bit 0 below acc_depth / 2, bit 1 the rest
// (0 for an empty range).
unsigned acc_banks(int64_t lo, int64_t hi, int64_t acc_depth);

// Format of an opcode value; throws EncodeError for an opcode the table does not define.
Format format_of(int64_t opcode);

class IsaCodec {
 public:
  explicit IsaCodec(IsaLayout layout) : L_(std::move(layout)) {}
  int insn_words() const { return L_.insn_bits / 64; }
  int insn_bytes() const { return L_.insn_bits / 8; }
  int uop_bytes() const { return L_.uop_bits / 8; }
  const IsaLayout& layout() const { return L_; }

  // Encode into insn_words() little-endian 64-bit words; never truncates (throws EncodeError).
  void encode(const Insn& insn, uint64_t* words) const;
  void encode_bytes(const Insn& insn, uint8_t* out) const;
  // Decode; an undefined opcode throws EncodeError. Bits outside the format's slots are ignored.
  Insn decode(const uint64_t* words) const;
  Insn decode_bytes(const uint8_t* in) const;

  void encode_uop(const Uop& u, uint8_t* out) const;
  Uop decode_uop(const uint8_t* in) const;

  // Checks a value against a slot's width and signedness; returns an empty string when it fits.
  static std::string check_fits(const Slot& s, bool is_signed, int64_t v);

 private:
  IsaLayout L_;
};

}  // namespace tessera
