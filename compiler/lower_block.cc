// Fused block lowering: per output tile and chunk of expanded channels, expand -> depthwise ->
// project on chip, every hazard between the three units stated as a dependency (TokenLinks).
#include "compiler/lower_block.h"

#include <algorithm>
#include <functional>

#include "compiler/compile_error.h"
#include "compiler/lower_conv.h"
#include "compiler/requant.h"
#include "compiler/token_links.h"

namespace tessera::compiler {
namespace {

std::string range(int64_t a, int64_t n) { return std::to_string(a) + ".." + std::to_string(a + n - 1); }

// One conv of the block with its packed constants placed in DRAM (element indices).
struct Stage {
  const Layer* layer = nullptr;
  ConvGeometry g;
  RequantPlan q;
  int64_t wgt_dram = 0, bias_dram = 0, mult_dram = 0;
};

Stage place_stage(const Layer& l, const ConvGeometry& g, ProgramBuilder& b) {
  const DerivedConfig& cfg = b.cfg();
  Stage st;
  st.layer = &l, st.g = g, st.q = plan_requant(l, g, IsaTarget::TESSERA);
  const int64_t wgt_eb = cfg.elem_bytes(int(MemType::WGT)), acc_eb = cfg.elem_bytes(int(MemType::ACC));
  st.wgt_dram = int64_t(b.add_constant(pack_conv_weights(l, g, cfg), uint64_t(wgt_eb))) / wgt_eb;
  st.bias_dram = int64_t(b.add_constant(pack_channel_vectors(st.q.bias, g, cfg), uint64_t(acc_eb))) / acc_eb;
  st.mult_dram = int64_t(b.add_constant(pack_channel_vectors(st.q.multiplier, g, cfg), uint64_t(acc_eb))) / acc_eb;
  return st;
}

}  // namespace

void lower_block(const ConvBlock& blk, const BlockSchedule& s, ProgramBuilder& b, const ActBuffer& in,
                 const ActBuffer& out) {
  const DerivedConfig& cfg = b.cfg();
  check_block(blk, cfg);
  std::vector<std::string> issues;
  const BlockPlan p = plan_block(blk, s, cfg, &issues);
  const std::string who = "block '" + blk.name() + "'";
  if (!issues.empty()) throw CompileError(who + ": internal error, illegal schedule: " + issues[0]);
  const ConvGeometry& dg = p.dw;
  if (in.top < dg.pad_top || in.left < dg.pad_left || in.bottom < dg.pad_bottom || in.right < dg.pad_right ||
      in.h != p.h || in.w != p.w || out.h != p.oh || out.w != p.ow)
    throw CompileError(who + ": internal error, activation buffers do not match the block");

  std::optional<Stage> ex;
  if (blk.expand) ex = place_stage(*blk.expand, conv_geometry(*blk.expand, cfg), b);
  const Stage dw = place_stage(blk.depthwise, dg, b);
  const Stage pj = place_stage(blk.project, conv_geometry(blk.project, cfg), b);
  const int64_t inp_eb = cfg.elem_bytes(int(MemType::INP)), acc_eb = cfg.elem_bytes(int(MemType::ACC));
  TokenLinks links(b);

  // Resident constants.
  const auto constants = [&](const Stage& st, int64_t bias_at, int64_t mult_at, const std::string& what) {
    b.emit(mem_insn(Opcode::LOAD, MemType::ACC, bias_at, st.bias_dram, 1, st.g.kb, st.g.kb), who + ": " + what + " biases");
    b.emit(mem_insn(Opcode::LOAD, MemType::ACC, mult_at, st.mult_dram, 1, st.g.kb, st.g.kb), who + ": " + what + " multipliers");
  };
  if (ex) constants(*ex, p.acc_exp_bias, p.acc_exp_mult, "expansion");
  constants(dw, p.acc_dw_bias, p.acc_dw_mult, "depthwise");
  constants(pj, p.acc_prj_bias, p.acc_prj_mult, "projection");
  std::optional<AddRequant> add;
  if (blk.project.residual) {
    const ResidualAdd& r = *blk.project.residual;
    add = r.skip_first ? plan_add_requant(who + " (fused add)", r.skip, blk.project.output, r.sum, r.relu)
                       : plan_add_requant(who + " (fused add)", blk.project.output, r.skip, r.sum, r.relu);
    const int64_t consts = int64_t(b.add_constant(add->constants(cfg), uint64_t(acc_eb))) / acc_eb;
    b.emit(mem_insn(Opcode::LOAD, MemType::ACC, p.acc_res, consts, 1, 1, 1), who + ": fused add constants");
  }

  // ALU helpers. A per-channel pass: chunk blocks `n` of `pitch` vectors at `dst`, `count` each, with the
  // channel vector at `vec` + block as the operand.
  const auto channel_op = [&](int64_t dst, int64_t n, int64_t pitch, int64_t count, int64_t vec, AluOp op, int64_t imm,
                              const std::string& what) {
    UopLoopSpec l;
    l.iter_out = n, l.iter_in = count, l.dst_out = pitch, l.dst_in = 1, l.src_out = 1;
    l.uop_bgn = b.kernel({{uint32_t(dst), uint32_t(vec), 0}}), l.uop_end = l.uop_bgn + 1;
    return b.emit(alu_insn(l, op, false, imm), what);
  };
  const auto imm_op = [&](int64_t dst, int64_t vectors, AluOp op, int64_t imm, const std::string& what) {
    UopLoopSpec l;
    l.iter_in = vectors, l.dst_in = 1;
    l.uop_bgn = b.kernel({{uint32_t(dst), 0, 0}}), l.uop_end = l.uop_bgn + 1;
    return b.emit(alu_insn(l, op, true, imm), what);
  };
  // REQ (and an explicit upper clamp) over blocks; returns the last instruction.
  const auto requantize = [&](const Stage& st, int64_t dst, int64_t n, int64_t pitch, int64_t count, int64_t mult,
                              const std::string& what, const auto& mark) {
    const bool relu = st.q.lo > -128;
    size_t last = mark(channel_op(dst, n, pitch, count, mult, AluOp::REQ,
                                  req_immediate(ReqMode::FLOAT, relu, st.q.out_zero_point), what + ": requantize" + (relu ? " (ReLU)" : "")));
    if (st.q.hi < 127) last = mark(imm_op(dst, (n - 1) * pitch + count, AluOp::MIN, st.q.hi, what + ": clamp high (Clip max)"));
    return last;
  };

  const int64_t dw_rows = dg.dw_rows, wpe = dg.wgt_elems(1);
  struct Tile { int64_t oh, th, ow, tw; };
  std::vector<Tile> tiles;
  for (int64_t oh = 0; oh < p.oh; oh += p.th)
    for (int64_t ow = 0; ow < p.ow; ow += p.tw) tiles.push_back({oh, std::min(p.th, p.oh - oh), ow, std::min(p.tw, p.ow - ow)});
  const int64_t n_chunks = p.chunks, n_steps = int64_t(tiles.size()) * n_chunks;
  const int64_t B = p.bufs, R = p.resident_weights ? n_chunks : p.wgt_regions;

  // Per step k (tile k / n_chunks, chunk k % n_chunks): the instructions later ones depend on.
  struct Step {
    std::ptrdiff_t wgt = -1, x_gemm = -1, e_ready = -1, e_done = -1, d_gemm = -1, d_done = -1, d_copy = -1, p_gemm = -1;
  };
  std::vector<Step> steps(static_cast<size_t>(n_steps));
  std::vector<std::ptrdiff_t> x_load(tiles.size(), -1), o_store(tiles.size(), -1), p_done(tiles.size(), -1);
  const auto step = [&](int64_t k) { return k >= 0 && k < n_steps ? steps[size_t(k)] : Step{}; };
  // With overlap, a compute instruction's results reach the other units through the next sync (an
  // unflagged empty loop, which starts once both pipes are done); without it, through itself.
  std::vector<size_t> syncs;
  const auto release = [&](std::ptrdiff_t insn) -> std::ptrdiff_t {
    if (insn < 0 || !p.overlap) return insn;
    const auto it = std::upper_bound(syncs.begin(), syncs.end(), size_t(insn));
    if (it == syncs.end()) throw CompileError(who + ": internal error, no sync after instruction " + std::to_string(insn));
    return std::ptrdiff_t(*it);
  };
  const auto dep = [&](std::ptrdiff_t producer, size_t consumer) {
    if (producer >= 0) links.link(size_t(producer), consumer);
  };
  // Compute work runs in the pipes side by side with overlap (the phase order keeps the banks apart).
  const auto flag = [&](size_t i) {
    if (p.overlap) b.insn(i)[Field::OVERLAP] = 1;
    return i;
  };
  const int64_t in_base = int64_t(in.offset) / inp_eb;
  const int64_t zp_exp = ex ? ex->q.out_zero_point : 0;  // device value: the expanded tensor's padding
  const auto tile_note = [&](int64_t t) {
    const Tile& T = tiles[size_t(t)];
    return who + " tile " + std::to_string(t) + " (oh " + range(T.oh, T.th) + ", ow " + range(T.ow, T.tw) + ")";
  };
  const auto step_note = [&](int64_t k) {
    const int64_t e0 = (k % n_chunks) * p.te;
    return tile_note(k / n_chunks) + " chunk " + std::to_string(k % n_chunks) + " (expanded blocks " + range(e0, p.te) + ")";
  };
  // DRAM element of tile t's window in plane c: image row stride * oh - pad_top, column likewise.
  const auto window = [&](int64_t t, int64_t c) {
    const Tile& T = tiles[size_t(t)];
    return in_base + in.at(c, p.stride * T.oh - dg.pad_top, p.stride * T.ow - dg.pad_left);
  };
  // Rows of tile t's window (its columns are always ec, the pitch), and how many rows or columns of
  // it lie outside the image on each side.
  const auto window_rows = [&](const Tile& T) { return p.span1(T.th) + dg.r - 1; };
  struct Border { int64_t top, left, bottom, right; };
  const auto border = [&](const Tile& T) {
    const int64_t y0 = p.stride * T.oh - dg.pad_top, x0 = p.stride * T.ow - dg.pad_left;
    return Border{std::max<int64_t>(0, -y0), std::max<int64_t>(0, -x0),
                  std::max<int64_t>(0, y0 + window_rows(T) - p.h), std::max<int64_t>(0, x0 + p.ec - p.w)};
  };
  const auto weights_of = [&](int64_t k) { return p.resident_weights ? steps[size_t(k % n_chunks)].wgt : steps[size_t(k)].wgt; };
  const auto region_of = [&](int64_t k) { return k % R; };
  const auto acc_exp = [&](int64_t k) { return p.acc_exp + (k % B) * p.acc_exp_size; };
  const auto acc_dw = [&](int64_t k) { return p.acc_dw + (k % B) * p.acc_dw_size; };
  const auto inp_e = [&](int64_t k) { return p.inp_e + (k % B) * p.inp_e_size; };
  const auto inp_d = [&](int64_t k) { return p.inp_d + (k % B) * p.inp_d_size; };
  const auto acc_prj = [&](int64_t t) { return p.acc_prj + (t % p.prj_bufs) * p.acc_prj_size; };
  const int64_t pitch = p.th * p.tw;

  // Load unit: the tile's input window (with an expansion), the chunk's weights (once when resident),
  // and without an expansion the chunk's window itself.
  const auto emit_loads = [&](int64_t k) {
    const int64_t t = k / n_chunks, j = k % n_chunks, e0 = j * p.te, te = p.te, r = region_of(k);
    const int64_t er = window_rows(tiles[size_t(t)]);
    if (ex && j == 0) {
      const size_t first = b.size();
      for (int64_t c = 0; c < p.cb; ++c)
        b.emit(mem_insn(Opcode::LOAD, MemType::INP, p.inp_x + c * p.er * p.ec, window(t, c), er, p.ec, in.wp()),
               tile_note(t) + ": input block " + std::to_string(c));
      dep(release(step(k - 1).x_gemm), first);  // the previous tile's last expansion has read the old window
      x_load[size_t(t)] = std::ptrdiff_t(b.size() - 1);
    }
    if (!p.resident_weights || t == 0) {
      const size_t first = b.size();
      if (ex)
        b.emit(mem_insn(Opcode::LOAD, MemType::WGT, p.wgt_exp_at(r), ex->wgt_dram + e0 * p.cb, 1, te * p.cb, te * p.cb),
               step_note(k) + ": expansion weights");
      b.emit(mem_insn(Opcode::LOAD, MemType::WGT, p.wgt_dw_at(r), dw.wgt_dram + e0 * wpe, 1, te * wpe, te * wpe),
             step_note(k) + ": depthwise weights");
      b.emit(mem_insn(Opcode::LOAD, MemType::WGT, p.wgt_prj_at(r), pj.wgt_dram + e0, p.kb, te, p.eb),
             step_note(k) + ": projection weights");
      if (!p.resident_weights) dep(release(step(k - R).p_gemm), first);  // the region's last reader
      steps[size_t(k)].wgt = std::ptrdiff_t(b.size() - 1);
    }
    if (!ex) {
      const size_t first = b.size();
      for (int64_t e = 0; e < te; ++e)
        b.emit(mem_insn(Opcode::LOAD, MemType::INP, inp_e(k) + e * p.dw_set, window(t, e0 + e), er, p.ec, in.wp()),
               step_note(k) + ": input block " + std::to_string(e0 + e));
      dep(release(step(k - B).d_gemm), first);
      steps[size_t(k)].e_ready = std::ptrdiff_t(b.size() - 1);
    }
  };

  // Where window position (y, x) lies in a block's expanded window (ACC and INP alike).
  const auto pos = [&](int64_t y, int64_t x) {
    return p.stride == 1 ? y * p.ec + x : (2 * (y % 2) + x % 2) * p.sub + (y / 2) * p.sp + x / 2;
  };
  // Expansion of step k: accumulators from the bias; the GEMM over the window (stride 1: its positions
  // inside the image; stride 2: by parity, each sub-image from every other input row and column).
  const auto emit_expand_init = [&](int64_t k) {
    const int64_t t = k / n_chunks, e0 = (k % n_chunks) * p.te;
    const int64_t used = p.stride == 1 ? window_rows(tiles[size_t(t)]) * p.ec : p.win;
    const size_t mov = flag(channel_op(acc_exp(k), p.te, p.win, used, p.acc_exp_bias + e0, AluOp::MOV, 0,
                                       step_note(k) + ": expansion accumulators from the bias"));
    dep(step(k - B).e_done, mov);  // that copy of the accumulators has gone to the input buffer
  };
  // `between`: ALU work to dispatch after each GEMM (so the in-order dispatcher keeps both pipes fed).
  const auto emit_expand_gemm = [&](int64_t k, std::vector<std::function<void()>>& between) {
    const int64_t t = k / n_chunks, te = p.te, r = region_of(k), xblk = p.er * p.ec;
    const Tile& T = tiles[size_t(t)];
    const int64_t er = window_rows(T);
    const auto [top, left, bottom, right] = border(T);
    // The window's positions inside the image, rows y0..y1 and columns x0..x1 (half-open), at stride
    // 1 as one loop; at stride 2 one GEMM per sub-image over its share of them (every other input row
    // and column).
    const int64_t y0 = top, y1 = er - bottom, x0 = left, x1 = p.ec - right;
    for (int64_t py = 0; py < p.stride; ++py)
      for (int64_t px = 0; px < p.stride; ++px) {
        const int64_t ry0 = (y0 - py + p.stride - 1) / p.stride, ry1 = (y1 - py + p.stride - 1) / p.stride;
        const int64_t cx0 = (x0 - px + p.stride - 1) / p.stride, cx1 = (x1 - px + p.stride - 1) / p.stride;
        if (ry1 <= ry0 || cx1 <= cx0) continue;
        const int64_t y = ry0 * p.stride + py, x = cx0 * p.stride + px;  // the first position
        std::vector<Uop> uops;
        for (int64_t e = 0; e < te; ++e)
          for (int64_t c = 0; c < p.cb; ++c)
            uops.push_back({uint32_t(acc_exp(k) + e * p.win + pos(y, x)), uint32_t(p.inp_x + c * xblk + y * p.ec + x),
                            uint32_t(p.wgt_exp_at(r) + e * p.cb + c)});
        UopLoopSpec gl;
        gl.uop_bgn = b.kernel(uops), gl.uop_end = gl.uop_bgn + int64_t(uops.size());
        gl.iter_out = ry1 - ry0, gl.iter_in = cx1 - cx0;
        gl.dst_out = p.stride == 1 ? p.ec : p.sp, gl.dst_in = 1, gl.src_out = p.stride * p.ec, gl.src_in = p.stride;
        const size_t gemm = flag(b.emit(gemm_insn(gl, false), step_note(k) + ": expansion multiply-accumulate" +
                                                                  (p.stride == 1 ? std::string() : " (rows " + std::to_string(py) + " mod 2, columns " + std::to_string(px) + " mod 2)")));
        dep(x_load[size_t(t)], gemm), dep(weights_of(k), gemm);
        steps[size_t(k)].x_gemm = std::ptrdiff_t(gemm);
        if (!between.empty()) between.front()(), between.erase(between.begin());
      }
  };
  // REQ over the window, then its positions outside the image become the expanded zero point.
  const auto emit_expand_req = [&](int64_t k) {
    const int64_t t = k / n_chunks, e0 = (k % n_chunks) * p.te, te = p.te;
    const Tile& T = tiles[size_t(t)];
    const int64_t er = window_rows(T), used = p.stride == 1 ? er * p.ec : p.win;
    size_t last = requantize(*ex, acc_exp(k), te, p.win, used, p.acc_exp_mult + e0, step_note(k) + ": expansion", flag);
    const auto fill = [&](bool row, int64_t at, const std::string& side) {  // one window row or column
      std::vector<Uop> u;
      for (int64_t e = 0; e < te; ++e)
        for (int64_t q = 0; q < p.stride; ++q)  // stride 2: both parities of the other coordinate
          u.push_back({uint32_t(acc_exp(k) + e * p.win + (row ? pos(at, q) : pos(q, at))), 0, 0});
      UopLoopSpec l;
      l.uop_bgn = b.kernel(u), l.uop_end = l.uop_bgn + int64_t(u.size());
      const int64_t pitch = p.stride == 1 ? p.ec : p.sp;
      if (row) l.iter_in = pitch, l.dst_in = 1;
      else l.iter_out = p.stride == 1 ? er : p.sub / p.sp, l.dst_out = pitch;
      last = flag(b.emit(alu_insn(l, AluOp::MOV, true, zp_exp), step_note(k) + ": " + side + " padding (zero point)"));
    };
    const auto [top, left, bottom, right] = border(T);
    for (int64_t y = 0; y < top; ++y) fill(true, y, "top");
    for (int64_t y = er - bottom; y < er; ++y) fill(true, y, "bottom");
    for (int64_t x = 0; x < left; ++x) fill(false, x, "left");
    for (int64_t x = p.ec - right; x < p.ec; ++x) fill(false, x, "right");
    steps[size_t(k)].e_done = std::ptrdiff_t(last);
  };
  const auto emit_expand_copy = [&](int64_t k) {
    const size_t copy = b.emit(mem_insn(Opcode::STORE, MemType::OUT_TO_INP, acc_exp(k), inp_e(k), p.te, p.win, p.dw_set),
                               step_note(k) + ": expanded window to the input buffer");
    dep(release(step(k - B).d_gemm), copy);  // that copy of the window has been read
    dep(release(steps[size_t(k)].e_done), copy);
    steps[size_t(k)].e_ready = steps[size_t(k)].e_done = std::ptrdiff_t(copy);
  };

  // Depthwise of step k: one group per dw_rows output vectors at the window's pitch, one micro-op
  // per tap; REQ; STORE OUT_TO_INP of the output for the projection.
  const auto emit_dw_init = [&](int64_t k) {
    const int64_t e0 = (k % n_chunks) * p.te;
    const size_t mov = flag(channel_op(acc_dw(k), p.te, p.dw_blk, p.dw_blk, p.acc_dw_bias + e0, AluOp::MOV, 0,
                                       step_note(k) + ": depthwise accumulators from the bias"));
    dep(step(k - B).d_copy, mov);
  };
  const auto emit_dw_gemm = [&](int64_t k) {
    const int64_t t = k / n_chunks;
    std::vector<Uop> taps;
    for (int64_t y = 0; y < dg.r; ++y)
      for (int64_t x = 0; x < dg.s; ++x)
        taps.push_back({uint32_t(acc_dw(k)), uint32_t(inp_e(k) + pos(y, x)), uint32_t(p.wgt_dw_at(region_of(k)) * dw_rows + y * dg.s + x)});
    UopLoopSpec dl;
    dl.uop_bgn = b.kernel(taps), dl.uop_end = dl.uop_bgn + int64_t(taps.size());
    dl.iter_out = p.te, dl.iter_in = (tiles[size_t(t)].th * p.dpitch + dw_rows - 1) / dw_rows;
    dl.dst_out = p.dw_blk, dl.dst_in = dw_rows, dl.src_out = p.dw_set, dl.src_in = dw_rows, dl.wgt_out = wpe * dw_rows;
    const size_t gemm = flag(b.emit(gemm_insn(dl, false), step_note(k) + ": depthwise multiply-accumulate"));
    b.insn(gemm)[Field::DEPTHWISE] = 1;
    dep(weights_of(k), gemm), dep(steps[size_t(k)].e_ready, gemm);
    steps[size_t(k)].d_gemm = std::ptrdiff_t(gemm);
  };
  const auto emit_dw_req = [&](int64_t k) {
    const int64_t e0 = (k % n_chunks) * p.te;
    steps[size_t(k)].d_done = std::ptrdiff_t(requantize(dw, acc_dw(k), p.te, p.dw_blk, p.dw_blk, p.acc_dw_mult + e0,
                                                        step_note(k) + ": depthwise", flag));
  };
  const auto emit_dw_copy = [&](int64_t k) {
    const size_t copy = b.emit(mem_insn(Opcode::STORE, MemType::OUT_TO_INP, acc_dw(k), inp_d(k), 1, p.te * p.dw_blk, p.te * p.dw_blk),
                               step_note(k) + ": depthwise output to the input buffer");
    dep(release(step(k - B).p_gemm), copy), dep(release(steps[size_t(k)].d_done), copy);
    steps[size_t(k)].d_copy = std::ptrdiff_t(copy);
  };

  // Projection of step k into its tile's accumulators (copy t % B), accumulating over the chunks;
  // after the tile's last chunk the epilogue: REQ (then the fused add with the skip tile), then stores.
  const auto emit_project_init = [&](int64_t t) {
    const Tile& T = tiles[size_t(t)];
    const size_t mov = flag(channel_op(acc_prj(t), p.kb, pitch, T.th * T.tw, p.acc_prj_bias, AluOp::MOV, 0,
                                       tile_note(t) + ": projection accumulators from the bias"));
    dep(t >= p.prj_bufs ? o_store[size_t(t - p.prj_bufs)] : -1, mov);
  };
  const auto emit_project_gemm = [&](int64_t k) {
    const int64_t t = k / n_chunks, te = p.te;
    const Tile& T = tiles[size_t(t)];
    const int64_t w_prj = p.wgt_prj_at(region_of(k));
    std::vector<Uop> uops;
    for (int64_t kk = 0; kk < p.kb; ++kk)
      for (int64_t e = 0; e < te; ++e)
        uops.push_back({uint32_t(acc_prj(t) + kk * pitch), uint32_t(inp_d(k) + e * p.dw_blk), uint32_t(w_prj + kk * te + e)});
    UopLoopSpec pl;
    pl.uop_bgn = b.kernel(uops), pl.uop_end = pl.uop_bgn + int64_t(uops.size());
    pl.iter_out = T.th, pl.iter_in = T.tw, pl.dst_out = T.tw, pl.dst_in = 1, pl.src_out = p.dpitch, pl.src_in = 1;
    const size_t gemm = flag(b.emit(gemm_insn(pl, false), step_note(k) + ": projection multiply-accumulate"));
    dep(steps[size_t(k)].d_copy, gemm), dep(weights_of(k), gemm);
    steps[size_t(k)].p_gemm = std::ptrdiff_t(gemm);
  };
  const auto emit_project_epilogue = [&](int64_t t) {
    const Tile& T = tiles[size_t(t)];
    const std::string at = tile_note(t);
    const int64_t vectors = (p.kb - 1) * pitch + T.th * T.tw;
    const int64_t acc_skip = p.overlap ? p.acc_skip + (t % p.prj_bufs) * p.kb * pitch : acc_prj(t) + p.kb * pitch;
    size_t last = requantize(pj, acc_prj(t), p.kb, pitch, T.th * T.tw, p.acc_prj_mult, at + ": projection", flag);
    if (add) {
      // With overlap the skip tile lies in the other bank: these wait for both pipes (once per tile).
      const auto mark = [&](size_t i) { return p.overlap ? i : flag(i); };
      const int64_t a8 = cfg.elem_bytes(int(MemType::ACC_8BIT));
      for (int64_t kk = 0; kk < p.kb; ++kk)
        mark(b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, acc_skip + kk * pitch, int64_t(in.offset) / a8 + in.at(kk, T.oh, T.ow),
                             T.th, T.tw, in.wp()),
                    at + ": skip block " + std::to_string(kk)));
      for (size_t a : emit_residual_add(b, *add, blk.project.residual->skip_first, acc_prj(t), acc_skip, vectors, p.acc_res, at))
        last = mark(a);
    }
    p_done[size_t(t)] = std::ptrdiff_t(last);
  };
  const auto emit_project_stores = [&](int64_t t) {
    const Tile& T = tiles[size_t(t)];
    const int64_t out_eb = cfg.elem_bytes(int(MemType::OUT));
    const size_t first_store = b.size();
    for (int64_t kk = 0; kk < p.kb; ++kk)
      b.emit(mem_insn(Opcode::STORE, MemType::OUT, acc_prj(t) + kk * pitch, int64_t(out.offset) / out_eb + out.at(kk, T.oh, T.ow),
                      T.th, T.tw, out.wp()),
             tile_note(t) + ": store block " + std::to_string(kk));
    dep(release(p_done[size_t(t)]), first_store);
    o_store[size_t(t)] = std::ptrdiff_t(b.size() - 1);
  };
  const auto valid = [&](int64_t k) { return k >= 0 && k < n_steps; };
  const auto first_of_tile = [&](int64_t k) { return k % n_chunks == 0; };
  const auto last_of_tile = [&](int64_t k) { return k % n_chunks == n_chunks - 1; };

  if (!p.overlap) {
    // With double buffers the expansion of step i, the depthwise conv of step i - 1 and the projection
    // of step i - 2 share an iteration, so each unit finds work while the others copy.
    const int64_t lag = B - 1;
    for (int64_t i = 0; i < n_steps + 2 * lag; ++i) {
      if (valid(i)) {
        emit_loads(i);
        std::vector<std::function<void()>> none;
        if (ex) emit_expand_init(i), emit_expand_gemm(i, none), emit_expand_req(i), emit_expand_copy(i);
      }
      if (valid(i - lag)) emit_dw_init(i - lag), emit_dw_gemm(i - lag), emit_dw_req(i - lag), emit_dw_copy(i - lag);
      const int64_t k = i - 2 * lag;
      if (!valid(k)) continue;
      if (first_of_tile(k)) emit_project_init(k / n_chunks);
      emit_project_gemm(k);
      if (last_of_tile(k)) emit_project_epilogue(k / n_chunks), emit_project_stores(k / n_chunks);
    }
    return;
  }
  // Overlap: two phases per iteration i, each opened by a sync (which also carries every token the
  // previous phase's compute work owes the other units). Phase A: the expansion GEMM of i (bank 0)
  // beside bank-1 ALU work (depthwise bias of i - 1 and REQ of i - 2, the projection's bias and a
  // finished tile's epilogue); phase B: the depthwise GEMM of i - 1 and the projection of i - 3
  // (bank 1) beside the expansion's REQ of i and bias of i + 1 (bank 0), interleaved so each pipe's
  // next instruction is already dispatched. A step's copies run in the phase after its REQ.
  const auto sync = [&](const std::string& what) {
    UopLoopSpec l;
    l.uop_bgn = b.kernel({{0, 0, 0}}), l.uop_end = l.uop_bgn + 1, l.iter_out = 0;
    syncs.push_back(b.emit(alu_insn(l, AluOp::MOV, true, 0), who + ": " + what + " (sync: both pipes done)"));
  };
  if (ex) emit_expand_init(0);
  std::vector<int64_t> stores_due;  // tiles whose epilogue ran in phase A
  for (int64_t i = 0; i < n_steps + 4; ++i) {
    sync("phase A " + std::to_string(i));
    if (ex && valid(i - 1)) emit_expand_copy(i - 1);
    if (valid(i)) emit_loads(i);
    std::vector<std::function<void()>> alu;  // bank-1 ALU work, dispatched between the expansion's GEMMs
    if (valid(i - 1)) alu.push_back([&, i] { emit_dw_init(i - 1); });
    if (valid(i - 2)) alu.push_back([&, i] { emit_dw_req(i - 2); });
    if (valid(i - 3) && first_of_tile(i - 3)) alu.push_back([&, i] { emit_project_init((i - 3) / n_chunks); });
    if (valid(i - 4) && last_of_tile(i - 4)) {
      alu.push_back([&, i] { emit_project_epilogue((i - 4) / n_chunks); });
      stores_due.push_back((i - 4) / n_chunks);
    }
    if (ex && valid(i)) emit_expand_gemm(i, alu);
    for (const auto& f : alu) f();

    sync("phase B " + std::to_string(i));
    if (valid(i - 2)) emit_dw_copy(i - 2);
    for (int64_t t : stores_due) emit_project_stores(t);
    stores_due.clear();
    if (valid(i - 1)) emit_dw_gemm(i - 1);
    if (ex && valid(i)) emit_expand_req(i);
    if (valid(i - 3)) emit_project_gemm(i - 3);
    if (ex && valid(i + 1)) emit_expand_init(i + 1);
  }
}

}  // namespace tessera::compiler
