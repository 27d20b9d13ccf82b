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
//
// With the depthwise flag (configs with gemm.depthwise; BLOCK_IN = BLOCK_OUT = R):
//
//   for o < iter_out: for i < iter_in:
//     sum[r][b][n] = 0
//     for k in [uop_bgn, uop_end): for r < R: for b < BATCH: for n < R:
//       sum[r][b][n] += inp[s_k + r][b][n] * wgt[w_k / R][w_k % R][n]    // w_k counts weight rows
//     acc[d_bgn + r][b][n] += sum[r][b][n]                    // int32, wrapping
//
// Every micro-op of the range shares d (the range is one output group, the micro-ops its taps), the
// R elements from s_k and from d stay inside their SRAMs, and reset must be 0. Addressing weight rows
// lets one WGT element carry R taps of a channel block, so depthwise weights move without padding.
namespace {

void exec_gemm_depthwise(const ExecContext& x, const UopLoop& l) {
  FsimSram& s = x.sram;
  const int64_t R = x.cfg.hw.block_out, B = x.cfg.hw.batch;
  if (x.insn[Field::RESET]) x.fail("reset", "a depthwise GEMM accumulates; clear with a GEMM without the flag");
  if (l.uop_bgn == l.uop_end || l.iter_out == 0 || l.iter_in == 0) return;
  const Uop* u = s.uop.data();
  for (int64_t k = l.uop_bgn + 1; k < l.uop_end; ++k)
    if (u[k].dst != u[l.uop_bgn].dst)
      x.fail("micro-op " + std::to_string(k) + " field dst",
             std::to_string(u[k].dst) + " differs from the range's first destination " +
                 std::to_string(u[l.uop_bgn].dst) + " (a depthwise range is one output group)");
  // The last of the R elements must be inside the SRAM: check with the depth reduced by R - 1.
  check_uop_operands(x, l,
                     {{"dst", &Uop::dst, l.dst_out, l.dst_in, "ACC (less the R - 1 rows of the group)",
                       x.cfg.acc.depth - (R - 1)},
                      {"src", &Uop::src, l.src_out, l.src_in, "INP (less the R - 1 rows read with it)",
                       x.cfg.inp.depth - (R - 1)},
                      {"wgt", &Uop::wgt, l.wgt_out, l.wgt_in, "WGT rows addressable (the first WGT depth)", x.cfg.wgt.depth}});
  std::vector<int32_t> sum(size_t(R * B * R));
  for (int64_t o = 0; o < l.iter_out; ++o)
    for (int64_t i = 0; i < l.iter_in; ++i) {
      std::fill(sum.begin(), sum.end(), 0);
      for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) {
        const int64_t src = u[k].src + o * l.src_out + i * l.src_in, w = u[k].wgt + o * l.wgt_out + i * l.wgt_in;
        const int8_t* wt = &s.wgt[size_t((w / R) * s.wgt_lanes + (w % R) * R)];  // the tap's row
        for (int64_t r = 0; r < R; ++r) {
          const int8_t* in = &s.inp[size_t((src + r) * s.inp_lanes)];
          for (int64_t b = 0; b < B; ++b)
            for (int64_t n = 0; n < R; ++n)
              sum[size_t((r * B + b) * R + n)] += int32_t(in[b * R + n]) * int32_t(wt[n]);
        }
      }
      const int64_t d = u[l.uop_bgn].dst + o * l.dst_out + i * l.dst_in;
      for (int64_t r = 0; r < R; ++r) {
        int32_t* acc = &s.acc[size_t((d + r) * s.acc_lanes)];
        for (int64_t e = 0; e < B * R; ++e) acc[e] = int32_t(uint32_t(acc[e]) + uint32_t(sum[size_t(r * B * R + e)]));
      }
    }
  const uint64_t n = uint64_t(l.iter_out * l.iter_in * (l.uop_end - l.uop_bgn));
  x.stats.gemm_uops += n;
  x.stats.macs += n * uint64_t(B) * uint64_t(R) * uint64_t(R);
}

}  // namespace

void exec_gemm(const ExecContext& x) {
  const UopLoop l = read_uop_loop(x);
  if (x.insn[Field::DEPTHWISE]) return exec_gemm_depthwise(x, l);
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
