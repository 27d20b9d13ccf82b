// REQ operand draws for the random program generator: binary32 scales, accumulators and the packed
// add's constants and pairs, made to reach REQ's rounding corners (random words mostly saturate).
#include "sim/cosim/req_operand_draws.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tessera {

void ReqOperandDraws::put_word(std::vector<uint8_t>& dram, int64_t at, uint32_t v) {
  for (int k = 0; k < 4; ++k) dram[size_t(at + k)] = uint8_t(v >> (8 * k));
}
float ReqOperandDraws::as_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
uint32_t ReqOperandDraws::bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
// As the packed add reads a constant: outside [2^-63, 2^64) (or not finite) it is 0.
float ReqOperandDraws::qadd_value(uint32_t u) {
  const uint32_t e = u >> 23 & 0xFF;
  return e >= 64 && e <= 190 ? as_float(u) : 0.0f;
}

uint32_t ReqOperandDraws::pair(int64_t lo, int64_t hi) { return uint32_t(lo) + uint32_t(hi) * 65536u; }

// rA or rB: a ratio of scales, 2^-14..2^8, often with few mantissa bits (exact products, ties),
// sometimes negative (legal, if not what a quantizer makes).
uint32_t ReqOperandDraws::qadd_ratio() {
  const uint32_t sign = chance(0.1) ? 1u << 31 : 0;
  const double m = std::uniform_real_distribution<double>(0, 1)(rng_);
  const uint32_t frac = m < 0.2 ? 0 : m < 0.6 ? uint32_t(pick(1, 15)) << 19 : uint32_t(pick(0, (1 << 23) - 1));
  return sign | uint32_t(127 + pick(-14, 8)) << 23 | frac;
}
// A constant the packed add counts as 0 (zero, subnormal, below 2^-63, from 2^64, inf, NaN) or
// one just inside the range, or an arbitrary word.
uint32_t ReqOperandDraws::special_constant() {
  const uint32_t sign = chance(0.5) ? 1u << 31 : 0, frac = uint32_t(pick(0, (1 << 23) - 1));
  switch (pick(0, 6)) {
    case 0: return sign;
    case 1: return sign | std::max<uint32_t>(frac, 1);
    case 2: return sign | uint32_t(pick(1, 63)) << 23 | frac;
    case 3: return sign | uint32_t(pick(191, 254)) << 23 | frac;
    case 4: return sign | 0xFFu << 23 | (chance(0.5) ? 0 : std::max<uint32_t>(frac, 1));
    case 5: return sign | uint32_t(chance(0.5) ? 64 : 190) << 23 | frac;
    default: return uint32_t(rng_());
  }
}
// F: zc - (rA * za + rB * zb) as a quantizer computes it, 0, a small k / 2^n, or one made so that
// some device pair's inner FMA is an exact tie whose rounding decides an exact x.5 of the final
// value (the inner FMA's tie rule then shows in the output).
uint32_t ReqOperandDraws::qadd_offset(uint32_t ra_bits, uint32_t rb_bits, int32_t o) {
  const float ra = qadd_value(ra_bits), rb = qadd_value(rb_bits);
  const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
  if (r < 0.3) {
    const auto z = [&] { return float(pick(-128, 127) + o); };
    return bits_of(z() - (ra * z() + rb * z()));
  }
  if (r < 0.4) return 0;
  if (r < 0.5) return bits_of(std::ldexp(float(pick(-300, 300)), -int(pick(0, 10))));
  if (r < 0.55) return special_constant();
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int32_t a = int32_t(pick(-128, 127)) + o, b = int32_t(pick(-128, 127)) + o;
    const long double x = (long double)(pick(o ? 0 : -128, o ? 255 : 127)) + 0.5L;
    const float t = float(x - (long double)a * ra);  // the inner result we want: v = a * rA + t = x
    if (!std::isnormal(t) || (long double)t + (long double)a * ra != x) continue;
    const float up = std::nextafter(t, INFINITY), down = std::nextafter(t, -INFINITY);
    if ((bits_of(t) & 1) != 0) continue;  // round to even must pick t, ties away its neighbour
    const long double mid = chance(0.5) ? ((long double)t + up) / 2 : ((long double)t + down) / 2;
    const long double f = mid - (long double)b * rb;
    if (float(f) == f && f != 0 && std::isnormal(float(f))) return bits_of(float(f));
  }
  return bits_of(std::ldexp(float(pick(-300, 300)), -int(pick(0, 10))));
}
// Tries every device pair (lo, hi) against the triple and keeps up to 64 of each corner: the
// inner FMA an exact tie, the outer one an exact tie, the final value exactly x.5, with a final
// value near the output range. Exactness is judged in long double (64-bit mantissa), enough for
// these constants' spans; a miss only makes a pair less interesting, fsim decides correctness.
void ReqOperandDraws::qadd_corners(const uint32_t c[3], int32_t o, std::vector<uint32_t> corners[3]) {
  for (int k = 0; k < 3; ++k) corners[k].clear();
  const float c0 = qadd_value(c[0]), c1 = qadd_value(c[1]), c2 = qadd_value(c[2]);
  const auto tie = [](long double exact, float rounded) {
    if ((long double)rounded == exact) return false;
    const float other = std::nextafter(rounded, exact > rounded ? INFINITY : -INFINITY);
    return 2 * std::fabs(exact - rounded) == std::fabs((long double)other - rounded);
  };
  const int32_t start = int32_t(pick(0, 65535));  // where the search starts: no bias to small hi
  for (int32_t n = 0; n < 65536; ++n) {
    const int32_t lo = ((start + n) & 255) - 128, hi = ((start + n) >> 8 & 255) - 128;
    const int32_t a = lo + o, b = hi + o;
    const float t = std::fmaf(float(b), c1, c2), v = std::fmaf(float(a), c0, t);
    if (!(std::fabs(v) < 400.0f)) continue;
    const long double te = (long double)b * c1 + c2, ve = (long double)a * c0 + t;
    int k = -1;
    if (te - c2 == (long double)b * c1 && tie(te, t)) k = 0;
    else if (ve - t == (long double)a * c0 && tie(ve, v)) k = 1;
    else if (std::fabs(v - std::trunc(v)) == 0.5f) k = 2;
    if (k >= 0 && corners[k].size() < 64) corners[k].push_back(pair(lo, hi));
  }
}

// Binary32 bits: mostly normal scales 2^-34..2^5 (2^-34 still meets int32 accumulators near 2^31),
// often with few mantissa bits (1.25, 1.5, 1.75: exact products, ties after the final rounding),
// sometimes negative;
// a few zeros, subnormals, infinities and NaNs, which count as 0.
uint32_t ReqOperandDraws::float_scale() {
  const uint32_t sign = chance(0.15) ? 1u << 31 : 0;
  if (chance(0.1)) {
    switch (pick(0, 3)) {
      case 0: return sign;                                         // +-0
      case 1: return sign | uint32_t(pick(1, (1 << 23) - 1));      // subnormal
      case 2: return sign | 0xFFu << 23;                           // inf
      default: return sign | 0xFFu << 23 | uint32_t(pick(1, (1 << 23) - 1));  // NaN
    }
  }
  const uint32_t exponent = uint32_t(127 + pick(-34, 4));
  const double m = std::uniform_real_distribution<double>(0, 1)(rng_);
  const uint32_t frac = m < 0.4 ? 0 : m < 0.7 ? uint32_t(pick(1, 3)) << 21 : uint32_t(pick(0, (1 << 23) - 1));
  return sign | exponent << 23 | frac;
}

// int32 accumulators: small values (times a scale near 1: ties), odd multiples of a power of two
// (times a power-of-two scale: exactly x.5), 25 significant bits ending in 1 (a tie when rounded to
// binary32's 24; with few leading bits, times a power of two, a wrong tie rule moves the product
// across x.5), 2^23 + (2^n + 1) / 3 (times 1.5 * 2^-n the product is x.5 only after its own rounding
// to 24 bits, ties to even), 2^24 + 1 style values, and plain random words.
uint32_t ReqOperandDraws::accumulator() {
  const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
  const uint32_t neg = chance(0.5);
  uint32_t mag;
  if (r < 0.2) mag = uint32_t(pick(0, 300));
  else if (r < 0.35) mag = uint32_t(2 * pick(0, 63) + 1) << pick(0, 22);
  else if (r < 0.45) mag = (uint32_t(pick(1 << 23, (1 << 24) - 1)) << 1 | 1) << pick(0, 6);
  else if (r < 0.55) {
    const int64_t m = pick(0, 7);
    mag = (uint32_t(pick(int64_t{1} << m, (int64_t{2} << m) - 1)) << (24 - m) | 1) << pick(0, 6);
  } else if (r < 0.62) mag = (1u << 23) + ((1u << (2 * pick(8, 10) + 1)) + 1) / 3;
  else if (r < 0.7) mag = (1u << pick(23, 29)) + uint32_t(pick(1, 3));
  else return uint32_t(rng_());
  return neg ? 0u - mag : mag;
}

// REQ's packed add (modes 2/3) reads three binary32 constants from lanes 0..2 of its operand row
// and a packed pair of device values from each destination lane. Random words there would give
// saturated or constant outputs, and its rounding corners (a tie in the inner FMA that decides the
// final rounding, a tie in the outer FMA, an exact x.5 before the last rounding) need constants
// and pairs made for each other. So each program draws one constant triple (rA, rB, F) and one
// preferred mode, and the last eighth of the source area holds rows of: that triple in lanes 0..2
// (some rows a triple with a special or out-of-range constant), and pairs in the other lanes, about
// half of them found by trying every device pair against the triple for those corners, the rest
// random small pairs, wide 16-bit halves or arbitrary words. A LOAD ACC of these rows comes before
// 3 of 4 packed-add REQs (load_req_rows), over their operand and often destination rows.
bool ReqOperandDraws::write_qadd_rows(std::vector<uint8_t>& dram, int64_t first, int64_t end, int64_t eb) {
  const int64_t lanes = eb / 4;
  const bool uint8 = chance(0.5);
  const int32_t o = uint8 ? 128 : 0;
  uint32_t c[3] = {qadd_ratio(), qadd_ratio(), 0};
  std::vector<uint32_t> corners[3];  // pairs lo + hi * 65536 of: inner tie, outer tie, exact x.5
  for (int attempt = 0; attempt < 4; ++attempt) {
    c[2] = qadd_offset(c[0], c[1], o);
    qadd_corners(c, o, corners);
    if (!corners[0].empty() || attempt == 3) break;
    if (chance(0.5)) c[chance(0.5) ? 1 : 0] = qadd_ratio();
  }
  for (int64_t e = first; e < end; ++e) {
    uint32_t row_c[3] = {c[0], c[1], c[2]};
    if (chance(0.15)) row_c[pick(0, 2)] = chance(0.7) ? special_constant() : qadd_ratio();
    for (int64_t l = 0; l < lanes; ++l) {
      uint32_t v;
      const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
      if (l < 3) v = row_c[l];
      else if (r < 0.45) {
        std::vector<uint32_t>* from[3];
        int n = 0;
        for (auto& k : corners)
          if (!k.empty()) from[n++] = &k;
        if (n) {
          const std::vector<uint32_t>& k = *from[pick(0, n - 1)];
          v = k[size_t(pick(0, int64_t(k.size()) - 1))];
        } else {
          v = pair(pick(-128, 127), pick(-128, 127));
        }
      } else if (r < 0.75) v = pair(pick(-128, 127), pick(-128, 127));
      else if (r < 0.85) v = pair(pick(-32768, 32767), pick(-32768, 32767));
      else v = uint32_t(rng_());
      put_word(dram, e * eb + l * 4, v);
    }
  }
  return uint8;
}

}  // namespace tessera
