// Random program generation. Vector clocks carried by the token queues decide whether a cross-unit
// access to an SRAM element is ordered; unordered candidates get a pop or are redrawn.
#include "sim/cosim/random_program.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <optional>
#include <random>

#include "sim/cosim/random_out_to_inp.h"
#include "sim/cosim/req_operand_draws.h"
#include "sim/cosim/token_wiring.h"

namespace tessera {
namespace {

using Clock = std::array<int64_t, kNumUnits>;
constexpr int kNumQueues = 4;
enum Buf { B_UOP, B_INP, B_WGT, B_ACC, kNumBufs };

struct Access {
  int unit = -1;
  int64_t seq = 0;
};
struct ElemState {
  Access write;
  std::array<int64_t, kNumUnits> read{};  // latest reading instruction of each unit (0: none)
};
struct Touch {
  Buf buf;
  int64_t elem;
  bool write;
};
constexpr int q(TokenQueue t) { return static_cast<int>(t); }
// The queue through which unit `u` learns about unit `v`'s earlier work.
int queue_from(int u, int v) {
  if (u == int(Unit::COMPUTE)) return v == int(Unit::LOAD) ? q(TokenQueue::L2G) : q(TokenQueue::S2G);
  return u == int(Unit::LOAD) ? q(TokenQueue::G2L) : q(TokenQueue::G2S);
}

// With the depthwise mode the micro-ops' sources and weights stay below these (plus loop offsets), and
// a third of the INP/WGT loads fill exactly these rows.
constexpr int64_t kDwInpRows = 256, kDwWgtRows = 64;

class Generator {
 public:
  Generator(const DerivedConfig& cfg, uint64_t seed, const RandomProgramOptions& opt)
      : cfg_(cfg), opt_(opt), codec_(cfg.layout), rng_(seed) {
    depth_[B_UOP] = cfg.uop.depth;
    depth_[B_INP] = cfg.inp.depth;
    depth_[B_WGT] = cfg.wgt.depth;
    depth_[B_ACC] = cfg.acc.depth;
    for (int b = 0; b < kNumBufs; ++b) elems_[b].resize(size_t(depth_[b]));
    uops_.resize(size_t(cfg.uop.depth));
  }

  RandomProgram make() {
    RandomProgram p;
    p.dram.resize(size_t(opt_.src_bytes + opt_.out_bytes));
    for (auto& b : p.dram) b = uint8_t(rng_());
    write_uop_area(p.dram);
    write_req_float_area(p.dram);
    write_qadd_area(p.dram);
    dram_ = &p.dram;
    const int n = int(pick(opt_.min_insns, opt_.max_insns));
    for (int i = 0; i < n; ++i) p.insns.push_back(next());
    Insn fin;
    fin[Field::OPCODE] = int(Opcode::FINISH);
    p.insns.push_back(fin);
    return p;
  }

 private:
  int64_t pick(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  // Micro-ops with small indices (room for loop factors) and deliberate back-to-back dst repeats.
  void write_uop_area(std::vector<uint8_t>& dram) {
    const int64_t eb = cfg_.elem_bytes(int(MemType::UOP));
    uop_area_ = std::min<int64_t>(cfg_.uop.depth, opt_.src_bytes / 4 / eb);
    const int64_t src_depth = std::min(cfg_.inp.depth, cfg_.acc.depth);
    std::vector<Uop> area(static_cast<size_t>(uop_area_));
    for (int64_t k = 0; k < uop_area_; ++k) {
      Uop u;
      u.dst = uint32_t(pick(0, cfg_.acc.depth / 2 - 1));
      if (k >= 2 && chance(0.3)) u.dst = area[size_t(k - pick(1, 2))].dst;  // RAW hazard on the accumulator
      u.src = uint32_t(pick(0, src_depth / 2 - 1));
      u.wgt = uint32_t(pick(0, cfg_.wgt.depth / 2 - 1));
      // With the depthwise mode: runs of micro-ops sharing dst (a depthwise GEMM's range is one group).
      if (cfg_.hw.depthwise) {
        if (k >= 1 && chance(0.75)) u.dst = area[size_t(k - 1)].dst;
        u.src %= uint32_t(std::min(src_depth / 2, kDwInpRows - cfg_.hw.block_out - 16));
        u.wgt %= uint32_t(std::min(cfg_.wgt.depth / 2, kDwWgtRows - 8));
      }
      area[size_t(k)] = u;
      codec_.encode_uop(u, &dram[size_t(k * eb)]);
    }
  }

  // REQ's float mode reads acc[src] as a binary32 scale, and random 32-bit words are mostly huge or
  // tiny floats against mostly huge accumulators: every product would saturate or round to 0. So the
  // seventh eighth of the source area (a quarter of the ACC LOADs draw from it, see load() and
  // load_req_rows()) holds ACC rows whose lanes are, half each, realistic scales and accumulators
  // made for the rounding corners; the last eighth holds the packed add's rows (write_qadd_area).
  // INP/WGT/ACC_8BIT loads still read the other three quarters as random bytes.
  void write_req_float_area(std::vector<uint8_t>& dram) {
    const int64_t eb = cfg_.elem_bytes(int(MemType::ACC));
    req_area_ = (opt_.src_bytes * 3 / 4 + eb - 1) / eb;
    qadd_area_ = (opt_.src_bytes * 7 / 8 + eb - 1) / eb;
    for (int64_t e = req_area_; e < qadd_area_; ++e)
      for (int64_t l = 0; l < eb / 4; ++l)
        ReqOperandDraws::put_word(dram, e * eb + l * 4, chance(0.5) ? req_draws_.float_scale() : req_draws_.accumulator());
  }
  // REQ's packed add: one preferred mode per program and the last eighth of the source area
  // (ReqOperandDraws::write_qadd_rows).
  void write_qadd_area(std::vector<uint8_t>& dram) {
    const int64_t eb = cfg_.elem_bytes(int(MemType::ACC));
    qadd_uint8_ = req_draws_.write_qadd_rows(dram, qadd_area_, opt_.src_bytes / eb, eb);
  }

  Insn next() {
    if (pending_req_) {  // the REQ whose operand rows the previous instruction loaded
      auto [insn, touches] = *pending_req_;
      pending_req_.reset();
      pending_uops_.clear();
      if (try_commit(int(Unit::COMPUTE), insn, touches)) return insn;
    }
    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    const int u = r < 0.3 ? int(Unit::LOAD) : r < 0.8 ? int(Unit::COMPUTE) : int(Unit::STORE);
    for (int attempt = 0; attempt < 8; ++attempt) {
      std::vector<Touch> touches;
      pending_uops_.clear();
      Insn insn = draw(u, touches);
      if (try_commit(u, insn, touches)) return insn;
      pending_req_.reset();
    }
    std::vector<Touch> none;
    pending_uops_.clear();
    Insn s = sync(u);
    try_commit(u, s, none);
    return s;
  }

  Insn sync(int u) {
    Insn i;
    i[Field::OPCODE] = int(u == int(Unit::STORE) ? Opcode::STORE : Opcode::LOAD);
    i[Field::MEMORY_TYPE] = int(u == int(Unit::STORE) ? MemType::OUT : u == int(Unit::LOAD) ? MemType::INP : MemType::UOP);
    return i;
  }

  Insn draw(int u, std::vector<Touch>& t) {
    if (u == int(Unit::LOAD)) return load(chance(0.5) ? MemType::INP : MemType::WGT, t);
    if (u == int(Unit::STORE)) return store(t);
    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (r < 0.15) return load(MemType::UOP, t);
    if (r < 0.22) return load(MemType::ACC, t);
    if (r < 0.28) return load(MemType::ACC_8BIT, t);
    if (r < 0.65) return loop(Opcode::GEMM, t);
    return loop(Opcode::ALU, t);
  }

  int64_t pad() { return chance(0.05) ? pick(0, 15) : chance(0.3) ? pick(1, 2) : 0; }

  Insn load(MemType m, std::vector<Touch>& t) {
    const SramGeometry& g = cfg_.sram(int(m));
    const int64_t eb = cfg_.elem_bytes(int(m));
    Insn i = sync(0);
    i[Field::MEMORY_TYPE] = int(m);
    if (chance(0.08)) return i;  // token-only sync
    int64_t y = chance(0.05) ? 0 : pick(1, opt_.max_rows), x = pick(1, opt_.max_cols);
    int64_t y0 = pad(), y1 = pad(), x0 = pad(), x1 = pad();
    if ((y0 + y + y1) * (x0 + x + x1) > g.depth) y0 = y1 = x0 = x1 = 0, y = 1;
    int64_t count = (y0 + y + y1) * (x0 + x + x1);
    int64_t stride = x + pick(0, 3);
    const int64_t extent = y ? (y - 1) * stride + x : 0;
    const int64_t limit = (m == MemType::UOP ? uop_area_ : opt_.src_bytes / eb) - extent;
    // A quarter of the ACC loads come from the float-mode area (write_req_float_area), a quarter from
    // the packed add's (write_qadd_area), if the rows fit there.
    const double area = std::uniform_real_distribution<double>(0, 1)(rng_);
    const int64_t first = m != MemType::ACC ? 0
                          : area < 0.25 && qadd_area_ <= limit ? qadd_area_
                          : area < 0.5 && req_area_ <= limit   ? req_area_
                                                               : 0;
    int64_t sram = pick(0, g.depth - count), dram = pick(first, std::max<int64_t>(first, limit));
    // With the depthwise mode a third of the INP/WGT loads fill the low rows the micro-ops' sources
    // and weights point to (write_uop_area), so depthwise GEMMs mostly multiply data, not zeros.
    if (cfg_.hw.depthwise && (m == MemType::INP || m == MemType::WGT) && chance(0.33)) {
      x = m == MemType::INP ? kDwInpRows : kDwWgtRows;
      y = 1, y0 = y1 = x0 = x1 = 0, sram = 0, count = x, stride = x;
      dram = pick(0, opt_.src_bytes / eb - x);
    }
    i[Field::SRAM_BASE] = sram;
    i[Field::DRAM_BASE] = dram;
    i[Field::Y_SIZE] = y;
    i[Field::X_SIZE] = x;
    i[Field::X_STRIDE] = stride;
    i[Field::Y_PAD_0] = y0;
    i[Field::Y_PAD_1] = y1;
    i[Field::X_PAD_0] = x0;
    i[Field::X_PAD_1] = x1;
    const Buf b = m == MemType::UOP ? B_UOP : m == MemType::INP ? B_INP : m == MemType::WGT ? B_WGT : B_ACC;
    for (int64_t e = 0; e < count; ++e) t.push_back({b, sram + e, true});
    if (m == MemType::UOP) {  // the generator's own view of the micro-op buffer, for in-bounds loops
      const int64_t w = x0 + x + x1;
      for (int64_t e = 0; e < count; ++e) {
        const int64_t row = e / w - y0, col = e % w - x0;
        Uop u;
        if (row >= 0 && row < y && col >= 0 && col < x)
          u = codec_.decode_uop(&(*dram_)[size_t((dram + row * stride + col) * eb)]);
        pending_uops_.push_back({sram + e, u});
      }
    }
    return i;
  }

  Insn store(std::vector<Touch>& t) {
    Insn i = sync(int(Unit::STORE));
    if (chance(0.08)) return i;
    if (out_to_inp_ && chance(0.3)) return copy_to_inp(t);
    const int64_t eb = cfg_.elem_bytes(int(MemType::OUT));
    const int64_t y = pick(1, opt_.max_rows), x = pick(1, opt_.max_cols), stride = x + pick(0, 3);
    const int64_t first = (opt_.src_bytes + eb - 1) / eb, last = (opt_.src_bytes + opt_.out_bytes) / eb;
    const int64_t sram = pick(0, cfg_.acc.depth - y * x);
    i[Field::SRAM_BASE] = sram;
    i[Field::DRAM_BASE] = pick(first, last - ((y - 1) * stride + x));
    i[Field::Y_SIZE] = y;
    i[Field::X_SIZE] = x;
    i[Field::X_STRIDE] = stride;
    for (int64_t e = 0; e < y * x; ++e) t.push_back({B_ACC, sram + e, false});
    return i;
  }

  // STORE OUT_TO_INP into the input rows the micro-ops' sources reach, half the time over the source
  // of a micro-op in the buffer, so later GEMMs read the copies.
  Insn copy_to_inp(std::vector<Touch>& t) {
    std::vector<int64_t> reads, writes;
    const int64_t reach = cfg_.hw.depthwise ? kDwInpRows : std::min(cfg_.inp.depth, cfg_.acc.depth) / 2;
    const int64_t aim = chance(0.5) ? int64_t(uops_[size_t(pick(0, cfg_.uop.depth - 1))].src) : -1;
    Insn i = draw_out_to_inp(cfg_, rng_, opt_.max_rows, opt_.max_cols, reach, aim, reads, writes);
    for (int64_t e : reads) t.push_back({B_ACC, e, false});
    for (int64_t e : writes) t.push_back({B_INP, e, true});
    return i;
  }

  // GEMM or ALU with loop factors chosen so every index stays below its SRAM depth. With the
  // depthwise mode 40% of the GEMMs are depthwise: a range of 1..24 micro-ops sharing dst (the group's
  // taps), its R destination and source rows inside their SRAMs, no reset.
  Insn loop(Opcode op, std::vector<Touch>& t) {
    const bool gemm = op == Opcode::GEMM;
    Insn i;
    i[Field::OPCODE] = int(op);
    const int64_t bgn = pick(0, cfg_.uop.depth - 1);
    int64_t end = chance(0.03) ? bgn : std::min(cfg_.uop.depth, bgn + pick(1, 4));
    const int64_t io = pick(1, opt_.max_iter), ii = pick(1, opt_.max_iter);
    bool reset = chance(gemm ? 0.15 : 0.1);
    const bool dw = gemm && cfg_.hw.depthwise && chance(0.4);
    const int64_t rows = dw ? cfg_.hw.block_out : 1;  // accumulator and input rows per index
    if (dw) {
      reset = false;
      i[Field::DEPTHWISE] = 1;
      if (end > bgn) {
        const int64_t want = pick(1, 24);
        end = bgn + 1;
        while (end < cfg_.uop.depth && end - bgn < want && uops_[size_t(end)].dst == uops_[size_t(bgn)].dst) ++end;
      }
    }
    i[Field::RESET] = reset;
    i[Field::UOP_BGN] = bgn;
    i[Field::UOP_END] = end;
    i[Field::ITER_OUT] = io;
    i[Field::ITER_IN] = ii;
    uint32_t Uop::*const fields[3] = {&Uop::dst, &Uop::src, &Uop::wgt};
    const int64_t depths[3] = {cfg_.acc.depth - (rows - 1), gemm ? cfg_.inp.depth - (rows - 1) : cfg_.acc.depth,
                               cfg_.wgt.depth};
    const Field fo[3] = {Field::DST_FACTOR_OUT, Field::SRC_FACTOR_OUT, Field::WGT_FACTOR_OUT};
    const Field fi[3] = {Field::DST_FACTOR_IN, Field::SRC_FACTOR_IN, Field::WGT_FACTOR_IN};
    int64_t f[3][2] = {};
    for (int k = 0; k < (gemm ? 3 : 2); ++k) {
      uint32_t top = 0;
      for (int64_t j = bgn; j < end; ++j) top = std::max(top, uops_[size_t(j)].*fields[k]);
      int64_t budget = depths[k] - 1 - int64_t(top);
      if (budget < 0) return sync(int(Unit::COMPUTE));  // cannot happen with the generated micro-ops
      f[k][0] = io > 1 ? pick(0, std::min<int64_t>(8, budget / 2 / (io - 1))) : pick(0, 3);
      budget -= io > 1 ? f[k][0] * (io - 1) : 0;
      f[k][1] = ii > 1 ? pick(0, std::min<int64_t>(8, budget / (ii - 1))) : pick(0, 3);
      i[fo[k]] = f[k][0];
      i[fi[k]] = f[k][1];
    }
    if (!gemm) {
      const auto op = AluOp(alu_ops()[size_t(pick(0, int64_t(alu_ops().size()) - 1))].value);
      i[Field::ALU_OPCODE] = int64_t(op);
      i[Field::USE_IMM] = op != AluOp::REQ && chance(0.5);  // REQ has no immediate form
      const bool shift = op == AluOp::SHR;
      i[Field::IMM] = chance(0.7) ? pick(shift ? -40 : -300, shift ? 40 : 300) : pick(-32768, 32767);
      // The extension ops' immediates are a shift (MULHR vector form) or shift/ReLU/zero point (REQ):
      // a third of the REQs in fixed-point mode, a third in float mode (imm[7:6] = 1), a third packed
      // adds (2 int8, 3 uint8, the program's preferred one 3 times in 4); modes 1..3 take no shift.
      if (op == AluOp::MULHR && !i[Field::USE_IMM]) i[Field::IMM] = pick(0, 31);
      if (op == AluOp::REQ) {
        const int64_t mode = pick(0, 2) < 2 ? pick(0, 1) : 2 + (chance(0.75) ? qadd_uint8_ : !qadd_uint8_);
        i[Field::IMM] = int16_t(uint16_t(pick(0, 255) << 8 | mode << 6 | pick(0, 1) << 5 | (mode ? 0 : pick(0, 31))));
      }
    }
    for (int64_t o = 0; o < io; ++o)
      for (int64_t n = 0; n < ii; ++n)
        for (int64_t j = bgn; j < end; ++j) {
          const Uop& u = uops_[size_t(j)];
          for (int64_t r = 0; r < rows; ++r) t.push_back({B_ACC, int64_t(u.dst) + o * f[0][0] + n * f[0][1] + r, true});
          if (reset) continue;
          const int64_t s = int64_t(u.src) + o * f[1][0] + n * f[1][1];
          if (gemm) {
            for (int64_t r = 0; r < rows; ++r) t.push_back({B_INP, s + r, false});
            t.push_back({B_WGT, int64_t(u.wgt) + o * f[2][0] + n * f[2][1], false});
          } else if (!i[Field::USE_IMM]) {
            t.push_back({B_ACC, s, false});
          }
        }
    const int64_t req_mode = uint16_t(i[Field::IMM]) >> 6 & 3;
    if (!gemm && !reset && i[Field::ALU_OPCODE] == int64_t(AluOp::REQ) && req_mode != 0 && chance(0.75))
      return req_mode == 1 ? load_req_rows(i, t, req_area_, qadd_area_) : load_req_rows(i, t, qadd_area_, opt_.src_bytes / cfg_.elem_bytes(int(MemType::ACC)));
    return i;
  }

  // Most accumulator rows hold GEMM sums, sign-extended bytes or zeros: as binary32 scales, zeros and
  // subnormals (or NaNs), so a float REQ or packed add would almost always see zero constants.
  // Instead of it, this returns a LOAD ACC of rows [first, end) of the float or packed-add area
  // (write_req_float_area, write_qadd_area) over its operand rows (often also its destination
  // rows), and the next instruction is the REQ itself (next()).
  Insn load_req_rows(const Insn& req, std::vector<Touch>& t, int64_t first, int64_t end) {
    int64_t lo[2] = {cfg_.acc.depth, cfg_.acc.depth}, hi[2] = {-1, -1};  // [0] src rows, [1] src and dst
    for (const Touch& tc : t)
      for (int k = tc.write ? 1 : 0; k < 2; ++k) lo[k] = std::min(lo[k], tc.elem), hi[k] = std::max(hi[k], tc.elem);
    const int64_t area = end - first;
    const int k = hi[1] - lo[1] < 32 && chance(0.6) ? 1 : 0;
    if (hi[k] < 0 || area < 1) return req;
    const int64_t x = std::min({hi[k] - lo[k] + 1, area, int64_t{32}});
    pending_req_ = {req, t};
    t.clear();
    Insn i = sync(int(Unit::COMPUTE));
    i[Field::MEMORY_TYPE] = int(MemType::ACC);
    i[Field::SRAM_BASE] = lo[k];
    i[Field::DRAM_BASE] = first + pick(0, area - x);
    i[Field::Y_SIZE] = 1;
    i[Field::X_SIZE] = x;
    i[Field::X_STRIDE] = x;
    for (int64_t e = 0; e < x; ++e) t.push_back({B_ACC, lo[k] + e, true});
    return i;
  }

  // Finds the earliest other unit whose access to a touched element this unit is not yet ordered after.
  int conflict(int u, const Clock& c, const std::vector<Touch>& touches) const {
    for (const Touch& t : touches) {
      const ElemState& e = elems_[t.buf][size_t(t.elem)];
      if (e.write.unit >= 0 && e.write.unit != u && c[size_t(e.write.unit)] < e.write.seq) return e.write.unit;
      if (t.write)
        for (int v = 0; v < kNumUnits; ++v)
          if (v != u && e.read[size_t(v)] > c[size_t(v)]) return v;
    }
    return -1;
  }

  bool try_commit(int u, Insn& insn, const std::vector<Touch>& touches) {
    const TokenWiring& w = token_wiring(Unit(u));
    std::array<bool, kNumQueues> pop{};
    for (int qq : {w.pop_prev, w.pop_next})
      if (qq >= 0 && !queues_[size_t(qq)].empty() && chance(0.3)) pop[size_t(qq)] = true;
    auto clock_after = [&] {
      Clock c = clocks_[size_t(u)];
      for (int qq = 0; qq < kNumQueues; ++qq)
        if (pop[size_t(qq)])
          for (int v = 0; v < kNumUnits; ++v) c[size_t(v)] = std::max(c[size_t(v)], queues_[size_t(qq)].front()[size_t(v)]);
      return c;
    };
    for (int v; (v = conflict(u, clock_after(), touches)) >= 0;) {
      const int need = queue_from(u, v);
      if (pop[size_t(need)] || queues_[size_t(need)].empty()) return false;
      pop[size_t(need)] = true;
    }
    Clock c = clock_after();
    for (int qq = 0; qq < kNumQueues; ++qq)
      if (pop[size_t(qq)]) queues_[size_t(qq)].pop_front();
    const int64_t seq = ++c[size_t(u)];
    clocks_[size_t(u)] = c;
    for (const Touch& t : touches) {
      ElemState& e = elems_[t.buf][size_t(t.elem)];
      if (t.write) e.write = {u, seq};
      else e.read[size_t(u)] = seq;
    }
    for (const auto& [idx, uop] : pending_uops_) uops_[size_t(idx)] = uop;
    pending_uops_.clear();
    insn[Field::POP_PREV] = w.pop_prev >= 0 && pop[size_t(w.pop_prev)];
    insn[Field::POP_NEXT] = w.pop_next >= 0 && pop[size_t(w.pop_next)];
    for (auto [flag, qq] : {std::pair{Field::PUSH_PREV, w.push_prev}, std::pair{Field::PUSH_NEXT, w.push_next}}) {
      const bool push = qq >= 0 && int(queues_[size_t(qq)].size()) < cfg_.hw.token_queue_depth && chance(0.5);
      insn[flag] = push;
      if (push) queues_[size_t(qq)].push_back(c);
    }
    if (u == int(Unit::COMPUTE)) maybe_overlap(insn, touches);
    return true;
  }

  // The overlap flag on half the GEMM/ALU/ACC-load instructions the fsim's rule allows: different accumulator
  // banks than the latest instruction of the other kind since the last unflagged one. Only on
  // instructions without pushes: a flagged instruction's push could release another unit before that
  // other instruction is done, and this generator orders units by program order alone.
  void maybe_overlap(Insn& insn, const std::vector<Touch>& touches) {
    const int lane = overlap_lane(insn);
    if (lane < 0) {
      running_banks_[0] = running_banks_[1] = 0;
      return;
    }
    int64_t lo = cfg_.acc.depth, hi = -1;
    for (const Touch& t : touches)
      if (t.buf == B_ACC) lo = std::min(lo, t.elem), hi = std::max(hi, t.elem);
    const unsigned banks = acc_banks(lo, hi, cfg_.acc.depth);
    const bool legal = !insn[Field::PUSH_PREV] && !insn[Field::PUSH_NEXT] && !(banks & running_banks_[1 - lane]);
    insn[Field::OVERLAP] = legal && chance(0.5);
    if (!insn[Field::OVERLAP] && insn.opcode() == Opcode::LOAD) {  // an unflagged LOAD waits for both pipes
      running_banks_[0] = running_banks_[1] = 0;
      return;
    }
    if (!insn[Field::OVERLAP]) running_banks_[1 - lane] = 0;
    running_banks_[lane] = banks;
  }

  const DerivedConfig& cfg_;
  RandomProgramOptions opt_;
  IsaCodec codec_;
  std::mt19937_64 rng_;
  ReqOperandDraws req_draws_{rng_};
  std::vector<uint8_t>* dram_ = nullptr;
  int64_t uop_area_ = 0;
  int64_t req_area_ = 0;   // first ACC element of the float-mode area
  int64_t qadd_area_ = 0;  // first ACC element of the packed-add area (the float area ends there)
  bool qadd_uint8_ = false;  // the program's preferred packed-add mode (3, else 2)
  bool out_to_inp_ = out_to_inp_allowed(cfg_);  // 30% of the data STOREs copy into the input SRAM
  std::optional<std::pair<Insn, std::vector<Touch>>> pending_req_;  // a float/packed-add REQ after its LOAD ACC
  std::array<int64_t, kNumBufs> depth_{};
  std::array<std::vector<ElemState>, kNumBufs> elems_;
  std::vector<Uop> uops_;
  std::vector<std::pair<int64_t, Uop>> pending_uops_;
  std::array<Clock, kNumUnits> clocks_{};
  std::array<std::deque<Clock>, kNumQueues> queues_;
  std::array<unsigned, 2> running_banks_{};  // ACC banks of the latest GEMM [0] and ALU [1] that may still run
};

}  // namespace

RandomProgram random_program(const DerivedConfig& cfg, uint64_t seed, const RandomProgramOptions& opt) {
  return Generator(cfg, seed, opt).make();
}

}  // namespace tessera
