// Program assembly for the lowering: placement, kernel deduplication, micro-op load, token check.
#include "compiler/program_builder.h"

#include "compiler/compile_error.h"
#include "isa/tokens.h"

namespace tessera::compiler {
namespace {

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

ProgramBuilder::ProgramBuilder(const DerivedConfig& cfg, IsaTarget isa) : cfg_(cfg), isa_(isa) { p_.config = cfg.hw; }

uint64_t ProgramBuilder::reserve(uint64_t bytes, uint64_t align) {
  const uint64_t at = round_up(end_, align);
  end_ = at + bytes;
  return at;
}

uint64_t ProgramBuilder::add_constant(std::vector<uint8_t> bytes, uint64_t align) {
  const uint64_t at = reserve(bytes.size(), align);
  p_.constants.push_back({at, std::move(bytes)});
  return at;
}

int64_t ProgramBuilder::kernel(const std::vector<Uop>& uops) {
  std::vector<uint32_t> key;
  for (const Uop& u : uops) key.insert(key.end(), {u.dst, u.src, u.wgt});
  const auto it = kernels_.find(key);
  if (it != kernels_.end()) return it->second;
  const auto at = int64_t(p_.uops.size()) - seg_uop_;
  p_.uops.insert(p_.uops.end(), uops.begin(), uops.end());
  kernels_.emplace(std::move(key), at);
  return at;
}

size_t ProgramBuilder::emit(const Insn& insn, std::string note) {
  p_.insns.push_back(insn);
  notes_.push_back(std::move(note));
  return p_.insns.size() - 1;
}

std::pair<uint64_t, uint64_t> ProgramBuilder::end_segment(const std::string& what) {
  const int64_t n_uops = int64_t(p_.uops.size()) - seg_uop_;
  if (n_uops > cfg_.uop.depth)
    throw CompileError(what + ": micro-op buffer needs " + std::to_string(n_uops) + " micro-ops but has " +
                       std::to_string(cfg_.uop.depth) + " (over by " + std::to_string(n_uops - cfg_.uop.depth) +
                       "); use smaller tile_co/tile_ci or fewer virtual threads");
  if (n_uops > 0) {
    // All kernels of the segment stay resident: one load at its start (DRAM address set by finish()).
    p_.insns.insert(p_.insns.begin() + long(seg_insn_), mem_insn(Opcode::LOAD, MemType::UOP, 0, 0, 1, n_uops, n_uops));
    notes_.insert(notes_.begin() + long(seg_insn_), what + ": all micro-op kernels (" + std::to_string(n_uops) + " micro-ops)");
    segments_.push_back({seg_insn_, seg_uop_, n_uops});
  }
  if (isa_ == IsaTarget::VTA) vta_end_sync(what);
  p_.insns.push_back([] {
    Insn f;
    f[Field::OPCODE] = int64_t(Opcode::FINISH);
    return f;
  }());
  notes_.push_back(what + ": done");
  const std::vector<Insn> seg(p_.insns.begin() + long(seg_insn_), p_.insns.end());
  const auto issues = check_token_balance(seg);
  if (!issues.empty())
    throw CompileError(what + ": internal error, unbalanced tokens at instruction " +
                       std::to_string(seg_insn_ + issues[0].insn_index) + ": " + issues[0].message);
  const std::pair<uint64_t, uint64_t> range{seg_insn_, p_.insns.size()};
  seg_insn_ = p_.insns.size();
  seg_uop_ = int64_t(p_.uops.size());
  kernels_.clear();
  return range;
}

// VTA's runtime (Synchronize) pushes store->compute and load->compute, then pops both at compute
// on a NOP, then FINISH: every token pop matches the last push of its queue in a balanced segment,
// so the FINISH executes only after the last store and the last load have completed.
void ProgramBuilder::vta_end_sync(const std::string& what) {
  const auto push_from = [&](Unit unit, Field flag, Insn nop, const char* note) {
    for (size_t n = p_.insns.size(); n-- > seg_insn_;) {
      if (route(p_.insns[n]) != unit) continue;
      if (!p_.insns[n][flag]) {
        p_.insns[n][flag] = 1;
        return;
      }
      break;
    }
    nop[flag] = 1;
    emit(nop, what + ": " + note);
  };
  push_from(Unit::STORE, Field::PUSH_PREV, mem_insn(Opcode::STORE, MemType::OUT, 0, 0, 0, 0, 0),
            "end of stream: store -> compute token");
  push_from(Unit::LOAD, Field::PUSH_NEXT, mem_insn(Opcode::LOAD, MemType::INP, 0, 0, 0, 0, 0),
            "end of stream: load -> compute token");
  Insn wait = mem_insn(Opcode::LOAD, MemType::UOP, 0, 0, 0, 0, 0);
  wait[Field::POP_PREV] = wait[Field::POP_NEXT] = 1;
  emit(wait, what + ": end of stream: wait for the last load and the last store");
}

Program ProgramBuilder::finish(const std::string& what, std::vector<std::string>* notes) {
  if (seg_insn_ < p_.insns.size() || p_.insns.empty()) end_segment(what);
  const uint64_t ub = uint64_t(cfg_.uop_bytes());
  p_.uop_dram_offset = reserve(uint64_t(p_.uops.size()) * ub, ub);
  for (const Segment& s : segments_)
    p_.insns[s.uop_load_insn][Field::DRAM_BASE] = int64_t(p_.uop_dram_offset / ub) + s.uop_first;
  p_.dram_bytes = round_up(end_, 64);
  const auto prog = program_issues(p_, cfg_);
  if (!prog.empty()) throw CompileError(what + ": internal error, inconsistent program: " + prog[0].message);
  if (notes) *notes = notes_;
  return p_;
}

Insn mem_insn(Opcode op, MemType m, int64_t sram, int64_t dram, int64_t y_size, int64_t x_size, int64_t x_stride) {
  Insn i;
  i[Field::OPCODE] = int64_t(op);
  i[Field::MEMORY_TYPE] = int64_t(m);
  i[Field::SRAM_BASE] = sram;
  i[Field::DRAM_BASE] = dram;
  i[Field::Y_SIZE] = y_size;
  i[Field::X_SIZE] = x_size;
  i[Field::X_STRIDE] = x_stride;
  return i;
}

namespace {
Insn loop_insn(Opcode op, const UopLoopSpec& l) {
  Insn i;
  i[Field::OPCODE] = int64_t(op);
  i[Field::UOP_BGN] = l.uop_bgn;
  i[Field::UOP_END] = l.uop_end;
  i[Field::ITER_OUT] = l.iter_out;
  i[Field::ITER_IN] = l.iter_in;
  i[Field::DST_FACTOR_OUT] = l.dst_out;
  i[Field::DST_FACTOR_IN] = l.dst_in;
  i[Field::SRC_FACTOR_OUT] = l.src_out;
  i[Field::SRC_FACTOR_IN] = l.src_in;
  return i;
}
}  // namespace

Insn gemm_insn(const UopLoopSpec& l, bool reset) {
  Insn i = loop_insn(Opcode::GEMM, l);
  i[Field::RESET] = reset;
  i[Field::WGT_FACTOR_OUT] = l.wgt_out;
  i[Field::WGT_FACTOR_IN] = l.wgt_in;
  return i;
}

Insn alu_insn(const UopLoopSpec& l, AluOp op, bool use_imm, int64_t imm) {
  Insn i = loop_insn(Opcode::ALU, l);
  i[Field::ALU_OPCODE] = int64_t(op);
  i[Field::USE_IMM] = use_imm;
  i[Field::IMM] = imm;
  return i;
}

}  // namespace tessera::compiler
