// Plain-loop oracle of LOAD, STORE, GEMM and ALU: one element and one lane at a time.
#include "tests/reference/isa_reference.h"

#include <cmath>
#include <stdexcept>

namespace tessera::reference {
namespace {

int64_t f(const Insn& i, Field x) { return i[x]; }

template <typename T>
T& at(std::vector<T>& v, int64_t i) {
  if (i < 0 || i >= int64_t(v.size())) throw std::out_of_range("reference: index " + std::to_string(i));
  return v[size_t(i)];
}

uint8_t byte_at(const std::vector<uint8_t>& dram, int64_t i) {
  if (i < 0 || i >= int64_t(dram.size())) throw std::out_of_range("reference: DRAM byte " + std::to_string(i));
  return dram[size_t(i)];
}

}  // namespace

Machine::Machine(const DerivedConfig& c)
    : cfg(c), codec(c.layout), B(c.hw.batch), I(c.hw.block_in), O(c.hw.block_out),
      inp(size_t(c.inp.depth), std::vector<std::vector<int8_t>>(size_t(B), std::vector<int8_t>(size_t(I)))),
      wgt(size_t(c.wgt.depth), std::vector<std::vector<int8_t>>(size_t(O), std::vector<int8_t>(size_t(I)))),
      acc(size_t(c.acc.depth), std::vector<std::vector<int32_t>>(size_t(B), std::vector<int32_t>(size_t(O)))),
      uop(size_t(c.uop.depth)) {}

void Machine::run(const std::vector<Insn>& program, std::vector<uint8_t>& dram) {
  for (const Insn& insn : program) {
    step(insn, dram);
    if (insn.opcode() == Opcode::FINISH) return;
  }
}

void Machine::step(const Insn& insn, std::vector<uint8_t>& dram) {
  switch (insn.opcode()) {
    case Opcode::LOAD: load(insn, dram); break;
    case Opcode::STORE: store(insn, dram); break;
    case Opcode::GEMM: gemm(insn); break;
    case Opcode::ALU: alu(insn); break;
    case Opcode::FINISH: break;
  }
}

void Machine::load(const Insn& in, const std::vector<uint8_t>& dram) {
  const int m = int(f(in, Field::MEMORY_TYPE));
  if (f(in, Field::X_SIZE) == 0) return;
  const int64_t eb = cfg.elem_bytes(m);
  // Element e of the SRAM gets DRAM element `src` (or zero when src < 0).
  auto put = [&](int64_t e, int64_t src) {
    const int64_t p = src * eb;
    switch (static_cast<MemType>(m)) {
      case MemType::UOP: {
        std::vector<uint8_t> bytes(size_t(eb), 0);
        if (src >= 0)
          for (int64_t j = 0; j < eb; ++j) bytes[size_t(j)] = byte_at(dram, p + j);
        at(uop, e) = codec.decode_uop(bytes.data());
        break;
      }
      case MemType::INP:
        for (int b = 0; b < B; ++b)
          for (int k = 0; k < I; ++k) at(inp, e)[b][k] = src < 0 ? 0 : int8_t(byte_at(dram, p + b * I + k));
        break;
      case MemType::WGT:
        for (int n = 0; n < O; ++n)
          for (int k = 0; k < I; ++k) at(wgt, e)[n][k] = src < 0 ? 0 : int8_t(byte_at(dram, p + n * I + k));
        break;
      case MemType::ACC:
        for (int b = 0; b < B; ++b)
          for (int n = 0; n < O; ++n) {
            uint32_t v = 0;
            if (src >= 0)
              for (int j = 0; j < 4; ++j) v |= uint32_t(byte_at(dram, p + (b * O + n) * 4 + j)) << (8 * j);
            at(acc, e)[b][n] = int32_t(v);
          }
        break;
      case MemType::ACC_8BIT:
        for (int b = 0; b < B; ++b)
          for (int n = 0; n < O; ++n) at(acc, e)[b][n] = src < 0 ? 0 : int32_t(int8_t(byte_at(dram, p + b * O + n)));
        break;
      default: throw std::invalid_argument("reference: LOAD of memory type " + std::to_string(m));
    }
  };
  const int64_t row = f(in, Field::X_PAD_0) + f(in, Field::X_SIZE) + f(in, Field::X_PAD_1);
  int64_t e = f(in, Field::SRAM_BASE);
  for (int64_t y = 0; y < f(in, Field::Y_PAD_0); ++y)
    for (int64_t x = 0; x < row; ++x) put(e++, -1);
  for (int64_t y = 0; y < f(in, Field::Y_SIZE); ++y) {
    for (int64_t x = 0; x < f(in, Field::X_PAD_0); ++x) put(e++, -1);
    for (int64_t x = 0; x < f(in, Field::X_SIZE); ++x)
      put(e++, f(in, Field::DRAM_BASE) + y * f(in, Field::X_STRIDE) + x);
    for (int64_t x = 0; x < f(in, Field::X_PAD_1); ++x) put(e++, -1);
  }
  for (int64_t y = 0; y < f(in, Field::Y_PAD_1); ++y)
    for (int64_t x = 0; x < row; ++x) put(e++, -1);
}

void Machine::store(const Insn& in, std::vector<uint8_t>& dram) {
  // OUT_TO_INP (TESSERA, BLOCK_IN = BLOCK_OUT): the same elements into the input buffer, dram_base
  // and x_stride counting INP elements.
  const bool to_inp = f(in, Field::MEMORY_TYPE) == int64_t(MemType::OUT_TO_INP);
  for (int64_t y = 0; y < f(in, Field::Y_SIZE); ++y)
    for (int64_t x = 0; x < f(in, Field::X_SIZE); ++x) {
      const auto& a = at(acc, f(in, Field::SRAM_BASE) + y * f(in, Field::X_SIZE) + x);
      if (to_inp) {
        auto& v = at(inp, f(in, Field::DRAM_BASE) + y * f(in, Field::X_STRIDE) + x);
        for (int b = 0; b < B; ++b)
          for (int n = 0; n < O; ++n) v[size_t(b)][size_t(n)] = int8_t(uint8_t(a[b][n] & 0xff));
        continue;
      }
      const int64_t p = (f(in, Field::DRAM_BASE) + y * f(in, Field::X_STRIDE) + x) * B * O;
      for (int b = 0; b < B; ++b)
        for (int n = 0; n < O; ++n) {
          byte_at(dram, p + b * O + n);  // bounds check
          dram[size_t(p + b * O + n)] = uint8_t(a[b][n] & 0xff);
        }
    }
}

void Machine::gemm(const Insn& in) {
  if (f(in, Field::DEPTHWISE)) return gemm_depthwise(in);
  for (int64_t o = 0; o < f(in, Field::ITER_OUT); ++o)
    for (int64_t i = 0; i < f(in, Field::ITER_IN); ++i)
      for (int64_t k = f(in, Field::UOP_BGN); k < f(in, Field::UOP_END); ++k) {
        const Uop u = at(uop, k);
        const int64_t d = u.dst + o * f(in, Field::DST_FACTOR_OUT) + i * f(in, Field::DST_FACTOR_IN);
        const int64_t s = u.src + o * f(in, Field::SRC_FACTOR_OUT) + i * f(in, Field::SRC_FACTOR_IN);
        const int64_t w = u.wgt + o * f(in, Field::WGT_FACTOR_OUT) + i * f(in, Field::WGT_FACTOR_IN);
        for (int b = 0; b < B; ++b)
          for (int n = 0; n < O; ++n) {
            if (f(in, Field::RESET)) {
              at(acc, d)[b][n] = 0;
              continue;
            }
            int64_t sum = at(acc, d)[b][n];
            for (int j = 0; j < I; ++j) sum += int64_t(at(inp, s)[b][j]) * at(wgt, w)[n][j];
            at(acc, d)[b][n] = int32_t(uint32_t(uint64_t(sum)));
          }
      }
}

// Depthwise: per (o, i), every micro-op adds inp[s + r][b][n] * (row w % O of element w / O)[n] into
// row r of the group whose destination is the first micro-op's; rows r < BLOCK_OUT (= BLOCK_IN).
void Machine::gemm_depthwise(const Insn& in) {
  for (int64_t o = 0; o < f(in, Field::ITER_OUT); ++o)
    for (int64_t i = 0; i < f(in, Field::ITER_IN); ++i) {
      const int64_t bgn = f(in, Field::UOP_BGN);
      if (bgn >= f(in, Field::UOP_END)) continue;
      const int64_t d = at(uop, bgn).dst + o * f(in, Field::DST_FACTOR_OUT) + i * f(in, Field::DST_FACTOR_IN);
      for (int64_t k = bgn; k < f(in, Field::UOP_END); ++k) {
        const Uop u = at(uop, k);
        const int64_t s = u.src + o * f(in, Field::SRC_FACTOR_OUT) + i * f(in, Field::SRC_FACTOR_IN);
        const int64_t w = u.wgt + o * f(in, Field::WGT_FACTOR_OUT) + i * f(in, Field::WGT_FACTOR_IN);
        for (int r = 0; r < O; ++r)
          for (int b = 0; b < B; ++b)
            for (int n = 0; n < O; ++n) {
              const int64_t sum = int64_t(at(acc, d + r)[b][n]) + int64_t(at(inp, s + r)[b][n]) * at(wgt, w / O)[w % O][n];
              at(acc, d + r)[b][n] = int32_t(uint32_t(uint64_t(sum)));
            }
      }
    }
}

int32_t alu_lane(int op, int32_t a, int32_t b) {
  switch (static_cast<AluOp>(op)) {
    case AluOp::MIN: return a < b ? a : b;
    case AluOp::MAX: return a > b ? a : b;
    case AluOp::ADD: return int32_t(uint32_t(int64_t(a) + int64_t(b)));
    case AluOp::MUL: return int32_t(uint32_t(uint64_t(int64_t(a) * int64_t(b))));
    case AluOp::MOV: return b;
    case AluOp::SHR:
      if (b >= 0) return int32_t(int64_t(a) >> (b > 31 ? 31 : b));
      return int32_t(uint32_t(uint64_t(int64_t(a)) << (-int64_t(b) > 31 ? 31 : -int64_t(b))));
    case AluOp::MULHR: break;  // needs the shift: mulhr()
    case AluOp::REQ: break;    // needs the immediate: requantize()
  }
  throw std::invalid_argument("reference: ALU opcode " + std::to_string(op));
}

// Rounds a * b / 2^shift half up (floor of the value plus one half) and saturates to int32.
int32_t mulhr(int32_t a, int32_t b, int shift) {
  const int64_t num = int64_t(a) * int64_t(b) + (int64_t{1} << (shift - 1)), den = int64_t{1} << shift;
  int64_t q = num / den;
  if (num % den != 0 && num < 0) --q;  // C++ division truncates toward zero; floor is wanted
  return q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : int32_t(q);
}

// x rounded to 24 significant bits, ties to even (binary32's precision, without its exponent
// range: what is below it here ends up below one half anyway).
double round_to_24_bits(double x) {
  if (x == 0) return 0;
  int e = 0;
  const double m = std::frexp(x, &e);  // |m| in [0.5, 1)
  return std::ldexp(std::nearbyint(std::ldexp(m, 24)), e - 24);
}

// REQ's float mode: b's bits are a binary32 scale, zero when its exponent field is 0 or 255; the
// product of the rounded a and the scale is exact in double, then rounded like binary32, then to
// an integer (ties to even), saturating far outside any output type.
int64_t float_requantize(int32_t a, int32_t b) {
  const uint32_t bits = uint32_t(b), exponent = bits >> 23 & 0xFF;
  if (exponent == 0 || exponent == 0xFF) return 0;
  const double scale = std::ldexp(double((bits & 0x7FFFFF) | 0x800000), int(exponent) - 150) * ((bits >> 31) ? -1 : 1);
  const double p = round_to_24_bits(round_to_24_bits(double(a)) * scale);
  return std::fabs(p) >= 0x1p40 ? (p < 0 ? -(int64_t{1} << 40) : int64_t{1} << 40) : int64_t(std::nearbyint(p));
}

// A packed-add constant: binary32 bits, zero outside [2^-63, 2^64), exact in binary128.
__float128 qadd_constant(int32_t bits) {
  const uint32_t u = uint32_t(bits), exponent = u >> 23 & 0xFF;
  if (exponent < 64 || exponent > 190) return 0;
  const __float128 m = (u & 0x7FFFFF) | 0x800000;
  __float128 c = (u >> 31) ? -m : m;
  for (int e = int(exponent) - 150; e > 0; --e) c *= 2;
  for (int e = int(exponent) - 150; e < 0; ++e) c /= 2;
  return c;
}

// REQ's packed add (onnxruntime's QLinearAdd): a 17-bit integer times a 24-bit constant plus a 24-bit
// term is exact in binary128 while the two terms lie within 70 binary orders of magnitude (every
// test's constants do), so each conversion to float is the one rounding an FMA makes.
int64_t packed_add(int32_t x, const int32_t c[3], bool uint8, int64_t lo) {
  const int64_t lo16 = int16_t(uint16_t(uint32_t(x))), hi16 = (int64_t{x} - lo16) / 65536, o = uint8 ? 128 : 0;
  const float t = float(__float128(hi16 + o) * qadd_constant(c[1]) + qadd_constant(c[2]));
  const float v = float(__float128(lo16 + o) * qadd_constant(c[0]) + __float128(t));
  const double r = std::fabs(v) >= 0x1p40 ? (v < 0 ? -0x1p40 : 0x1p40) : std::nearbyint(double(v));
  const int64_t raw = std::min<int64_t>(uint8 ? 255 : 127, std::max<int64_t>(uint8 ? 0 : -128, int64_t(r)));
  return std::max(raw - o, lo);
}

// REQ: imm packs shift [4:0], ReLU [5], mode [7:6] and the int8 zero point [15:8].
int32_t requantize(int32_t a, int32_t b, const int32_t packed_constants[3], int64_t imm, int out_bits) {
  const int64_t u = imm & 0xFFFF, zp = int8_t(uint8_t(u >> 8)), mode = u >> 6 & 3;
  const int64_t lo_type = -(int64_t{1} << (out_bits - 1)), hi = (int64_t{1} << (out_bits - 1)) - 1;
  const int64_t lo = (u & 32) && zp > lo_type ? zp : lo_type;
  if (mode >= 2) return int32_t(packed_add(a, packed_constants, mode == 3, lo));
  const int64_t y = (mode == 1 ? float_requantize(a, b) : int64_t(mulhr(a, b, 31 + int(u & 31)))) + zp;
  return int32_t(y < lo ? lo : y > hi ? hi : y);
}

void Machine::alu(const Insn& in) {
  for (int64_t o = 0; o < f(in, Field::ITER_OUT); ++o)
    for (int64_t i = 0; i < f(in, Field::ITER_IN); ++i)
      for (int64_t k = f(in, Field::UOP_BGN); k < f(in, Field::UOP_END); ++k) {
        const Uop u = at(uop, k);
        const int64_t d = u.dst + o * f(in, Field::DST_FACTOR_OUT) + i * f(in, Field::DST_FACTOR_IN);
        const int64_t s = u.src + o * f(in, Field::SRC_FACTOR_OUT) + i * f(in, Field::SRC_FACTOR_IN);
        for (int b = 0; b < B; ++b)
          for (int n = 0; n < O; ++n) {
            if (f(in, Field::RESET)) {
              at(acc, d)[b][n] = 0;
              continue;
            }
            const int32_t rhs = f(in, Field::USE_IMM) ? int32_t(f(in, Field::IMM)) : at(acc, s)[b][n];
            if (f(in, Field::ALU_OPCODE) == int64_t(AluOp::REQ)) {
              int32_t packed_constants[3];
              for (int c = 0; c < 3; ++c) packed_constants[c] = at(acc, s)[size_t(c / O)][size_t(c % O)];
              at(acc, d)[b][n] = requantize(at(acc, d)[b][n], rhs, packed_constants, f(in, Field::IMM), cfg.out_bits);
              continue;
            }
            if (f(in, Field::ALU_OPCODE) == int64_t(AluOp::MULHR)) {
              const int shift = f(in, Field::USE_IMM) ? 15 : 31 + int(f(in, Field::IMM));
              at(acc, d)[b][n] = mulhr(at(acc, d)[b][n], rhs, shift);
              continue;
            }
            at(acc, d)[b][n] = alu_lane(int(f(in, Field::ALU_OPCODE)), at(acc, d)[b][n], rhs);
          }
      }
}

std::vector<int32_t> matmul_nt(const std::vector<int8_t>& a, const std::vector<int8_t>& w, int m, int n, int k) {
  std::vector<int32_t> c(size_t(m) * size_t(n), 0);
  for (int r = 0; r < m; ++r)
    for (int col = 0; col < n; ++col) {
      int64_t sum = 0;
      for (int j = 0; j < k; ++j) sum += int64_t(a[size_t(r * k + j)]) * w[size_t(col * k + j)];
      c[size_t(r * n + col)] = int32_t(uint32_t(uint64_t(sum)));
    }
  return c;
}

}  // namespace tessera::reference
