// The fsim instruction tests' legal programs, one builder per test, with each test's own expectations.
#include "tests/fsim/instruction_cases.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

#include "tests/reference/isa_reference.h"

namespace tessera::cases {

using namespace programs;

const std::vector<std::string>& test_configs() {
  static const std::vector<std::string> k = {"default",        "vta_4x8x8", "rect_1x16x32", "batch2_2x16x16",
                                             "tiny",           "large_1x32x32"};
  return k;
}

std::vector<uint8_t> initial_dram() {
  std::vector<uint8_t> d(1 << 20);
  fill_random(d, 12345);
  return d;
}

int64_t uop_elem(const DerivedConfig& cfg, const std::vector<uint8_t>& dram) {
  return int64_t(dram.size() / 2) / cfg.elem_bytes(int(MemType::UOP));
}

Insn load_uops(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const std::vector<Uop>& uops, int64_t sram) {
  put_uops(dram, cfg, uop_elem(cfg, dram), uops);
  return load(MemType::UOP, sram, uop_elem(cfg, dram), 1, int64_t(uops.size()), int64_t(uops.size()));
}

// Tile t loads INP into half h = t % 2, resets and accumulates ACC half h, and stores it. Micro-ops
// 4h..4h+3 address half h, so load, compute and store of neighbouring tiles overlap while tokens keep
// each half from being reused early.
std::vector<Insn> double_buffered_stream(const DerivedConfig& cfg, std::vector<uint8_t>& dram, int tiles) {
  std::vector<Uop> uops;
  for (uint32_t k = 0; k < 8; ++k) uops.push_back({k, k, k % 4});
  const int64_t inp_dram = 4096 / cfg.inp.elem_bytes, out_dram = 8192 / cfg.out.elem_bytes;
  std::vector<Insn> p = {load_uops(cfg, dram, uops)};
  p.push_back(load(MemType::WGT, 0, 0, 1, 4, 4));
  // Both halves start free: two g2l tokens for the loader, two s2g tokens for compute.
  for (int k = 0; k < 2; ++k) p.push_back(sync(Unit::COMPUTE, Tokens{false, false, true, false}));
  for (int k = 0; k < 2; ++k) p.push_back(sync(Unit::STORE, Tokens{false, false, true, false}));
  for (int t = 0; t < tiles; ++t) {
    const int64_t h = t % 2;
    p.push_back(load(MemType::INP, h * 4, inp_dram + t * 4, 1, 4, 4, {}, Tokens{false, true, false, true}));
    p.push_back(gemm(Loop{h * 4, h * 4 + 4}, true, Tokens{true, true, false, false}));
    p.push_back(gemm(Loop{h * 4, h * 4 + 4}, false, Tokens{false, false, true, true}));
    p.push_back(store(h * 4, out_dram + t * 4, 1, 4, 4, Tokens{true, false, true, false}));
  }
  p.push_back(finish());
  return p;
}

namespace {

// One case: `program` + FINISH.
InstructionCase make(std::string name, std::vector<Insn> program, Expect expect = {}) {
  program.push_back(finish());
  return {std::move(name), std::move(program), "", std::move(expect)};
}

// INP/WGT loads run on the load unit: hand their data to compute with one l2g token.
std::vector<Insn> handoff(std::vector<Insn> loads, std::vector<Insn> compute) {
  loads.back()[Field::PUSH_NEXT] = 1;
  compute.front()[Field::POP_PREV] = 1;
  loads.insert(loads.end(), compute.begin(), compute.end());
  return loads;
}

std::vector<Uop> random_uops(std::mt19937& rng, int n, uint32_t dst_max, uint32_t src_max, uint32_t wgt_max) {
  std::vector<Uop> u(static_cast<size_t>(n));
  for (auto& x : u) x = {uint32_t(rng() % dst_max), uint32_t(rng() % src_max), uint32_t(rng() % wgt_max)};
  return u;
}

// Writes int32 `a` to ACC element 0 lane 0 and `b` to ACC element 1 lane 0 (DRAM elements 0 and 1).
void put_acc_pair(const DerivedConfig& cfg, std::vector<uint8_t>& dram, int32_t a, int32_t b) {
  std::memcpy(&dram[0], &a, 4);
  std::memcpy(&dram[size_t(4 * cfg.hw.batch * cfg.hw.block_out)], &b, 4);
}

Expect acc0_is(int32_t want, std::string what) {
  return [want, what](const Fsim& sim, const std::vector<uint8_t>&, const std::vector<uint8_t>&) {
    EXPECT_EQ(sim.acc(0)[0], want) << what;
  };
}

// ---- FsimCompute ----------------------------------------------------------------------------------

void every_alu_op(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  std::mt19937 rng{99};
  // ACC elements 0..63 hold small values (some negative), so shifts by them cover both directions.
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  for (int64_t l = 0; l < 64 * lanes; ++l) {
    const int32_t v = int32_t(rng() % 81) - 40;
    std::memcpy(&dram[size_t(l * 4)], &v, 4);
  }
  const Loop l{0, 3, 2, 3, 12, 4, 5, 1};  // dst = u.dst + 12o + 4i, src = u.src + 5o + i
  for (const NamedValue& op : alu_ops()) {
    if (op.value == int(AluOp::REQ)) continue;  // vector only, with a packed immediate: its own test
    for (bool use_imm : {false, true})
      for (int64_t imm : {int64_t{-40}, int64_t{-3}, int64_t{5}, int64_t{37}, int64_t{-32768}, int64_t{32767}}) {
        const int64_t operand = use_imm || op.value != int(AluOp::MULHR) ? imm : 7;
        visit(make(std::string(op.name) + (use_imm ? " imm " + std::to_string(imm) : " vector"),
                   {load(MemType::ACC, 64, 100, 1, 40, 40), load(MemType::ACC, 0, 0, 1, 64, 64),
                    load_uops(cfg, dram, random_uops(rng, 3, 24, 24, 1)), alu(AluOp(op.value), l, use_imm, operand)}));
        if (!use_imm) break;
      }
  }
}

void shift_amounts(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  const int32_t a = -1000;
  std::memcpy(&dram[0], &a, 4);
  struct Case {
    int64_t imm;
    int32_t want;
  } cases[] = {{0, -1000}, {3, -125}, {-2, -4000}, {31, -1}, {40, -1}, {-31, 0}, {-40, 0}};
  for (const Case& c : cases)
    visit(make("shift by " + std::to_string(c.imm),
               {load(MemType::ACC, 0, 0, 1, 1, 1), load_uops(cfg, dram, {{0, 0, 0}}), alu(AluOp::SHR, Loop{}, true, c.imm)},
               acc0_is(c.want, "shift by " + std::to_string(c.imm))));
  const int32_t one = 1;
  std::memcpy(&dram[0], &one, 4);
  // Micro-op 0 is {0, 0, 0}: left by the cases above, and what a fresh machine's zeroed SRAM holds.
  visit(make("1 shifted by -31", {load(MemType::ACC, 0, 0, 1, 1, 1), alu(AluOp::SHR, Loop{}, true, -31)},
             acc0_is(INT32_MIN, "a negative shift wraps into the sign bit")));
}

void requantizing_multiply(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  struct Case {
    int32_t a, b;
    bool imm;
    int64_t shift_or_imm;
    int32_t want;
  } cases[] = {{1000, 1 << 30, false, 0, 500},  {1001, 1 << 30, false, 0, 501},  // 500.5 rounds up
               {-1001, 1 << 30, false, 0, -500}, {-1003, 1 << 30, false, 0, -501},  // -500.5, -501.5 round up
               {1001, 1 << 30, false, 3, 63},    {-1000, 1 << 30, false, 3, -62},   // 62.5625, -62.5 (a tie)
               {INT32_MIN, INT32_MIN, false, 0, INT32_MAX}, {INT32_MIN, INT32_MAX, false, 0, -INT32_MAX},
               {INT32_MAX, INT32_MAX, false, 31, 1},  // 2^62 scale: (2^31-1)^2 / 2^62 rounds to 1
               {12345, 0, true, 16384, 6173},         {-7, 0, true, -32768, 7}};  // Q15 0.5 and -1.0
  for (const Case& c : cases) {
    put_acc_pair(cfg, dram, c.a, c.b);
    const std::string what = std::to_string(c.a) + " mulhr " + std::to_string(c.b) + " imm " + std::to_string(c.shift_or_imm);
    visit(make(what, {load(MemType::ACC, 0, 0, 1, 2, 2), load_uops(cfg, dram, {{0, 1, 0}}), alu(AluOp::MULHR, Loop{}, c.imm, c.shift_or_imm)},
               acc0_is(c.want, what)));
  }
}

void fused_requantize(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  const auto req_imm = [](int shift, bool relu, int zp) { return int64_t(int16_t(uint16_t((zp & 0xFF) << 8 | relu << 5 | shift))); };
  struct Case {
    int32_t a, b;
    int64_t imm;
    int32_t want;
  } cases[] = {{1001, 1 << 30, req_imm(3, false, 0), 63},      // 62.5625 rounds to 63
               {-1000, 1 << 30, req_imm(3, false, 5), -57},    // -62.5 rounds up to -62, + 5
               {100000, 1 << 30, req_imm(0, false, -3), 127},  // clamped high
               {-100000, 1 << 30, req_imm(0, false, 0), -128}, // clamped low
               {-40, 1 << 30, req_imm(0, true, -7), -7},       // ReLU: -20 - 7 stops at the zero point
               {-4, 1 << 30, req_imm(0, true, -128), -128}};  // -2 - 128 clamps to the type minimum
  for (const Case& c : cases) {
    put_acc_pair(cfg, dram, c.a, c.b);
    const std::string what = std::to_string(c.a) + " req imm " + std::to_string(c.imm);
    visit(make(what, {load(MemType::ACC, 0, 0, 1, 2, 2), load_uops(cfg, dram, {{0, 1, 0}}), alu(AluOp::REQ, Loop{}, false, c.imm)},
               acc0_is(c.want, what)));
  }
}

int32_t float_bits(float f) {
  int32_t b = 0;
  std::memcpy(&b, &f, 4);
  return b;
}

// REQ's float mode rounds like onnxruntime: float(a), then the binary32 product, then ties to even.
void float_requantize(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  const auto req_imm = [](bool relu, int zp) { return int64_t(int16_t(uint16_t((zp & 0xFF) << 8 | 64 | relu << 5))); };
  struct Case {
    int32_t a, b;
    int64_t imm;
    int32_t want;
  } cases[] = {{3, float_bits(0.5f), req_imm(false, 0), 2},          // 1.5 to even: 2
               {5, float_bits(0.5f), req_imm(false, 0), 2},          // 2.5 to even: 2 (fixed point: 3)
               {-5, float_bits(0.5f), req_imm(false, 0), -2},        // -2.5 to even: -2
               {7, float_bits(0.5f), req_imm(false, -3), 1},         // 3.5 to 4, + (-3)
               {10, float_bits(-0.25f), req_imm(false, 0), -2},      // a negative scale: -2.5 to -2
               {16777217, float_bits(0x1.4p-23f), req_imm(false, 0), 2},  // float(2^24 + 1) = 2^24: 2.5, not 2.50000015
               {100000, float_bits(0.01f), req_imm(false, -3), 127}, // clamped high
               {-100000, float_bits(0.01f), req_imm(false, 0), -128},// clamped low
               {INT32_MIN, float_bits(1e30f), req_imm(false, 0), -128},   // the product overflows binary32
               {-40, float_bits(0.5f), req_imm(true, -7), -7},       // ReLU stops at the zero point
               {1000, 0x7F800000, req_imm(false, 5), 5},             // +inf counts as a zero scale
               {1000, 0x7FC00000, req_imm(false, 5), 5},             // NaN too
               {1000, 0x00000001, req_imm(false, 5), 5},             // and a subnormal
               {1 << 30, float_bits(0x1p-31f), req_imm(false, 0), 0},  // exactly one half: 0
               // The product's own rounding at 24 bits ties too: 64.5 + 2^-18 goes to 64.5 (even), then to 64;
               // 65.5 - 2^-18 goes to 65.5, then to 66. Half up, or truncation, there gives 65.
               {23, float_bits(0x1.66f4ep+1f), req_imm(false, 0), 64},
               {3, float_bits(0x1.5d5554p+4f), req_imm(false, 0), 66}};
  for (const Case& c : cases) {
    put_acc_pair(cfg, dram, c.a, c.b);
    const std::string what = std::to_string(c.a) + " req float " + std::to_string(c.b) + " imm " + std::to_string(c.imm);
    visit(make(what, {load(MemType::ACC, 0, 0, 1, 2, 2), load_uops(cfg, dram, {{0, 1, 0}}), alu(AluOp::REQ, Loop{}, false, c.imm)},
               acc0_is(c.want, what)));
  }
  // Random accumulators against realistic scales (and specials) in every lane: the reference machine decides.
  std::mt19937 rng{2026};
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  for (int64_t l = 0; l < 64 * lanes; ++l) {
    const int magnitude = int(rng() % 31);
    const int32_t v = int32_t(int64_t(rng() % (uint64_t{1} << magnitude)) * (rng() % 2 ? 1 : -1));
    std::memcpy(&dram[size_t(l * 4)], &v, 4);
  }
  for (int64_t l = 0; l < 8 * lanes; ++l) {
    const uint32_t r = uint32_t(rng());
    const int32_t bits = r % 16 == 0 ? int32_t(r) : float_bits(std::ldexp(float(1 + r % 4096) / 4096.0f, -int(rng() % 24)));
    std::memcpy(&dram[size_t((64 * lanes + l) * 4)], &bits, 4);
  }
  const Loop l{0, 2, 4, 4, 16, 4, 0, 1};  // dst = u.dst + 16o + 4i, src = u.src + i (8 scale rows)
  for (int64_t imm : {req_imm(false, 0), req_imm(true, -128), req_imm(false, 77), req_imm(true, 12)})
    visit(make("random float requantization imm " + std::to_string(imm),
               {load(MemType::ACC, 0, 0, 1, 72, 72), load_uops(cfg, dram, {{0, 64, 0}, {1, 68, 0}}), alu(AluOp::REQ, l, false, imm)}));
}

// REQ's packed add is onnxruntime's QLinearAdd (AVX2): fma(a, rA, fma(b, rB, F)), one rounding per
// FMA. ACC element 0 lane 0 packs a + b * 65536 (device values), element 1 lanes 0..2 hold rA, rB, F.
void packed_add(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  const auto imm = [](bool uint8, bool relu, int zp) {
    return int64_t(int16_t(uint16_t((zp & 0xFF) << 8 | (uint8 ? 3 : 2) << 6 | relu << 5)));
  };
  struct Case {
    int32_t a, b;  // device values
    uint32_t c[3];
    int64_t imm;
    int32_t want;
    const char* why;
  } cases[] = {
      // An element of MobileNetV2's features.10 add (seed 2026) where onnxruntime's float rounding gives
      // 142 although the exact value is 141.49998 (the fixed-point add gave 141): uint8 136 + 150.
      {8, 22, {0x3f457dc4, 0x3f0e9ddd, 0xc23bed40}, imm(true, false, 3), 142 - 128, "onnxruntime's 142"},
      {86, -39, {0x3dd81280, 0x3df40c90, 0x42b225ec}, imm(false, false, 0), 94, "the inner FMA's rounding decides (one rounding: 93)"},
      {62, 61, {0x3e815886, 0x3e1d6b9d, 0x424dd67c}, imm(false, false, 0), 76, "the inner FMA's rounding decides (one rounding: 77)"},
      {-68, 95, {0x3eecbb9d, 0x3f5bfd78, 0x42929bb6}, imm(false, false, 0), 124, "fused (multiply then add: 123, exact 123.499995)"},
      {-104, -44, {0x3ef347b0, 0x3e8e12da, 0x42fe405c}, imm(false, false, 0), 66, "fused (multiply then add: 65)"},
      // The inner FMA's own tie: 1 * (1 + 2^-17) + 127.5 = 128.5 + 2^-17 lies halfway between 128.5
      // (even) and 128.5 + 2^-16, so t = 128.5 and v = 128.5 - 128 = 0.5 goes to 0 (ties away: 1).
      {-1, 1, {0x43000000, 0x3f800040, 0x42ff0000}, imm(false, false, 0), 0, "inner tie to even, down"},
      // 128.5 + 2^-16 + 2^-17 goes up to the even 128.5 + 2^-15, v = 1.5 exactly, then 2 (truncating: 1).
      {-1, 1, {0x42fe0004, 0x3f800040, 0x42ff0002}, imm(false, false, 0), 2, "inner tie to even, up"},
      {3, 2, {0x3f000000, 0x3e800000, 0}, imm(false, false, 0), 2, "1.5 + 0.5 = 2"},
      {3, 0, {0x3f000000, 0x3e800000, 0}, imm(false, false, 0), 2, "1.5 to even"},
      {5, 0, {0x3f000000, 0x3e800000, 0}, imm(false, false, 0), 2, "2.5 to even"},
      {-5, 3, {0x3f000000, 0x3e800000, 0}, imm(false, false, 0), -2, "-1.75 and a negative low half"},
      {-5, 3, {0x3f000000, 0x3e800000, 0x7f800000}, imm(false, false, 0), -2, "an infinite F counts as zero"},
      {-5, 3, {0x3f000000, 0x3e800000, 0x1f800000}, imm(false, false, 0), -2, "so does an F below 2^-63"},
      {100, 100, {0x3f800000, 0x3f800000, 0}, imm(false, false, 0), 127, "int8 saturates at 127"},
      {-100, -100, {0x3f800000, 0x3f800000, 0}, imm(false, false, 0), -128, "and at -128"},
      {100, 100, {0x3f800000, 0x3f800000, 0}, imm(true, false, 0), 127, "uint8: 228 + 228 saturates at 255"},
      {-128, -128, {0x3f800000, 0x3f800000, 0xc3800000}, imm(true, false, 0), -128, "uint8: 0 + 0 - 256 saturates at 0"},
      {-20, 4, {0x3f800000, 0x3f800000, 0}, imm(false, true, -7), -7, "ReLU stops at the zero point"}};
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  for (const Case& c : cases) {
    const int32_t packed = int32_t(uint32_t(c.a) + uint32_t(c.b) * 65536u);
    std::memcpy(&dram[0], &packed, 4);
    for (int k = 0; k < 3; ++k) std::memcpy(&dram[size_t((lanes + k) * 4)], &c.c[k], 4);
    const std::string what = std::to_string(c.a) + " qadd " + std::to_string(c.b) + ": " + c.why;
    visit(make(what, {load(MemType::ACC, 0, 0, 1, 2, 2), load_uops(cfg, dram, {{0, 1, 0}}), alu(AluOp::REQ, Loop{}, false, c.imm)},
               acc0_is(c.want, what)));
  }
  // Random packed pairs against random realistic constants, every lane: the reference machine decides.
  std::mt19937 rng{7};
  for (int64_t l = 0; l < 64 * lanes; ++l) {
    const int32_t v = rng() % 8 == 0 ? int32_t(rng()) : int32_t(uint32_t(int32_t(rng() % 256) - 128) + uint32_t(int32_t(rng() % 256) - 128) * 65536u);
    std::memcpy(&dram[size_t(l * 4)], &v, 4);
  }
  for (int64_t row = 64; row < 72; ++row)
    for (int64_t k = 0; k < lanes; ++k) {
      const float f = k == 2 ? std::ldexp(float(int32_t(rng() % (1 << 20)) - (1 << 19)), -12 - int(rng() % 8))
                             : std::ldexp(float(1 + rng() % (1 << 23)), -23 - int(rng() % 10));
      const int32_t bits = float_bits(f);
      std::memcpy(&dram[size_t((row * lanes + k) * 4)], &bits, 4);
    }
  const Loop l{0, 2, 4, 4, 16, 4, 0, 1};
  for (int64_t i : {imm(false, false, 0), imm(true, false, 5), imm(false, true, -3), imm(true, true, -128)})
    visit(make("random packed adds imm " + std::to_string(i),
               {load(MemType::ACC, 0, 0, 1, 72, 72), load_uops(cfg, dram, {{0, 64, 0}, {1, 68, 0}}), alu(AluOp::REQ, l, false, i)}));
}

void reset_addressed_accumulators(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  const Loop l{0, 2, 2, 2, 10, 3};  // dst in {u.dst + 10o + 3i}
  const Expect zeroed = [](const Fsim& sim, const std::vector<uint8_t>&, const std::vector<uint8_t>&) {
    for (int64_t d : {1, 2, 4, 5, 11, 12, 14, 15}) EXPECT_EQ(sim.acc(d)[0], 0) << d;
    EXPECT_NE(sim.acc(3)[0] | sim.acc(6)[0] | sim.acc(13)[0], 0);
  };
  for (bool use_alu : {false, true})
    visit(make(use_alu ? "ALU reset" : "GEMM reset",
               {load(MemType::ACC, 0, 0, 1, 40, 40), load_uops(cfg, dram, {{1, 0, 0}, {2, 0, 0}}), use_alu ? alu_reset(l) : gemm(l, true)},
               zeroed));
}

void two_level_uop_loops(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  std::mt19937 rng{99};
  for (const std::string& kernel : Fsim(cfg).gemm_kernels())
    for (int trial = 0; trial < 3; ++trial) {
      const Loop l{3, 3 + 7, 1 + int64_t(rng() % 3), 1 + int64_t(rng() % 4), int64_t(rng() % 9), int64_t(rng() % 5),
                   int64_t(rng() % 9), int64_t(rng() % 5), int64_t(rng() % 9), int64_t(rng() % 5)};
      const Insn uops = load_uops(cfg, dram, random_uops(rng, 7, 16, 16, 16), 3);
      InstructionCase c = make(kernel + " trial " + std::to_string(trial),
                               handoff({load(MemType::INP, 0, 0, 1, 64, 64), load(MemType::WGT, 0, 0, 1, 64, 64)},
                                       {load(MemType::ACC, 0, 0, 1, 64, 64), uops, gemm(l)}));
      c.gemm_kernel = kernel;
      visit(c);
    }
}

void tiled_matmul(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  std::mt19937 rng{99};
  const int B = cfg.hw.batch, I = cfg.hw.block_in, O = cfg.hw.block_out;
  const int MT = 3, KT = 4, NT = 2, M = MT * B, K = KT * I, N = NT * O;
  std::vector<int8_t> a(size_t(M * K)), w(size_t(N * K));
  for (auto& v : a) v = int8_t(rng());
  for (auto& v : w) v = int8_t(rng());
  // DRAM: INP element (mt, kt) = a[mt*B + b][kt*I + k]; WGT element (nt, kt) = w[nt*O + n][kt*I + k].
  for (int mt = 0; mt < MT; ++mt)
    for (int kt = 0; kt < KT; ++kt)
      for (int b = 0; b < B; ++b)
        for (int k = 0; k < I; ++k) dram[size_t(((mt * KT + kt) * B + b) * I + k)] = uint8_t(a[size_t((mt * B + b) * K + kt * I + k)]);
  const int64_t wgt_base = 4096 / cfg.wgt.elem_bytes + 1;
  for (int nt = 0; nt < NT; ++nt)
    for (int kt = 0; kt < KT; ++kt)
      for (int n = 0; n < O; ++n)
        for (int k = 0; k < I; ++k)
          dram[size_t((wgt_base + nt * KT + kt) * cfg.wgt.elem_bytes + n * I + k)] = uint8_t(w[size_t((nt * O + n) * K + kt * I + k)]);
  std::vector<Uop> uops;  // one micro-op per output tile; the inner loop walks K
  for (int mt = 0; mt < MT; ++mt)
    for (int nt = 0; nt < NT; ++nt) uops.push_back({uint32_t(mt * NT + nt), uint32_t(mt * KT), uint32_t(nt * KT)});
  const int64_t tiles = MT * NT;
  const std::vector<int32_t> c = reference::matmul_nt(a, w, M, N, K);
  visit(make("3x4x2 tiles",
             handoff({load(MemType::INP, 0, 0, 1, MT * KT, MT * KT), load(MemType::WGT, 0, wgt_base, 1, NT * KT, NT * KT)},
                     {load_uops(cfg, dram, uops), gemm(Loop{0, tiles}, true), gemm(Loop{0, tiles, 1, KT, 0, 0, 0, 1, 0, 1})}),
             [=](const Fsim& sim, const std::vector<uint8_t>&, const std::vector<uint8_t>&) {
               for (int mt = 0; mt < MT; ++mt)
                 for (int nt = 0; nt < NT; ++nt)
                   for (int b = 0; b < B; ++b)
                     for (int n = 0; n < O; ++n)
                       ASSERT_EQ(sim.acc(mt * NT + nt)[b * O + n], c[size_t((mt * B + b) * N + nt * O + n)]) << mt << nt << b << n;
               const FsimStats& s = sim.stats();
               EXPECT_EQ(s.gemm_uops, uint64_t(tiles * KT));
               EXPECT_EQ(s.gemm_reset_uops, uint64_t(tiles));
               EXPECT_EQ(s.macs, uint64_t(tiles * KT) * uint64_t(B * I * O));
             }));
}

// Depthwise GEMMs (configs with the mode; none elsewhere): groups of 1, 3, 9 and 20 taps (more taps
// than rows), unaligned sources, both loop levels, then a plain GEMM and an ALU op on the group's rows.
void depthwise_gemm(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  if (!cfg.hw.depthwise) return;
  std::mt19937 rng{2026};
  const uint32_t R = uint32_t(cfg.hw.block_out);
  for (int taps : {1, 3, 9, 20}) {
    std::vector<Uop> uops;
    const uint32_t dst = 5 + rng() % 7;
    for (int k = 0; k < taps; ++k) uops.push_back({dst, uint32_t(rng() % 40), uint32_t(rng() % 30)});
    const Loop l{2, 2 + taps, 1 + int64_t(rng() % 3), 1 + int64_t(rng() % 3), R + int64_t(rng() % 5), R + int64_t(rng() % 3),
                 int64_t(rng() % 9), int64_t(rng() % 5), int64_t(rng() % 4), int64_t(rng() % 3)};
    Insn dw = gemm(l);
    dw[Field::DEPTHWISE] = 1;
    const int64_t after = 2 + taps;  // a plain GEMM and an ALU op on rows the group just wrote
    uops.push_back({dst + 1, 3, 4});
    uops.push_back({dst + R - 1, 7, 1});
    visit(make(std::to_string(taps) + " taps",
               handoff({load(MemType::INP, 0, 0, 1, 96, 96), load(MemType::WGT, 0, 0, 1, 48, 48)},
                       {load(MemType::ACC, 0, 0, 1, 128, 128), load_uops(cfg, dram, uops, 2), dw,
                        gemm(Loop{after, after + 2}), alu(AluOp::ADD, Loop{after, after + 1}, true, 3)})));
  }
}

void alu_imm_unused_source(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  visit(make("source past ACC depth",
             {load_uops(cfg, dram, {{0, uint32_t(cfg.acc.depth - 1), 0}}), alu(AluOp::ADD, Loop{0, 1, 1, 2, 0, 1, 0, 5}, true, 7)},
             [](const Fsim& sim, const std::vector<uint8_t>&, const std::vector<uint8_t>&) { EXPECT_EQ(sim.stats().alu_uops, 2u); }));
}

// ---- FsimMemory -----------------------------------------------------------------------------------

void padded_strided_loads(const DerivedConfig&, std::vector<uint8_t>&, const Visit& visit) {
  for (MemType m : {MemType::UOP, MemType::WGT, MemType::INP, MemType::ACC, MemType::ACC_8BIT})
    // Dirty the region first so that padding zeros are observable.
    visit(make(mem_type_name(int(m)), {load(m, 0, 40, 1, 60, 60), load(m, 5, 3, 3, 4, 7, Pads{1, 2, 3, 1})}));
}

void padding_positions(const DerivedConfig& cfg, std::vector<uint8_t>&, const Visit& visit) {
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_in, row = 2 + 3 + 1;
  visit(make("INP 2x3 padded 1,1,2,1", {load(MemType::INP, 0, 100, 1, 64, 64), load(MemType::INP, 2, 9, 2, 3, 11, Pads{1, 1, 2, 1})},
             [=](const Fsim& sim, const std::vector<uint8_t>& dram, const std::vector<uint8_t>&) {
               auto is_zero = [&](int64_t e) {
                 for (int64_t l = 0; l < lanes; ++l)
                   if (sim.inp(e)[l] != 0) return false;
                 return true;
               };
               for (int64_t x = 0; x < row; ++x) EXPECT_TRUE(is_zero(2 + x)) << "y_pad_0 row, x " << x;  // leading zero row
               for (int64_t y = 0; y < 2; ++y) {
                 const int64_t r = 2 + (1 + y) * row;
                 EXPECT_TRUE(is_zero(r) && is_zero(r + 1) && is_zero(r + 5)) << "x pads of row " << y;
                 for (int64_t x = 0; x < 3; ++x)
                   for (int64_t l = 0; l < lanes; ++l)
                     ASSERT_EQ(sim.inp(r + 2 + x)[l], int8_t(dram[size_t((9 + y * 11 + x) * lanes + l)])) << y << "," << x;
               }
               for (int64_t x = 0; x < row; ++x) EXPECT_TRUE(is_zero(2 + 3 * row + x)) << "y_pad_1 row";
               EXPECT_FALSE(is_zero(2 + 4 * row)) << "the load wrote past its last pad row";
             }));
}

void acc8_sign_extension(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  const uint8_t pattern[] = {0x80, 0xff, 0x7f, 0x00, 0x01, 0xfe};
  for (int64_t l = 0; l < lanes; ++l) dram[size_t(lanes * 3 + l)] = pattern[l % 6];
  visit(make("ACC_8BIT element 3", {load(MemType::ACC_8BIT, 7, 3, 1, 1, 1)},
             [lanes](const Fsim& sim, const std::vector<uint8_t>&, const std::vector<uint8_t>&) {
               const int32_t want[] = {-128, -1, 127, 0, 1, -2};
               for (int64_t l = 0; l < lanes; ++l) EXPECT_EQ(sim.acc(7)[l], want[l % 6]) << "lane " << l;
             }));
}

void store_truncation(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  const int32_t values[] = {0x12345680, 300, -129, 127, -128, 255, int32_t(0x80000000), -1};
  for (int64_t e = 0; e < 4; ++e)
    for (int64_t l = 0; l < lanes; ++l) {
      const int32_t v = values[(e + l) % 8];
      std::memcpy(&dram[size_t((10 + e) * lanes * 4 + l * 4)], &v, 4);
    }
  // Two rows of two elements, DRAM row stride 5 elements; a g2s token orders the store after the load.
  visit(make("2x2 stride 5", {load(MemType::ACC, 0, 10, 1, 4, 4, {}, Tokens{false, false, false, true}), store(0, 1000, 2, 2, 5, Tokens{true})},
             [lanes](const Fsim&, const std::vector<uint8_t>&, const std::vector<uint8_t>& dram) {
               const uint8_t want[] = {0x80, 44, 127, 127, 0x80, 0xff, 0x00, 0xff};
               for (int64_t y = 0; y < 2; ++y)
                 for (int64_t x = 0; x < 2; ++x)
                   for (int64_t l = 0; l < lanes; ++l)
                     EXPECT_EQ(dram[size_t((1000 + y * 5 + x) * lanes + l)], want[(y * 2 + x + l) % 8]) << y << x << l;
             }));
}

// STORE OUT_TO_INP of accumulators loaded from random DRAM words (each lane's low byte lands in INP,
// strided rows between LOADed elements), then a GEMM over the copies and a STORE of its sums; the
// tokens order loads -> ACC load -> copy -> GEMM -> store. Configs with BLOCK_IN = BLOCK_OUT only.
void store_out_to_inp(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  if (cfg.hw.block_in != cfg.hw.block_out) return;
  std::mt19937 rng{31};
  for (int k = 0; k < 3; ++k) {
    const int64_t ys = 1 + int64_t(rng() % 3), xs = 1 + int64_t(rng() % 4), stride = xs + int64_t(rng() % 3);
    const int64_t d = int64_t(rng() % 16), a0 = int64_t(rng() % 8), dst = 40;
    visit(make(std::to_string(ys) + "x" + std::to_string(xs) + " stride " + std::to_string(stride) + " at " + std::to_string(d),
               {load(MemType::INP, 0, 0, 1, 40, 40),
                load(MemType::WGT, 0, 0, 1, 1, 1, {}, Tokens{false, false, false, true}),             // l2g
                load_uops(cfg, dram, {{uint32_t(dst), uint32_t(d), 0}}),
                gemm(Loop{0, 1, ys, xs, xs, 1, 0, 0, 0, 0}, true, Tokens{true}),                      // after the loads
                load(MemType::ACC, a0, 64 + int64_t(rng() % 64), 1, ys * xs, ys * xs, {}, Tokens{false, false, false, true}),
                mem(Opcode::STORE, MemType::OUT_TO_INP, a0, d, ys, xs, stride, {}, Tokens{true, false, true, false}),
                gemm(Loop{0, 1, ys, xs, xs, 1, stride, 1, 0, 0}, false, Tokens{false, true, false, true}),
                store(dst, 2000, ys, xs, xs, Tokens{true})}));
  }
}

void sync_moves_no_data(const DerivedConfig& cfg, std::vector<uint8_t>&, const Visit& visit) {
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_in;
  visit(make("x_size 0 with pads", {load(MemType::INP, 0, 0, 3, 0, 3, Pads{2, 2, 2, 2}), store(0, 0, 3, 0, 3)},
             [lanes](const Fsim& sim, const std::vector<uint8_t>& before, const std::vector<uint8_t>& after) {
               EXPECT_TRUE(after == before);
               for (int64_t l = 0; l < lanes; ++l) EXPECT_EQ(sim.inp(0)[l], 0);
               EXPECT_EQ(sim.stats().bytes_loaded[int(MemType::INP)], 0u);
               EXPECT_EQ(sim.stats().bytes_stored, 0u);
             }));
}

void load_stats(const DerivedConfig& cfg, std::vector<uint8_t>&, const Visit& visit) {
  // Tokens order the INP load before compute and compute's ACC loads before the store, which
  // overwrites the DRAM the INP load reads.
  visit(make("one of each", {load(MemType::INP, 0, 0, 2, 3, 5, Pads{1, 1, 1, 1}, Tokens{false, false, false, true}),
                             load(MemType::ACC_8BIT, 0, 0, 1, 4, 4, {}, Tokens{true}),
                             load(MemType::ACC, 0, 0, 1, 2, 2, {}, Tokens{false, false, false, true}),
                             store(0, 0, 1, 3, 3, Tokens{true})},
             [cfg](const Fsim& sim, const std::vector<uint8_t>&, const std::vector<uint8_t>&) {
               const FsimStats& s = sim.stats();
               EXPECT_EQ(s.bytes_loaded[int(MemType::INP)], uint64_t(6 * cfg.inp.elem_bytes));
               EXPECT_EQ(s.bytes_loaded[int(MemType::ACC_8BIT)], uint64_t(4 * cfg.hw.batch * cfg.hw.block_out));
               EXPECT_EQ(s.bytes_loaded[int(MemType::ACC)], uint64_t(2 * cfg.acc.elem_bytes));
               EXPECT_EQ(s.bytes_stored, uint64_t(3 * cfg.hw.batch * cfg.hw.block_out));
               EXPECT_EQ(s.insns[int(Unit::LOAD)], 1u);
               EXPECT_EQ(s.insns[int(Unit::COMPUTE)], 3u);  // ACC_8BIT, ACC loads and FINISH
               EXPECT_EQ(s.insns[int(Unit::STORE)], 1u);
             }));
}

// ---- FsimStreams and FsimTokens -------------------------------------------------------------------

template <int kTiles>
void stream(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit) {
  visit({std::to_string(kTiles) + " tiles", double_buffered_stream(cfg, dram, kTiles), "", {}});
}

void sync_tokens(const DerivedConfig&, std::vector<uint8_t>&, const Visit& visit) {
  visit({"store, load, compute, finish",
         {
             sync(Unit::STORE, Tokens{true, false, true, false}),    // 0: waits for compute, then frees it
             sync(Unit::LOAD, Tokens{false, false, false, true}),    // 1: l2g
             sync(Unit::COMPUTE, Tokens{true, false, false, true}),  // 2: l2g -> g2s
             finish(Tokens{false, true, false, false}),              // 3: waits on s2g
         },
         "",
         {}});
}

void full_token_queue_one_pop(const DerivedConfig& cfg, std::vector<uint8_t>&, const Visit& visit) {
  // One push more than the l2g queue holds; FINISH's pop on the consumer side frees a slot.
  std::vector<Insn> p(size_t(cfg.hw.token_queue_depth + 1), sync(Unit::LOAD, Tokens{false, false, false, true}));
  p.push_back(finish(Tokens{true}));
  visit({std::to_string(cfg.hw.token_queue_depth + 1) + " pushes, one pop", p, "", {}});
}

void finish_rules(const DerivedConfig&, std::vector<uint8_t>&, const Visit& visit) {
  visit(make("FINISH alone", {}));
  // Load and store work after FINISH still drains before the run ends. The store's DRAM is not what
  // the load reads: nothing orders the two units.
  visit({"FINISH first", {finish(), load(MemType::INP, 0, 0, 1, 1, 1), store(0, 1000, 1, 1, 1)}, "", {}});
}

}  // namespace

const std::vector<CaseGroup>& case_groups() {
  static const std::vector<CaseGroup> k = {
      {"FsimCompute.EveryAluOpWithImmediateAndVectorMatchesReference", every_alu_op},
      {"FsimCompute.ShiftAmountsFollowTheSpec", shift_amounts},
      {"FsimCompute.RequantizingMultiplyFollowsTheSpec", requantizing_multiply},
      {"FsimCompute.FusedRequantizeFollowsTheSpec", fused_requantize},
      {"FsimCompute.FloatRequantizeRoundsLikeOnnxruntime", float_requantize},
      {"FsimCompute.QaddMatchesOnnxruntime", packed_add},
      {"FsimCompute.ResetZeroesExactlyTheAddressedAccumulators", reset_addressed_accumulators},
      {"FsimCompute.TwoLevelUopLoopsOnEveryKernelMatchReference", two_level_uop_loops},
      {"FsimCompute.TiledMatmulEqualsPlainMatmul", tiled_matmul},
      {"FsimCompute.AluWithImmediateDoesNotCheckItsUnusedSource", alu_imm_unused_source},
      {"FsimCompute.DepthwiseGemmMatchesReference", depthwise_gemm, true},
      {"FsimMemory.PaddedStridedLoadOfEveryTypeMatchesReference", padded_strided_loads},
      {"FsimMemory.PaddingLandsWhereTheSpecSays", padding_positions},
      {"FsimMemory.Acc8BitLoadSignExtends", acc8_sign_extension},
      {"FsimMemory.StoreTruncatesToLowEightBits", store_truncation},
      {"FsimMemory.StoreOutToInpMatchesReference", store_out_to_inp},
      {"FsimMemory.SyncLoadAndStoreMoveNoData", sync_moves_no_data},
      {"FsimMemory.LoadStatsCountDramBytesPerType", load_stats},
      {"FsimStreams.DoubleBufferedStreamMatchesReferenceAndOverlaps", stream<6>},
      {"FsimStreams.SchedulingIsDeterministic", stream<5>},
      {"FsimTokens.SyncInstructionsCarryTokensAcrossAllUnits", sync_tokens},
      {"FsimTokens.PushIntoFullTokenQueueStallsAndDeadlocks", full_token_queue_one_pop},
      {"FsimTokens.FinishRules", finish_rules},
  };
  return k;
}

const CaseGroup& case_group(const std::string& name) {
  for (const CaseGroup& g : case_groups())
    if (g.name == name) return g;
  throw std::out_of_range("no instruction case group '" + name + "' in tests/fsim/instruction_cases.cc");
}

}  // namespace tessera::cases
