// Checks shared by the exec functions: error messages, DRAM element bounds, micro-op loop bounds.
#include <algorithm>

#include "sim/fsim/exec.h"

namespace tessera {

void ExecContext::fail(const std::string& what, const std::string& why) const {
  const OpcodeInfo* op = find_opcode(int(insn[Field::OPCODE]));
  throw FsimError("instruction " + std::to_string(index) + " (" + (op ? op->name : "?") + ", " +
                      unit_name(route(insn)) + " unit): " + what + ": " + why,
                  index);
}

int64_t ExecContext::dram_offset(int64_t elem, int64_t elem_bytes, const char* field) const {
  const int64_t off = elem * elem_bytes;
  if (elem < 0 || off + elem_bytes > int64_t(dram.size()))
    fail(field, "DRAM element " + std::to_string(elem) + " (bytes " + std::to_string(off) + ".." +
                    std::to_string(off + elem_bytes - 1) + ") is outside the " + std::to_string(dram.size()) +
                    "-byte DRAM");
  return off;
}

UopLoop read_uop_loop(const ExecContext& x) {
  const Insn& in = x.insn;
  const bool gemm = in.opcode() == Opcode::GEMM;
  const UopLoop l{in[Field::UOP_BGN],        in[Field::UOP_END],       in[Field::ITER_OUT],
                  in[Field::ITER_IN],        in[Field::DST_FACTOR_OUT], in[Field::DST_FACTOR_IN],
                  in[Field::SRC_FACTOR_OUT], in[Field::SRC_FACTOR_IN],  gemm ? in[Field::WGT_FACTOR_OUT] : 0,
                  gemm ? in[Field::WGT_FACTOR_IN] : 0};
  if (l.uop_bgn > l.uop_end)
    x.fail("uop_bgn", std::to_string(l.uop_bgn) + " is past uop_end " + std::to_string(l.uop_end));
  if (l.uop_end > x.cfg.uop.depth)
    x.fail("uop_end", std::to_string(l.uop_end) + " is past the UOP depth " + std::to_string(x.cfg.uop.depth));
  return l;
}

void check_uop_operands(const ExecContext& x, const UopLoop& l, std::initializer_list<UopOperand> ops) {
  if (l.uop_bgn == l.uop_end || l.iter_out == 0 || l.iter_in == 0) return;
  const Uop* u = x.sram.uop.data();
  for (const UopOperand& op : ops) {
    // Factors are unsigned, so the largest index is the largest micro-op field at the last iteration.
    uint32_t top = 0;
    for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) top = std::max(top, u[k].*op.member);
    if (int64_t(top) + (l.iter_out - 1) * op.f_out + (l.iter_in - 1) * op.f_in < op.depth) continue;
    for (int64_t o = 0; o < l.iter_out; ++o)
      for (int64_t i = 0; i < l.iter_in; ++i)
        for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) {
          const int64_t idx = int64_t(u[k].*op.member) + o * op.f_out + i * op.f_in;
          if (idx >= op.depth)
            x.fail("micro-op " + std::to_string(k) + " field " + op.field,
                   "index " + std::to_string(idx) + " (o=" + std::to_string(o) + ", i=" + std::to_string(i) +
                       ") is past the " + op.sram + " depth " + std::to_string(op.depth));
        }
  }
}

void reset_accumulators(const UopLoop& l, FsimSram& s) {
  for (int64_t o = 0; o < l.iter_out; ++o)
    for (int64_t i = 0; i < l.iter_in; ++i)
      for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) {
        const int64_t d = s.uop[size_t(k)].dst + o * l.dst_out + i * l.dst_in;
        std::fill_n(&s.acc[size_t(d * s.acc_lanes)], s.acc_lanes, 0);
      }
}

}  // namespace tessera
