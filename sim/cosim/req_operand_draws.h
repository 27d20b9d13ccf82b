// REQ operand draws for the random program generator (random_program.cc): values that reach REQ's
// rounding corners, drawn from the generator's own engine so its draw order is unchanged.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace tessera {

class ReqOperandDraws {
 public:
  explicit ReqOperandDraws(std::mt19937_64& rng) : rng_(rng) {}
  // A binary32 scale for REQ's float mode, and an int32 accumulator made for its rounding corners.
  uint32_t float_scale();
  uint32_t accumulator();
  // The packed add's rows [first, end) of eb-byte ACC elements (one constant triple in lanes 0..2,
  // pairs elsewhere); returns the program's preferred mode: uint8 (3) when true, else int8 (2).
  bool write_qadd_rows(std::vector<uint8_t>& dram, int64_t first, int64_t end, int64_t eb);
  static void put_word(std::vector<uint8_t>& dram, int64_t at, uint32_t v);

 private:
  int64_t pick(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  static float as_float(uint32_t u);
  static uint32_t bits_of(float f);
  static float qadd_value(uint32_t u);
  static uint32_t pair(int64_t lo, int64_t hi);
  uint32_t qadd_ratio();
  uint32_t special_constant();
  uint32_t qadd_offset(uint32_t ra_bits, uint32_t rb_bits, int32_t o);
  void qadd_corners(const uint32_t c[3], int32_t o, std::vector<uint32_t> corners[3]);
  std::mt19937_64& rng_;
};

}  // namespace tessera
