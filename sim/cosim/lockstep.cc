// Lockstep co-simulation: replay each RTL retire through Fsim::execute() and compare what it wrote.
#include "sim/cosim/lockstep.h"

#include <cstring>
#include <set>
#include <tuple>

#include "sim/cosim/token_wiring.h"

namespace tessera {
namespace {

enum Buf { B_UOP, B_INP, B_WGT, B_ACC, kNumBufs };
const char* kBufNames[kNumBufs] = {"UOP", "INP", "WGT", "ACC"};

// What one instruction writes: SRAM elements of one buffer, or DRAM byte ranges (STORE OUT).
struct Effects {
  Buf buf = B_ACC;
  std::set<int64_t> elems;
  std::vector<std::pair<int64_t, int64_t>> dram;  // [offset, offset + bytes)
};

Effects effects_of(const DerivedConfig& cfg, const Fsim& fsim, const Insn& insn) {
  Effects fx;
  const Opcode op = insn.opcode();
  if (op == Opcode::LOAD || op == Opcode::STORE) {
    if (insn[Field::X_SIZE] == 0) return fx;
    const int m = static_cast<int>(insn[Field::MEMORY_TYPE]);
    if (op == Opcode::STORE && m == int(MemType::OUT_TO_INP)) {  // on chip: INP elements, strided as DRAM's
      fx.buf = B_INP;
      for (int64_t y = 0; y < insn[Field::Y_SIZE]; ++y)
        for (int64_t x = 0; x < insn[Field::X_SIZE]; ++x)
          fx.elems.insert(insn[Field::DRAM_BASE] + y * insn[Field::X_STRIDE] + x);
      return fx;
    }
    if (op == Opcode::STORE) {
      const int64_t eb = cfg.elem_bytes(m);
      for (int64_t y = 0; y < insn[Field::Y_SIZE]; ++y)
        for (int64_t x = 0; x < insn[Field::X_SIZE]; ++x) {
          const int64_t off = (insn[Field::DRAM_BASE] + y * insn[Field::X_STRIDE] + x) * eb;
          fx.dram.push_back({off, off + eb});
        }
      return fx;
    }
    fx.buf = m == int(MemType::UOP) ? B_UOP : m == int(MemType::INP) ? B_INP : m == int(MemType::WGT) ? B_WGT : B_ACC;
    const int64_t n = (insn[Field::Y_PAD_0] + insn[Field::Y_SIZE] + insn[Field::Y_PAD_1]) *
                      (insn[Field::X_PAD_0] + insn[Field::X_SIZE] + insn[Field::X_PAD_1]);
    for (int64_t e = 0; e < n; ++e) fx.elems.insert(insn[Field::SRAM_BASE] + e);
  } else if (op == Opcode::GEMM || op == Opcode::ALU) {
    for (int64_t o = 0; o < insn[Field::ITER_OUT]; ++o)
      for (int64_t i = 0; i < insn[Field::ITER_IN]; ++i)
        for (int64_t k = insn[Field::UOP_BGN]; k < insn[Field::UOP_END]; ++k)
          fx.elems.insert(int64_t(fsim.uop(k).dst) + o * insn[Field::DST_FACTOR_OUT] + i * insn[Field::DST_FACTOR_IN]);
  }
  return fx;
}

struct Diverged {};

class Lockstep final : public RtlObserver {
 public:
  Lockstep(const DerivedConfig& cfg, const std::vector<Insn>& prog, const std::vector<uint8_t>& dram,
           std::vector<uint8_t>& rtl_dram, const CosimOptions& opt)
      : cfg_(cfg), codec_(cfg.layout), prog_(prog), replay_(cfg), replay_dram_(dram), rtl_dram_(rtl_dram), opt_(opt) {
    paths_[B_UOP] = opt.paths.uop;
    paths_[B_INP] = opt.paths.inp;
    paths_[B_WGT] = opt.paths.wgt;
    paths_[B_ACC] = opt.paths.acc;
    for (size_t i = 0; i < prog.size(); ++i) unit_insns_[static_cast<int>(route(prog[i]))].push_back(int64_t(i));
  }

  void on_retire(uint64_t cycle, Unit unit, int64_t index, const RtlSim& rtl) override {
    const Insn& insn = prog_[size_t(index)];
    where_ = "program index " + std::to_string(index) + " (" + unit_name(unit) + " unit, " + describe(insn) +
             ", retired at cycle " + std::to_string(cycle) + ")";
    try {
      replay_.execute(insn, replay_dram_, index);
    } catch (const FsimError& e) {
      diverge(std::string("the functional simulator rejects it: ") + e.what());
    }
    ++result.checked_insns;
    check_tokens(unit, insn);
    const Effects fx = effects_of(cfg_, replay_, insn);
    std::set<int64_t> later;  // elements that in-flight successors of the same unit may have overwritten
    auto& mine = unit_insns_[static_cast<int>(unit)];
    size_t& pos = next_[static_cast<int>(unit)];
    ++pos;
    for (size_t j = pos; j < mine.size() && j < pos + size_t(opt_.overlap_window); ++j) {
      const Effects n = effects_of(cfg_, replay_, prog_[size_t(mine[j])]);
      if (n.buf == fx.buf) later.insert(n.elems.begin(), n.elems.end());
    }
    for (int64_t e : fx.elems) {
      written_[fx.buf].insert(e);
      if (!later.count(e)) compare(rtl, fx.buf, e);
    }
    for (const auto& [from, to] : fx.dram)
      for (int64_t b = from; b < to; ++b)
        if (rtl_dram_[size_t(b)] != replay_dram_[size_t(b)])
          diverge("DRAM byte offset " + std::to_string(b) + ": expected " + std::to_string(replay_dram_[size_t(b)]) +
                  ", actual " + std::to_string(rtl_dram_[size_t(b)]));
  }

  // A pop may not retire unless a push to that queue retired first, allowing for the producer's next
  // instruction, which pushes before it signals retire.
  void check_tokens(Unit unit, const Insn& insn) {
    const TokenWiring& w = token_wiring(unit);
    if (w.push_prev >= 0 && insn[Field::PUSH_PREV]) ++pushes_[size_t(w.push_prev)];
    if (w.push_next >= 0 && insn[Field::PUSH_NEXT]) ++pushes_[size_t(w.push_next)];
    for (auto [flag, q] : {std::pair{Field::POP_PREV, w.pop_prev}, std::pair{Field::POP_NEXT, w.pop_next}}) {
      if (q < 0 || !insn[flag]) continue;
      ++pops_[size_t(q)];
      int64_t slack = 0;
      for (int p = 0; p < kNumUnits; ++p) {
        const TokenWiring& pw = token_wiring(Unit(p));
        if (next_[size_t(p)] >= unit_insns_[size_t(p)].size()) continue;
        const Insn& pending = prog_[size_t(unit_insns_[size_t(p)][next_[size_t(p)]])];
        slack += (pw.push_prev == q && pending[Field::PUSH_PREV]) || (pw.push_next == q && pending[Field::PUSH_NEXT]);
      }
      if (pops_[size_t(q)] > pushes_[size_t(q)] + slack)
        diverge(std::string("pop #") + std::to_string(pops_[size_t(q)]) + " of token queue " +
                token_queue_name(TokenQueue(q)) + " retired, but only " + std::to_string(pushes_[size_t(q)]) +
                " pushes to it have retired");
    }
  }

  void check_final(const RtlSim& rtl) {
    where_ = "the final state";
    for (int b = 0; b < kNumBufs; ++b)
      for (int64_t e : written_[b]) compare(rtl, Buf(b), e);
    check_dram(replay_dram_, "the replay's DRAM");
  }

  void check_dram(const std::vector<uint8_t>& expected, const std::string& what) {
    for (size_t b = 0; b < expected.size(); ++b)
      if (expected[b] != rtl_dram_[b])
        diverge("final DRAM byte offset " + std::to_string(b) + " differs from " + what + ": expected " +
                std::to_string(expected[b]) + ", actual " + std::to_string(rtl_dram_[b]));
  }

  void diverge(const std::string& what) {
    result.ok = false;
    result.divergence = "divergence at " + where_ + ": " + what;
    throw Diverged{};
  }

  CosimResult result;
  std::string where_;

 private:
  static std::string describe(const Insn& insn) {
    const OpcodeInfo* op = find_opcode(insn[Field::OPCODE]);
    std::string s = op ? op->name : "?";
    if (op && op->format == Format::MEM) s += std::string(" ") + mem_type_name(int(insn[Field::MEMORY_TYPE]));
    return s;
  }

  // Expected bytes of element `e` of buffer `b`, laid out as the RTL stores it.
  std::vector<uint8_t> expected(Buf b, int64_t e) const {
    const int B = cfg_.hw.batch, I = cfg_.hw.block_in, O = cfg_.hw.block_out;
    switch (b) {
      case B_UOP: return std::vector<uint8_t>(size_t(codec_.uop_bytes()));  // compared field by field
      case B_INP: return {reinterpret_cast<const uint8_t*>(replay_.inp(e)), reinterpret_cast<const uint8_t*>(replay_.inp(e)) + B * I};
      case B_WGT: return {reinterpret_cast<const uint8_t*>(replay_.wgt(e)), reinterpret_cast<const uint8_t*>(replay_.wgt(e)) + O * I};
      default: {
        std::vector<uint8_t> v(size_t(B * O * 4));
        std::memcpy(v.data(), replay_.acc(e), v.size());  // int32 lanes, little-endian like the bus
        return v;
      }
    }
  }

  void compare(const RtlSim& rtl, Buf b, int64_t e) {
    ++result.checked_elements;
    const std::vector<uint8_t> want = expected(b, e);
    const std::vector<uint8_t> got = rtl.peek(paths_[b], e);
    if (got.size() < want.size())
      diverge(std::string(kBufNames[b]) + " SRAM '" + paths_[b] + "' holds " + std::to_string(got.size()) +
              " bytes per element, expected " + std::to_string(want.size()));
    if (b == B_UOP) {  // only the micro-op's fields are state; spare bits of the element are not
      const Uop w = replay_.uop(e), g = codec_.decode_uop(got.data());
      if (!(w == g))
        diverge("UOP element " + std::to_string(e) + ": expected dst/src/wgt " + std::to_string(w.dst) + "/" +
                std::to_string(w.src) + "/" + std::to_string(w.wgt) + ", actual " + std::to_string(g.dst) + "/" +
                std::to_string(g.src) + "/" + std::to_string(g.wgt));
      return;
    }
    if (std::memcmp(got.data(), want.data(), want.size()) == 0) return;
    const int lane_bytes = b == B_ACC ? 4 : 1;
    for (size_t l = 0; l < want.size(); l += size_t(lane_bytes)) {
      int64_t w = 0, g = 0;
      std::memcpy(&w, &want[l], size_t(lane_bytes));
      std::memcpy(&g, &got[l], size_t(lane_bytes));
      if (lane_bytes == 4) w = int32_t(w), g = int32_t(g);
      if (lane_bytes == 1) w = int8_t(w), g = int8_t(g);
      if (w != g)
        diverge(std::string(kBufNames[b]) + " element " + std::to_string(e) + " lane " + std::to_string(l / lane_bytes) +
                ": expected " + std::to_string(w) + ", actual " + std::to_string(g));
    }
  }

  const DerivedConfig& cfg_;
  IsaCodec codec_;
  const std::vector<Insn>& prog_;
  Fsim replay_;
  std::vector<uint8_t> replay_dram_;
  std::vector<uint8_t>& rtl_dram_;
  const CosimOptions& opt_;
  std::string paths_[kNumBufs];
  std::array<std::vector<int64_t>, kNumUnits> unit_insns_;
  std::array<size_t, kNumUnits> next_{};  // per unit: how many of its instructions retired
  std::array<int64_t, 4> pushes_{}, pops_{};
  std::array<std::set<int64_t>, kNumBufs> written_;
};

}  // namespace

CosimResult run_lockstep(RtlSim& rtl, const std::vector<Insn>& program, const std::vector<uint8_t>& dram,
                         const CosimOptions& opt) {
  const DerivedConfig& cfg = rtl.config();
  std::vector<uint8_t> rtl_dram = dram;
  Lockstep ls(cfg, program, dram, rtl_dram, opt);
  try {
    ls.result.rtl = rtl.run(program, rtl_dram, opt.rtl, &ls);
    ls.check_final(rtl);
    std::vector<uint8_t> golden = dram;
    Fsim fsim(cfg);
    ls.where_ = "the whole-run check";
    try {
      fsim.run(program, golden);
    } catch (const FsimError& e) {
      ls.diverge(std::string("Fsim::run rejects the program: ") + e.what());
    }
    ls.check_dram(golden, "Fsim::run()");
    std::array<int64_t, 4> tokens{};
    for (const Insn& insn : program) {
      const TokenWiring& w = token_wiring(route(insn));
      for (auto [flag, q, sign] : {std::tuple{Field::POP_PREV, w.pop_prev, -1}, std::tuple{Field::POP_NEXT, w.pop_next, -1},
                                   std::tuple{Field::PUSH_PREV, w.push_prev, 1}, std::tuple{Field::PUSH_NEXT, w.push_next, 1}})
        if (q >= 0) tokens[size_t(q)] += sign * insn[flag];
    }
    for (int q = 0; q < 4; ++q)
      if (tokens[size_t(q)] != int64_t(ls.result.rtl.final_tokens[size_t(q)]))
        ls.diverge(std::string("token queue ") + token_queue_name(TokenQueue(q)) + " ends with " +
                   std::to_string(ls.result.rtl.final_tokens[size_t(q)]) + " tokens, the program leaves " +
                   std::to_string(tokens[size_t(q)]));
  } catch (const Diverged&) {
  }
  return ls.result;
}

}  // namespace tessera
