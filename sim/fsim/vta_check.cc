// vta_stream_issues: VTA's encodings and VTA's end-of-stream convention, checked statically.
#include "sim/fsim/vta_check.h"

#include "isa/tokens.h"

namespace tessera {
namespace {

void check_run(const std::vector<Insn>& insns, size_t begin, size_t finish, std::vector<VtaIssue>& out) {
  const std::vector<Insn> run(insns.begin() + long(begin), insns.begin() + long(finish) + 1);
  for (const TokenIssue& t : check_token_balance(run))
    out.push_back({int64_t(begin) + t.insn_index, "tokens: " + t.message});
  const Insn& f = insns[finish];
  if (f[Field::POP_PREV] || f[Field::POP_NEXT] || f[Field::PUSH_PREV] || f[Field::PUSH_NEXT])
    out.push_back({int64_t(finish), "FINISH carries token flags; VTA's runtime ends a stream with a FINISH that pops "
                                    "and pushes nothing, after a compute instruction that pops l2g and s2g"});
  int64_t last[kNumUnits] = {-1, -1, -1};
  for (size_t n = begin; n < finish; ++n) last[int(route(insns[n]))] = int64_t(n);
  const int64_t c = last[int(Unit::COMPUTE)];
  if (c < 0 || !insns[size_t(c)][Field::POP_PREV] || !insns[size_t(c)][Field::POP_NEXT])
    out.push_back({int64_t(finish),
                   "FINISH is not preceded by a compute instruction popping l2g and s2g: VTA raises done when "
                   "compute executes FINISH, so loads and stores still queued would be lost"});
  const int64_t l = last[int(Unit::LOAD)], s = last[int(Unit::STORE)];
  if (l < 0 || !insns[size_t(l)][Field::PUSH_NEXT])
    out.push_back({l < 0 ? int64_t(finish) : l, "the last load-unit instruction before FINISH does not push l2g"});
  if (s < 0 || !insns[size_t(s)][Field::PUSH_PREV])
    out.push_back({s < 0 ? int64_t(finish) : s, "the last store-unit instruction before FINISH does not push s2g"});
}

}  // namespace

std::vector<VtaIssue> vta_stream_issues(const std::vector<Insn>& insns, const DerivedConfig& cfg) {
  std::vector<VtaIssue> out;
  if (cfg.layout.insn_bits != 128 || cfg.layout.uop_bits != 32)
    out.push_back({-1, "config '" + cfg.hw.name + "' encodes " + std::to_string(cfg.layout.insn_bits) +
                           "-bit instructions and " + std::to_string(cfg.layout.uop_bits) +
                           "-bit micro-ops; VTA's are 128 and 32 bits"});
  size_t begin = 0;
  for (size_t n = 0; n < insns.size(); ++n) {
    const Insn& in = insns[n];
    if (in.opcode() == Opcode::ALU) {
      const int64_t op = in[Field::ALU_OPCODE];
      if (op < 0 || size_t(op) >= alu_ops().size() || alu_ops()[size_t(op)].extension)
        out.push_back({int64_t(n), "ALU operation " + std::string(alu_op_name(int(op)) ? alu_op_name(int(op)) : "?") +
                                       " is not VTA's (a tessera extension)"});
      if (in[Field::RESET])
        out.push_back({int64_t(n), "ALU reset: VTA implements reset on GEMM only; its ALU ignores the bit"});
    }
    if (in.opcode() != Opcode::FINISH && in[Field::OVERLAP])
      out.push_back({int64_t(n), "overlap flag: a tessera extension in a bit VTA leaves unused (VTA runs GEMM and ALU "
                                 "instructions one at a time)"});
    if (in.opcode() == Opcode::STORE && in[Field::MEMORY_TYPE] == int64_t(MemType::OUT_TO_INP))
      out.push_back({int64_t(n), "STORE OUT_TO_INP: a tessera extension (VTA stores only to DRAM)"});
    if (in.opcode() == Opcode::GEMM && in[Field::DEPTHWISE])
      out.push_back({int64_t(n), "depthwise GEMM: a tessera extension (VTA's GEMM core only reduces)"});
    if (in.opcode() == Opcode::FINISH) {
      check_run(insns, begin, n, out);
      begin = n + 1;
    }
  }
  if (begin != insns.size() || insns.empty())
    out.push_back({int64_t(insns.size()) - 1, "the stream does not end with FINISH"});
  return out;
}

}  // namespace tessera
