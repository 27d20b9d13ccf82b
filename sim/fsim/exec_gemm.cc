// GEMM: micro-op driven BATCH x BLOCK_IN x BLOCK_OUT multiply-accumulate into the ACC SRAM.
#include "sim/fsim/exec.h"

namespace tessera {

// GEMM semantics:
//
//   for o < iter_out: for i < iter_in: for k in [uop_bgn, uop_end):
//     u = uop[k]
//     d = u.dst + o * dst_factor_out + i * dst_factor_in      // ACC index
//     s = u.src + o * src_factor_out + i * src_factor_in      // INP index
//     w = u.wgt + o * wgt_factor_out + i * wgt_factor_in      // WGT index
//     if reset: acc[d][b][n] = 0 for all b < BATCH, n < BLOCK_OUT
//     else: for b < BATCH: for n < BLOCK_OUT:
//       acc[d][b][n] += sum(inp[s][b][j] * wgt[w][n][j] for j < BLOCK_IN)   // int32, wrapping
//
// uop_bgn <= uop_end <= UOP depth, and every d, s, w below its SRAM depth (checked before any write;
// the error names the first offending micro-op in loop order). Reset reads neither s nor w.
void exec_gemm(const ExecContext& x) {
  const UopLoop l = read_uop_loop(x);
  const UopOperand dst{"dst", &Uop::dst, l.dst_out, l.dst_in, "ACC", x.cfg.acc.depth};
  const uint64_t n = uint64_t(l.iter_out * l.iter_in * (l.uop_end - l.uop_bgn));
  FsimSram& s = x.sram;
  if (x.insn[Field::RESET]) {
    check_uop_operands(x, l, {dst});
    reset_accumulators(l, s);
    x.stats.gemm_reset_uops += n;
    return;
  }
  check_uop_operands(x, l,
                     {dst,
                      {"src", &Uop::src, l.src_out, l.src_in, "INP", x.cfg.inp.depth},
                      {"wgt", &Uop::wgt, l.wgt_out, l.wgt_in, "WGT", x.cfg.wgt.depth}});
  s.gemm.run(l, s);
  x.stats.gemm_uops += n;
  x.stats.macs += n * uint64_t(s.batch) * uint64_t(s.block_in) * uint64_t(s.block_out);
}

}  // namespace tessera
