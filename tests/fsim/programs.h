// Builders for hand-written fsim programs (instructions by field name, DRAM images), for tests and benches.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera::programs {

inline DerivedConfig config(const std::string& name) {
  return load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + name + ".json");
}

// Dependency-token flags of one instruction, in header order.
struct Tokens {
  bool pop_prev = false, pop_next = false, push_prev = false, push_next = false;
};

inline Insn with_tokens(Insn i, Tokens t) {
  i[Field::POP_PREV] = t.pop_prev;
  i[Field::POP_NEXT] = t.pop_next;
  i[Field::PUSH_PREV] = t.push_prev;
  i[Field::PUSH_NEXT] = t.push_next;
  return i;
}

struct Pads {
  int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0;
};

inline Insn mem(Opcode op, MemType m, int64_t sram, int64_t dram, int64_t y_size, int64_t x_size, int64_t x_stride,
                Pads p = {}, Tokens t = {}) {
  Insn i;
  i[Field::OPCODE] = int(op);
  i[Field::MEMORY_TYPE] = int(m);
  i[Field::SRAM_BASE] = sram;
  i[Field::DRAM_BASE] = dram;
  i[Field::Y_SIZE] = y_size;
  i[Field::X_SIZE] = x_size;
  i[Field::X_STRIDE] = x_stride;
  i[Field::Y_PAD_0] = p.y0;
  i[Field::Y_PAD_1] = p.y1;
  i[Field::X_PAD_0] = p.x0;
  i[Field::X_PAD_1] = p.x1;
  return with_tokens(i, t);
}
inline Insn load(MemType m, int64_t sram, int64_t dram, int64_t y, int64_t x, int64_t stride, Pads p = {},
                 Tokens t = {}) {
  return mem(Opcode::LOAD, m, sram, dram, y, x, stride, p, t);
}
inline Insn store(int64_t sram, int64_t dram, int64_t y, int64_t x, int64_t stride, Tokens t = {}) {
  return mem(Opcode::STORE, MemType::OUT, sram, dram, y, x, stride, {}, t);
}
// A token-only instruction of the given unit (x_size = 0): LOAD INP (load), LOAD UOP (compute), STORE (store).
inline Insn sync(Unit u, Tokens t) {
  if (u == Unit::STORE) return store(0, 0, 0, 0, 0, t);
  return load(u == Unit::LOAD ? MemType::INP : MemType::UOP, 0, 0, 0, 0, 0, {}, t);
}

// The micro-op loop nest shared by GEMM and ALU: two loop levels and their index factors.
struct Loop {
  int64_t bgn = 0, end = 1, iter_out = 1, iter_in = 1;
  int64_t dst_out = 0, dst_in = 0, src_out = 0, src_in = 0, wgt_out = 0, wgt_in = 0;
};

inline Insn loop_insn(Opcode op, const Loop& l, bool reset, Tokens t) {
  Insn i;
  i[Field::OPCODE] = int(op);
  i[Field::RESET] = reset;
  i[Field::UOP_BGN] = l.bgn;
  i[Field::UOP_END] = l.end;
  i[Field::ITER_OUT] = l.iter_out;
  i[Field::ITER_IN] = l.iter_in;
  i[Field::DST_FACTOR_OUT] = l.dst_out;
  i[Field::DST_FACTOR_IN] = l.dst_in;
  i[Field::SRC_FACTOR_OUT] = l.src_out;
  i[Field::SRC_FACTOR_IN] = l.src_in;
  if (op == Opcode::GEMM) {
    i[Field::WGT_FACTOR_OUT] = l.wgt_out;
    i[Field::WGT_FACTOR_IN] = l.wgt_in;
  }
  return with_tokens(i, t);
}
inline Insn gemm(const Loop& l, bool reset = false, Tokens t = {}) { return loop_insn(Opcode::GEMM, l, reset, t); }
inline Insn alu(AluOp op, const Loop& l, bool use_imm = false, int64_t imm = 0, Tokens t = {}) {
  Insn i = loop_insn(Opcode::ALU, l, false, t);
  i[Field::ALU_OPCODE] = int(op);
  i[Field::USE_IMM] = use_imm;
  i[Field::IMM] = imm;
  return i;
}
inline Insn alu_reset(const Loop& l, Tokens t = {}) { return loop_insn(Opcode::ALU, l, true, t); }
inline Insn finish(Tokens t = {}) {
  Insn i;
  i[Field::OPCODE] = int(Opcode::FINISH);
  return with_tokens(i, t);
}

// Writes encoded micro-ops at DRAM element `elem` of the UOP memory type.
inline void put_uops(std::vector<uint8_t>& dram, const DerivedConfig& cfg, int64_t elem, const std::vector<Uop>& uops) {
  const IsaCodec codec(cfg.layout);
  const int64_t eb = cfg.elem_bytes(int(MemType::UOP));
  for (size_t k = 0; k < uops.size(); ++k) codec.encode_uop(uops[k], &dram[size_t((elem + int64_t(k)) * eb)]);
}

inline void fill_random(std::vector<uint8_t>& bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  for (auto& b : bytes) b = uint8_t(rng());
}

}  // namespace tessera::programs
