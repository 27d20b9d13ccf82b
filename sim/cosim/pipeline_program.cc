// Double-buffered load -> compute -> store pipelines with random tile shapes, for co-simulation.
#include <algorithm>
#include <random>

#include "sim/cosim/random_program.h"

namespace tessera {
namespace {

struct Flags {
  bool pop_prev = false, pop_next = false, push_prev = false, push_next = false;
};
Insn flagged(Insn i, Flags f) {
  i[Field::POP_PREV] = f.pop_prev;
  i[Field::POP_NEXT] = f.pop_next;
  i[Field::PUSH_PREV] = f.push_prev;
  i[Field::PUSH_NEXT] = f.push_next;
  return i;
}
Insn mem(Opcode op, MemType m, int64_t sram, int64_t dram, int64_t y, int64_t x, int64_t stride,
         std::array<int64_t, 4> pads = {}) {
  Insn i;
  i[Field::OPCODE] = int(op);
  i[Field::MEMORY_TYPE] = int(m);
  i[Field::SRAM_BASE] = sram;
  i[Field::DRAM_BASE] = dram;
  i[Field::Y_SIZE] = y;
  i[Field::X_SIZE] = x;
  i[Field::X_STRIDE] = stride;
  i[Field::Y_PAD_0] = pads[0];
  i[Field::Y_PAD_1] = pads[1];
  i[Field::X_PAD_0] = pads[2];
  i[Field::X_PAD_1] = pads[3];
  return i;
}
Insn uop_loop(Opcode op, int64_t bgn, int64_t end, int64_t io, int64_t ii, std::array<int64_t, 6> f) {
  Insn i;
  i[Field::OPCODE] = int(op);
  i[Field::UOP_BGN] = bgn;
  i[Field::UOP_END] = end;
  i[Field::ITER_OUT] = io;
  i[Field::ITER_IN] = ii;
  const Field fields[6] = {Field::DST_FACTOR_OUT, Field::DST_FACTOR_IN, Field::SRC_FACTOR_OUT,
                           Field::SRC_FACTOR_IN,  Field::WGT_FACTOR_OUT, Field::WGT_FACTOR_IN};
  for (int k = 0; k < (op == Opcode::GEMM ? 6 : 4); ++k) i[fields[k]] = f[size_t(k)];
  return i;
}

}  // namespace

RandomProgram pipeline_program(const DerivedConfig& cfg, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const IsaCodec codec(cfg.layout);
  const int64_t src_bytes = 1 << 16, out_bytes = 1 << 14;
  RandomProgram p;
  p.dram.resize(size_t(src_bytes + out_bytes));
  for (auto& b : p.dram) b = uint8_t(rng());

  constexpr int64_t kUopSlot = 8;  // micro-ops per buffer slot: GEMM's K, then the ALU's one
  const int64_t uop_eb = cfg.elem_bytes(int(MemType::UOP));
  const int64_t tiles = pick(2, 8);
  const int64_t inp_slot = cfg.inp.depth / 2, wgt_slot = cfg.wgt.depth / 2, acc_slot = cfg.acc.depth / 2;
  // Each tile's instructions by role, emitted below in program order: one after the other, or (half
  // the programs) overlapped as the conv lowering does, tile t's epilogue beside tile t + 1's GEMMs.
  struct TileInsns {
    std::vector<Insn> loads, uop_load, gemms, alus, store;
  };
  std::vector<TileInsns> parts(static_cast<size_t>(tiles));
  for (int64_t t = 0; t < tiles; ++t) {
    TileInsns& out = parts[size_t(t)];
    const int64_t s = t % 2, M = pick(1, 4), K = pick(1, 3), N = pick(1, 3);
    const std::array<int64_t, 4> pads = {pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)};
    const int64_t W = pads[2] + K + pads[3];
    const int64_t inp_base = s * inp_slot, wgt_base = s * wgt_slot, acc_base = s * acc_slot;
    const bool more = t + 2 < tiles;  // a later tile reuses this slot and waits for the hand-back

    // Micro-ops of this tile, placed in DRAM for the compute unit's UOP load.
    const int64_t uop_dram = t * kUopSlot;
    for (int64_t k = 0; k < K; ++k) {
      const Uop u{uint32_t(acc_base), uint32_t(inp_base + pads[0] * W + pads[2] + k), uint32_t(wgt_base + k)};
      codec.encode_uop(u, &p.dram[size_t((uop_dram + k) * uop_eb)]);
    }
    const int64_t alu_src_step = pick(0, 1);  // 1: each element with itself; 0: with its row's first
    codec.encode_uop(Uop{uint32_t(acc_base), uint32_t(acc_base), 0}, &p.dram[size_t((uop_dram + K) * uop_eb)]);

    // Load unit: INP (waits for compute to free the slot) and WGT, then hand over.
    const int64_t inp_eb = cfg.elem_bytes(int(MemType::INP)), wgt_eb = cfg.elem_bytes(int(MemType::WGT));
    const int64_t inp_stride = K + pick(0, 3), wgt_stride = K + pick(0, 2);
    const int64_t inp_dram = pick(src_bytes / 2 / inp_eb, src_bytes / inp_eb - M * inp_stride);
    const int64_t wgt_dram = pick(src_bytes / 2 / wgt_eb, src_bytes / wgt_eb - N * wgt_stride);
    Flags f;
    f.pop_next = t >= 2;
    out.loads.push_back(flagged(mem(Opcode::LOAD, MemType::INP, inp_base, inp_dram, M, K, inp_stride, pads), f));
    f = {};
    f.push_next = true;
    out.loads.push_back(flagged(mem(Opcode::LOAD, MemType::WGT, wgt_base, wgt_dram, N, K, wgt_stride), f));

    // Compute: micro-ops (after the store freed this accumulator slot), reset, GEMM, ALU epilogue.
    f = {};
    f.pop_next = t >= 2;
    out.uop_load.push_back(flagged(mem(Opcode::LOAD, MemType::UOP, s * kUopSlot, uop_dram, 1, K + 1, K + 1), f));
    Insn reset = uop_loop(Opcode::GEMM, s * kUopSlot, s * kUopSlot + K, M, N, {N, 1, 0, 0, 0, 0});
    reset[Field::RESET] = 1;
    out.gemms.push_back(reset);
    f = {};
    f.pop_prev = true;
    f.push_prev = more;
    out.gemms.push_back(flagged(uop_loop(Opcode::GEMM, s * kUopSlot, s * kUopSlot + K, M, N, {N, 1, W, 0, 0, K}), f));
    const int64_t alus = pick(1, 3);
    for (int64_t a = 0; a < alus; ++a) {
      Insn alu = uop_loop(Opcode::ALU, s * kUopSlot + K, s * kUopSlot + K + 1, M, N,
                          {N, 1, N, alu_src_step, 0, 0});
      const auto op = AluOp(alu_ops()[size_t(pick(0, int64_t(alu_ops().size()) - 1))].value);
      alu[Field::ALU_OPCODE] = int64_t(op);
      alu[Field::USE_IMM] = op != AluOp::REQ && pick(0, 1);  // REQ has no immediate form
      alu[Field::IMM] = op == AluOp::SHR ? pick(-12, 12) : pick(-100, 100);
      if (op == AluOp::MULHR && !alu[Field::USE_IMM]) alu[Field::IMM] = pick(0, 31);
      if (op == AluOp::REQ) {  // every mode: 0 fixed point, 1 binary32 scale, 2/3 packed add (imm[4:0] = 0)
        const int64_t mode = pick(0, 3);
        alu[Field::IMM] = int16_t(uint16_t(pick(0, 255) << 8 | mode << 6 | pick(0, 1) << 5 | (mode == 0 ? pick(0, 31) : 0)));
      }
      f = {};
      f.push_next = a + 1 == alus;
      out.alus.push_back(flagged(alu, f));
    }

    // Store: the tile to its own DRAM rows, then hand the accumulator slot back.
    const int64_t out_eb = cfg.elem_bytes(int(MemType::OUT)), out_stride = N + pick(0, 2);
    const int64_t out_first = (src_bytes + out_eb - 1) / out_eb, out_last = (src_bytes + out_bytes) / out_eb;
    f = {};
    f.pop_prev = true;
    f.push_prev = more;
    out.store.push_back(flagged(mem(Opcode::STORE, MemType::OUT, acc_base,
                                  pick(out_first, out_last - M * out_stride), M, N, out_stride),
                              f));
  }
  const auto emit = [&](const std::vector<Insn>& v, bool overlap) {
    for (Insn i : v) {
      if (overlap) i[Field::OVERLAP] = 1;
      p.insns.push_back(i);
    }
  };
  if (pick(0, 1) == 0) {
    for (const TileInsns& x : parts)
      for (const auto* v : {&x.loads, &x.uop_load, &x.gemms, &x.alus, &x.store}) emit(*v, false);
  } else {
    // Accumulator slot t % 2 is ACC bank t % 2, so tile t's ALU ops and tile t + 1's GEMMs may run
    // side by side: the first ALU op waits for tile t's GEMMs; tile t + 1's GEMMs (flagged) release
    // only their own INP/WGT slot, the last ALU op (flagged) only tile t's store.
    emit(parts[0].loads, false), emit(parts[0].uop_load, false), emit(parts[0].gemms, false);
    for (int64_t t = 0; t < tiles; ++t) {
      const TileInsns& x = parts[size_t(t)];
      const bool next = t + 1 < tiles;
      if (next) emit(parts[size_t(t + 1)].loads, false), emit(parts[size_t(t + 1)].uop_load, false);
      emit({x.alus.front()}, false);
      if (next) emit(parts[size_t(t + 1)].gemms, true);
      emit(std::vector<Insn>(x.alus.begin() + 1, x.alus.end()), true);
      emit(x.store, false);
    }
  }
  Insn fin;
  fin[Field::OPCODE] = int(Opcode::FINISH);
  p.insns.push_back(fin);
  return p;
}

}  // namespace tessera
