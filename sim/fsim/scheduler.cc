// Fsim::run: fetch into three command queues, and VTA's pop-before/push-after dependency tokens.
//
// Model: fetch dispatches instructions in program order into the routed unit's command queue
// (command_queue_depth entries) and stalls while that queue is full. A unit takes its queue's head
// as its current instruction, waits until every token it pops is present, pops them, executes,
// then pushes each token as soon as its queue (token_queue_depth) has room; only then does it take
// the next instruction. The loop below advances fetch and each unit in a fixed order until FINISH
// has retired and everything has drained; a full pass with no progress is a deadlock.
#include <algorithm>
#include <deque>

#include "sim/fsim/fsim.h"

namespace tessera {
namespace {

// Token flags in header order, and the queue each unit attaches to them (-1: illegal for the unit).
constexpr Field kFlags[4] = {Field::POP_PREV, Field::POP_NEXT, Field::PUSH_PREV, Field::PUSH_NEXT};
constexpr bool kIsPop[4] = {true, true, false, false};
constexpr int kQueueOf[kNumUnits][4] = {
    /* load    */ {-1, int(TokenQueue::G2L), -1, int(TokenQueue::L2G)},
    /* compute */ {int(TokenQueue::L2G), int(TokenQueue::S2G), int(TokenQueue::G2L), int(TokenQueue::G2S)},
    /* store   */ {int(TokenQueue::G2S), -1, int(TokenQueue::S2G), -1},
};

std::string describe(int64_t index, const Insn& insn) {
  const OpcodeInfo* op = find_opcode(int(insn[Field::OPCODE]));
  return "instruction " + std::to_string(index) + " (" + (op ? op->name : "?") + ")";
}

// A GEMM, ALU or ACC LOAD's footprint for the overlap rule: the accumulator banks (acc_banks) its
// destinations and ALU sources fall in, and the token queues it pushes.
struct Footprint {
  int64_t index = -1;  // -1: nothing in flight
  unsigned banks = 0, pushes = 0;
  int64_t lo = 0, hi = -1;  // the index range, for messages
};

struct UnitState {
  std::deque<int64_t> queue;  // waiting instructions (program indices)
  int64_t current = -1;       // instruction taken from the queue, or -1
  bool executed = false;      // current has executed; pending_push lists its outstanding pushes
  unsigned pending_push = 0;  // bit f set: flag kFlags[f] still to push
  int waiting_flag = -1;      // pop flag the current instruction last blocked on
};

class Scheduler {
 public:
  Scheduler(Fsim& fsim, const std::vector<Insn>& program, DramSpan dram, FsimObserver* obs)
      : fsim_(fsim), prog_(program), dram_(dram), obs_(obs), hw_(fsim.config().hw),
        vta_(fsim.semantics() == Semantics::VTA) {}

  void run() {
    check_program();
    for (;;) {
      bool progress = fetch();
      for (int u = 0; u < kNumUnits; ++u) {
        progress |= step(u);
        if (finished_ && vta_) return check_nothing_lost();
      }
      if (finished_ && pc_ == int64_t(prog_.size()) && idle(Unit::LOAD) && idle(Unit::STORE)) return;
      if (!progress) throw DeadlockError(deadlock_report(), blocked_index());
    }
  }

 private:
  // Static checks, before anything executes: token flags legal per unit, FINISH present, nothing
  // routed to compute after it.
  void check_program() {
    units_.resize(prog_.size());
    int64_t finish = -1;
    for (size_t n = 0; n < prog_.size(); ++n) {
      const Insn& insn = prog_[n];
      if (!find_opcode(int(insn[Field::OPCODE])) || insn[Field::OPCODE] < 0)
        throw FsimError(describe(int64_t(n), insn) + ": opcode " + std::to_string(insn[Field::OPCODE]) +
                            " is not defined",
                        int64_t(n));
      const Unit u = route(insn);
      units_[n] = u;
      for (int f = 0; f < 4; ++f) {
        const int64_t v = insn[kFlags[f]];
        if (v != 0 && v != 1)
          throw FsimError(describe(int64_t(n), insn) + ": " + field_info(kFlags[f]).asm_name + " is " +
                              std::to_string(v) + ", not 0 or 1",
                          int64_t(n));
        if (v && kQueueOf[int(u)][f] < 0)
          throw FsimError(describe(int64_t(n), insn) + ": " + field_info(kFlags[f]).asm_name +
                              " must be 0 on the " + unit_name(u) + " unit (it has no such neighbour)",
                          int64_t(n));
      }
      const Opcode op = insn.opcode();
      if ((op == Opcode::LOAD || op == Opcode::STORE) && overlap_lane(insn) < 0 && insn[Field::OVERLAP] != 0)
        throw FsimError(describe(int64_t(n), insn) + ": overlap is " + std::to_string(insn[Field::OVERLAP]) +
                            "; only GEMM, ALU and compute LOADs of ACC/ACC_8BIT may carry it",
                        int64_t(n));
      if (u != Unit::COMPUTE) continue;
      if (finish >= 0)
        throw FsimError(describe(int64_t(n), insn) + " follows FINISH (instruction " + std::to_string(finish) +
                            ") in the compute queue",
                        int64_t(n));
      if (insn.opcode() == Opcode::FINISH) finish = int64_t(n);
    }
    if (finish < 0) throw FsimError("program of " + std::to_string(prog_.size()) + " instructions has no FINISH", -1);
  }

  // VTA semantics: done was raised when compute executed FINISH; whatever has not executed by then
  // would be lost on VTA (its fsim never runs it, its hardware may run it after the host has read
  // DRAM), so it is an error here.
  void check_nothing_lost() const {
    std::vector<int64_t> lost;
    for (const UnitState& s : state_) {
      if (s.current >= 0 && !s.executed) lost.push_back(s.current);
      lost.insert(lost.end(), s.queue.begin(), s.queue.end());
    }
    for (int64_t n = pc_; n < int64_t(prog_.size()); ++n) lost.push_back(n);
    if (lost.empty()) return;
    std::sort(lost.begin(), lost.end());
    std::string which;
    for (size_t k = 0; k < lost.size() && k < 4; ++k)
      which += (k ? ", " : "") + describe(lost[k], prog_[size_t(lost[k])]) + " on the " +
               unit_name(units_[size_t(lost[k])]) + " unit";
    if (lost.size() > 4) which += ", ...";
    throw FsimError("VTA semantics: FINISH (instruction " + std::to_string(finish_index_) +
                        ") raised done with " + std::to_string(lost.size()) + " instruction(s) not executed, which VTA "
                        "would lose: " + which + ". End the stream as VTA's runtime does: the last store pushes s2g, "
                        "the last load pushes l2g, a compute instruction pops both, then a FINISH (docs/vta.md)",
                    lost.front());
  }

  bool fetch() {
    bool progress = false;
    while (pc_ < int64_t(prog_.size())) {
      auto& q = state_[int(units_[size_t(pc_)])].queue;
      if (int64_t(q.size()) >= hw_.command_queue_depth) break;
      q.push_back(pc_++);
      progress = true;
    }
    return progress;
  }

  Footprint footprint(int64_t index, const Insn& insn) const {
    Footprint f;
    f.index = index;
    f.pushes = unsigned(insn[Field::PUSH_PREV]) | unsigned(insn[Field::PUSH_NEXT]) << 1;
    const int64_t depth = fsim_.config().acc.depth;
    if (insn.opcode() == Opcode::LOAD) {  // ACC/ACC_8BIT: every element it writes, padding included
      const int64_t n = (insn[Field::Y_PAD_0] + insn[Field::Y_SIZE] + insn[Field::Y_PAD_1]) *
                        (insn[Field::X_PAD_0] + insn[Field::X_SIZE] + insn[Field::X_PAD_1]);
      if (insn[Field::X_SIZE] == 0 || n <= 0) return f;
      f.lo = insn[Field::SRAM_BASE], f.hi = f.lo + n - 1;
      f.banks = acc_banks(f.lo, f.hi, depth);
      return f;
    }
    const int64_t bgn = insn[Field::UOP_BGN], end = insn[Field::UOP_END], out = insn[Field::ITER_OUT], in = insn[Field::ITER_IN];
    if (bgn < 0 || bgn >= end || out <= 0 || in <= 0 || end > fsim_.config().uop.depth) return f;
    const bool alu_src = insn.opcode() == Opcode::ALU && !insn[Field::USE_IMM] && !insn[Field::RESET];
    // A depthwise GEMM writes BLOCK_OUT consecutive accumulators from each destination.
    const int64_t rows = insn.opcode() == Opcode::GEMM && insn[Field::DEPTHWISE] ? fsim_.config().hw.block_out : 1;
    const int64_t reach_dst =
        (out - 1) * insn[Field::DST_FACTOR_OUT] + (in - 1) * insn[Field::DST_FACTOR_IN] + rows - 1;
    const int64_t reach_src = alu_src ? (out - 1) * insn[Field::SRC_FACTOR_OUT] + (in - 1) * insn[Field::SRC_FACTOR_IN] : 0;
    f.lo = INT64_MAX;
    for (int64_t k = bgn; k < end; ++k) {
      const Uop u = fsim_.uop(k);
      f.lo = std::min(f.lo, int64_t(u.dst));
      f.hi = std::max(f.hi, int64_t(u.dst) + reach_dst);
      if (alu_src) f.lo = std::min(f.lo, int64_t(u.src)), f.hi = std::max(f.hi, int64_t(u.src) + reach_src);
    }
    f.banks = acc_banks(f.lo, f.hi, depth);
    return f;
  }

  // The overlap rule, in compute program order: a GEMM, ALU or LOAD of ACC/ACC_8BIT (ALU work) with
  // the overlap flag may run alongside the latest instruction of the other kind since the last
  // instruction without it (any other compute instruction waits for both), so the two must touch
  // different accumulator banks and push different token queues; the RTL relies on it
  // (hw/rtl/README.md).
  void check_overlap(int64_t index, const Insn& insn) {
    const int kind = overlap_lane(insn);
    if (kind < 0 || (insn.opcode() == Opcode::LOAD && !insn[Field::OVERLAP])) {  // waits for both pipes
      running_[0] = running_[1] = {};
      return;
    }
    const Footprint f = footprint(index, insn);
    const Footprint& other = running_[1 - kind];
    if (insn[Field::OVERLAP] && other.index >= 0) {
      const auto name = [&](const Footprint& x) {
        return describe(x.index, prog_[size_t(x.index)]) + " (accumulators " + std::to_string(x.lo) + ".." +
               std::to_string(x.hi) + ")";
      };
      if (f.banks & other.banks)
        throw FsimError(name(f) + " has the overlap flag but shares an accumulator bank (half of ACC depth " +
                            std::to_string(fsim_.config().acc.depth) + ") with " + name(other) +
                            ", which may still be running",
                        index);
      if (f.pushes & other.pushes)
        throw FsimError(describe(index, insn) + " has the overlap flag but pushes the same token queue as " +
                            describe(other.index, prog_[size_t(other.index)]) + ", which may still be running",
                        index);
    }
    if (!insn[Field::OVERLAP]) running_[1 - kind] = {};
    running_[kind] = f;
  }

  // Runs unit u until it blocks or its queue empties.
  bool step(int u) {
    UnitState& s = state_[u];
    bool progress = false;
    for (;;) {
      if (s.current < 0) {
        if (s.queue.empty()) return progress;
        s.current = s.queue.front();
        s.queue.pop_front();
        progress = true;
      }
      const Insn& insn = prog_[size_t(s.current)];
      if (!s.executed) {
        for (int f = 0; f < 4; ++f)
          if (kIsPop[f] && insn[kFlags[f]] && tokens_[kQueueOf[u][f]] == 0) {
            s.waiting_flag = f;
            return progress;
          }
        for (int f = 0; f < 4; ++f)
          if (kIsPop[f] && insn[kFlags[f]]) --tokens_[kQueueOf[u][f]];
        fsim_.execute(insn, dram_, s.current);
        if (u == int(Unit::COMPUTE)) check_overlap(s.current, insn);
        if (obs_) obs_->on_retire(s.current, Unit(u), insn);
        if (insn.opcode() == Opcode::FINISH) {
          finished_ = true;
          finish_index_ = s.current;
          if (vta_) {  // VTA: done now; its pushes and everything still queued never happen
            s.executed = true;
            return true;
          }
        }
        s.executed = true;
        s.waiting_flag = -1;
        for (int f = 0; f < 4; ++f)
          if (!kIsPop[f] && insn[kFlags[f]]) s.pending_push |= 1u << f;
        progress = true;
      }
      for (int f = 0; f < 4; ++f)
        if ((s.pending_push >> f & 1) && tokens_[kQueueOf[u][f]] < hw_.token_queue_depth) {
          ++tokens_[kQueueOf[u][f]];
          s.pending_push &= ~(1u << f);
          progress = true;
        }
      if (s.pending_push) return progress;
      s.current = -1;
      s.executed = false;
    }
  }

  bool idle(Unit u) const { return state_[int(u)].current < 0 && state_[int(u)].queue.empty(); }

  int64_t blocked_index() const {
    int64_t first = pc_ < int64_t(prog_.size()) ? pc_ : -1;
    for (const UnitState& s : state_)
      if (s.current >= 0 && (first < 0 || s.current < first)) first = s.current;
    return first;
  }

  std::string deadlock_report() const {
    std::string r = "deadlock: no unit can make progress before FINISH has retired and all units drained;";
    for (int u = 0; u < kNumUnits; ++u) {
      const UnitState& s = state_[u];
      r += std::string(" ") + unit_name(Unit(u)) + " ";
      if (s.current < 0) {
        r += "is idle (command queue empty);";
        continue;
      }
      const Insn& insn = prog_[size_t(s.current)];
      if (!s.executed) {
        const int f = s.waiting_flag;
        r += std::string("waits on ") + token_queue_name(TokenQueue(kQueueOf[u][f])) + " (" +
             field_info(kFlags[f]).asm_name + ") at " + describe(s.current, insn);
      } else {
        for (int f = 0; f < 4; ++f)
          if (s.pending_push >> f & 1) {
            r += std::string("cannot push to full ") + token_queue_name(TokenQueue(kQueueOf[u][f])) + " (" +
                 field_info(kFlags[f]).asm_name + ") after " + describe(s.current, insn);
            break;
          }
      }
      r += ", " + std::to_string(s.queue.size()) + " more queued;";
    }
    if (pc_ < int64_t(prog_.size())) {
      const Unit u = units_[size_t(pc_)];
      r += " fetch stalled at " + describe(pc_, prog_[size_t(pc_)]) + " on the full " + unit_name(u) +
           " command queue (" + std::to_string(state_[int(u)].queue.size()) + "/" +
           std::to_string(hw_.command_queue_depth) + ");";
    } else {
      r += " fetch has dispatched all " + std::to_string(prog_.size()) + " instructions;";
    }
    r += std::string(" FINISH ") + (finished_ ? "retired" : "not retired") + "; tokens";
    for (int q = 0; q < 4; ++q)
      r += std::string(" ") + token_queue_name(TokenQueue(q)) + "=" + std::to_string(tokens_[q]);
    r += " (depth " + std::to_string(hw_.token_queue_depth) + ")";
    return r;
  }

  Fsim& fsim_;
  const std::vector<Insn>& prog_;
  DramSpan dram_;
  FsimObserver* obs_;
  const HwConfig& hw_;
  std::vector<Unit> units_;  // route() of every instruction
  UnitState state_[kNumUnits];
  int tokens_[4] = {0, 0, 0, 0};
  Footprint running_[2];  // compute: latest GEMM [0] and ALU [1] that may still be running
  const bool vta_;  // Semantics::VTA: FINISH ends the run when compute executes it
  int64_t pc_ = 0;  // next instruction to fetch
  bool finished_ = false;
  int64_t finish_index_ = -1;
};

}  // namespace

FsimStats Fsim::run(const std::vector<Insn>& program, std::vector<uint8_t>& dram, FsimObserver* obs) {
  return run(program, DramSpan{dram.data(), dram.size()}, obs);
}

FsimStats Fsim::run(const std::vector<Insn>& program, DramSpan dram, FsimObserver* obs) {
  Scheduler(*this, program, dram, obs).run();
  return stats_;
}

}  // namespace tessera
