// Fused block lowering: per output tile and chunk of expanded channels, expand -> depthwise ->
// project on chip, every hazard between the three units stated as a dependency (TokenLinks).
#include "compiler/lower_block.h"

#include <algorithm>

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
      in.h != p.h || in.w != p.w || out.h != p.h || out.w != p.w)
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
                              const std::string& what) {
    const bool relu = st.q.lo > -128;
    size_t last = channel_op(dst, n, pitch, count, mult, AluOp::REQ, req_immediate(ReqMode::FLOAT, relu, st.q.out_zero_point),
                             what + ": requantize" + (relu ? " (ReLU)" : ""));
    if (st.q.hi < 127) last = imm_op(dst, (n - 1) * pitch + count, AluOp::MIN, st.q.hi, what + ": clamp high (Clip max)");
    return last;
  };

  const int64_t dw_rows = dg.dw_rows, wpe = dg.wgt_elems(1);
  const auto wgt_region = [&](int64_t k, int64_t j) { return p.resident_weights ? j : k % 2; };

  struct Tile { int64_t oh, th, ow, tw; };
  std::vector<Tile> tiles;
  for (int64_t oh = 0; oh < p.h; oh += p.th)
    for (int64_t ow = 0; ow < p.w; ow += p.tw) tiles.push_back({oh, std::min(p.th, p.h - oh), ow, std::min(p.tw, p.w - ow)});
  const int64_t n_chunks = p.chunks;

  // Instructions other instructions depend on, by role (-1: none yet).
  std::ptrdiff_t last_expand_gemm = -1, x_load = -1;
  std::vector<std::ptrdiff_t> prj_gemm, wgt_load;  // per global chunk k
  std::ptrdiff_t dw_gemm_prev = -1, store_d_prev = -1, store_o_prev = -1, store_e_prev = -1, prj_gemm_prev = -1;
  const auto dep = [&](std::ptrdiff_t producer, size_t consumer) {
    if (producer >= 0) links.link(size_t(producer), consumer);
  };

  const int64_t in_base = int64_t(in.offset) / inp_eb;
  const int64_t zp_exp = blk.expand ? device_value(blk.expand->output.zero_point, blk.expand->output.type) : 0;
  for (size_t ti = 0; ti < tiles.size(); ++ti) {
    const Tile& T = tiles[ti];
    const std::string at = who + " tile " + std::to_string(ti) + " (oh " + range(T.oh, T.th) + ", ow " + range(T.ow, T.tw) + ")";
    const int64_t er = T.th + dg.r - 1;  // window rows of this tile (columns: always ec, the pitch)
    // DRAM element of the window's first vector in plane c: image row oh - pad_top, column ow - pad_left.
    const auto window = [&](int64_t c) { return in_base + in.at(c, T.oh - dg.pad_top, T.ow - dg.pad_left); };
    if (ex) {
      // The block input window, every input block (read by each chunk's expansion).
      size_t first = b.size();
      for (int64_t c = 0; c < p.cb; ++c)
        b.emit(mem_insn(Opcode::LOAD, MemType::INP, p.inp_x + c * p.er * p.ec, window(c), er, p.ec, in.wp()),
               at + ": input block " + std::to_string(c));
      dep(last_expand_gemm, first);
      x_load = std::ptrdiff_t(b.size() - 1);
    }
    for (int64_t j = 0; j < n_chunks; ++j) {
      const int64_t k = int64_t(ti) * n_chunks + j, e0 = j * p.te, te = std::min(p.te, p.eb - e0);
      const std::string cat = at + " chunk " + std::to_string(j) + " (expanded blocks " + range(e0, te) + ")";
      const int64_t wr = wgt_region(k, j), w_exp = p.wgt_exp_at(wr), w_dw = p.wgt_dw_at(wr), w_prj = p.wgt_prj_at(wr);
      // Weights of the chunk (once when resident).
      if (!p.resident_weights || ti == 0) {
        const size_t first = b.size();
        if (ex)
          b.emit(mem_insn(Opcode::LOAD, MemType::WGT, w_exp, ex->wgt_dram + e0 * p.cb, 1, te * p.cb, te * p.cb),
                 cat + ": expansion weights");
        b.emit(mem_insn(Opcode::LOAD, MemType::WGT, w_dw, dw.wgt_dram + e0 * wpe, 1, te * wpe, te * wpe), cat + ": depthwise weights");
        b.emit(mem_insn(Opcode::LOAD, MemType::WGT, w_prj, pj.wgt_dram + e0, p.kb, te, p.eb), cat + ": projection weights");
        if (!p.resident_weights && k >= 2) dep(prj_gemm[size_t(k - 2)], first);  // the region's last reader
        wgt_load.push_back(std::ptrdiff_t(b.size() - 1));
      }
      const std::ptrdiff_t weights = wgt_load.back();

      // Expanded window of the chunk into INP: from the expansion, or straight from DRAM without one.
      std::ptrdiff_t e_ready = -1;
      if (ex) {
        size_t i = channel_op(p.acc_exp, te, p.er * p.ec, p.er * p.ec, p.acc_exp_bias + e0, AluOp::MOV, 0,
                              cat + ": expansion accumulators from the bias");
        dep(store_e_prev, i);  // the previous chunk's copy has read them
        std::vector<Uop> uops;
        for (int64_t e = 0; e < te; ++e)
          for (int64_t c = 0; c < p.cb; ++c)
            uops.push_back({uint32_t(p.acc_exp + e * p.er * p.ec), uint32_t(p.inp_x + c * p.er * p.ec),
                            uint32_t(w_exp + e * p.cb + c)});
        UopLoopSpec gl;
        gl.uop_bgn = b.kernel(uops), gl.uop_end = gl.uop_bgn + int64_t(uops.size());
        gl.iter_in = er * p.ec, gl.dst_in = 1, gl.src_in = 1;
        const size_t gemm = b.emit(gemm_insn(gl, false), cat + ": expansion multiply-accumulate");
        dep(x_load, gemm), dep(weights, gemm);
        last_expand_gemm = std::ptrdiff_t(gemm);
        size_t last = requantize(*ex, p.acc_exp, te, p.er * p.ec, er * p.ec, p.acc_exp_mult + e0, cat + ": expansion");
        // The window's positions outside the image hold the expanded tensor's zero point (its padding).
        const int64_t top = std::max<int64_t>(0, dg.pad_top - T.oh), left = std::max<int64_t>(0, dg.pad_left - T.ow);
        const int64_t bottom = std::max<int64_t>(0, T.oh + T.th - 1 + dg.pad_bottom - (p.h - 1));
        const int64_t right = std::max<int64_t>(0, T.ow + T.tw - 1 + dg.pad_right - (p.w - 1));
        const auto fill = [&](int64_t row, int64_t rows, int64_t col, int64_t cols, const std::string& side) {
          std::vector<Uop> u;
          for (int64_t e = 0; e < te; ++e) u.push_back({uint32_t(p.acc_exp + e * p.er * p.ec + row * p.ec + col), 0, 0});
          UopLoopSpec l;
          l.uop_bgn = b.kernel(u), l.uop_end = l.uop_bgn + te;
          l.iter_out = rows, l.iter_in = cols, l.dst_out = p.ec, l.dst_in = 1;
          last = b.emit(alu_insn(l, AluOp::MOV, true, zp_exp), cat + ": " + side + " padding (zero point)");
        };
        if (top) fill(0, top, 0, p.ec, "top");
        if (bottom) fill(p.h - T.oh + dg.pad_top, bottom, 0, p.ec, "bottom");
        if (left) fill(0, er, 0, left, "left");
        if (right) fill(0, er, p.w - T.ow + dg.pad_left, right, "right");
        const size_t copy = b.emit(mem_insn(Opcode::STORE, MemType::OUT_TO_INP, p.acc_exp, p.inp_e, te, p.er * p.ec, p.dw_set),
                                   cat + ": expanded window to the input buffer");
        dep(dw_gemm_prev, copy);  // the previous chunk's depthwise GEMM has read the old window
        dep(std::ptrdiff_t(last), copy);
        e_ready = store_e_prev = std::ptrdiff_t(copy);
      } else {
        const size_t first = b.size();
        for (int64_t e = 0; e < te; ++e)
          b.emit(mem_insn(Opcode::LOAD, MemType::INP, p.inp_e + e * p.dw_set, window(e0 + e), er, p.ec, in.wp()),
                 cat + ": input block " + std::to_string(e0 + e));
        dep(dw_gemm_prev, first);
        e_ready = std::ptrdiff_t(b.size() - 1);
      }

      // Depthwise: one group per dw_rows output vectors at the window's pitch, one micro-op per tap.
      size_t i = channel_op(p.acc_dw, te, p.dw_blk, p.dw_blk, p.acc_dw_bias + e0, AluOp::MOV, 0,
                            cat + ": depthwise accumulators from the bias");
      dep(store_d_prev, i);
      std::vector<Uop> taps;
      for (int64_t y = 0; y < dg.r; ++y)
        for (int64_t x = 0; x < dg.s; ++x)
          taps.push_back({uint32_t(p.acc_dw), uint32_t(p.inp_e + y * p.ec + x), uint32_t(w_dw * dw_rows + y * dg.s + x)});
      UopLoopSpec dl;
      dl.uop_bgn = b.kernel(taps), dl.uop_end = dl.uop_bgn + int64_t(taps.size());
      dl.iter_out = te, dl.iter_in = (T.th * p.ec + dw_rows - 1) / dw_rows;
      dl.dst_out = p.dw_blk, dl.dst_in = dw_rows, dl.src_out = p.dw_set, dl.src_in = dw_rows, dl.wgt_out = wpe * dw_rows;
      const size_t dgemm = b.emit(gemm_insn(dl, false), cat + ": depthwise multiply-accumulate");
      b.insn(dgemm)[Field::DEPTHWISE] = 1;
      dep(weights, dgemm), dep(e_ready, dgemm);
      dw_gemm_prev = std::ptrdiff_t(dgemm);
      const size_t dlast = requantize(dw, p.acc_dw, te, p.dw_blk, p.dw_blk, p.acc_dw_mult + e0, cat + ": depthwise");
      const size_t dcopy = b.emit(mem_insn(Opcode::STORE, MemType::OUT_TO_INP, p.acc_dw, p.inp_d, 1, te * p.dw_blk, te * p.dw_blk),
                                  cat + ": depthwise output to the input buffer");
      dep(prj_gemm_prev, dcopy), dep(std::ptrdiff_t(dlast), dcopy);
      store_d_prev = std::ptrdiff_t(dcopy);

      // Projection: accumulates over the chunks into the tile at its own pitch.
      if (j == 0) {
        const size_t mov = channel_op(p.acc_prj, p.kb, p.th * p.tw, T.th * T.tw, p.acc_prj_bias, AluOp::MOV, 0,
                                      at + ": projection accumulators from the bias");
        dep(store_o_prev, mov);
      }
      std::vector<Uop> uops;
      for (int64_t kk = 0; kk < p.kb; ++kk)
        for (int64_t e = 0; e < te; ++e)
          uops.push_back({uint32_t(p.acc_prj + kk * p.th * p.tw), uint32_t(p.inp_d + e * p.dw_blk), uint32_t(w_prj + kk * te + e)});
      UopLoopSpec pl;
      pl.uop_bgn = b.kernel(uops), pl.uop_end = pl.uop_bgn + int64_t(uops.size());
      pl.iter_out = T.th, pl.iter_in = T.tw, pl.dst_out = T.tw, pl.dst_in = 1, pl.src_out = p.ec, pl.src_in = 1;
      const size_t pgemm = b.emit(gemm_insn(pl, false), cat + ": projection multiply-accumulate");
      dep(store_d_prev, pgemm);
      prj_gemm_prev = std::ptrdiff_t(pgemm);
      prj_gemm.push_back(std::ptrdiff_t(pgemm));
    }

    // The tile's epilogue: requantize the projection (then the fused add with the skip tile), store.
    const int64_t pitch = p.th * p.tw, vectors = (p.kb - 1) * pitch + T.th * T.tw;
    size_t last = requantize(pj, p.acc_prj, p.kb, pitch, T.th * T.tw, p.acc_prj_mult, at + ": projection");
    if (add) {
      const int64_t a8 = cfg.elem_bytes(int(MemType::ACC_8BIT));
      for (int64_t kk = 0; kk < p.kb; ++kk)
        b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, p.acc_skip + kk * pitch,
                        int64_t(in.offset) / a8 + in.at(kk, T.oh, T.ow), T.th, T.tw, in.wp()),
               at + ": skip block " + std::to_string(kk));
      for (size_t a : emit_residual_add(b, *add, blk.project.residual->skip_first, p.acc_prj, p.acc_skip, vectors,
                                        p.acc_res, at))
        last = a;
    }
    const int64_t out_eb = cfg.elem_bytes(int(MemType::OUT));
    const size_t first_store = b.size();
    for (int64_t kk = 0; kk < p.kb; ++kk)
      b.emit(mem_insn(Opcode::STORE, MemType::OUT, p.acc_prj + kk * pitch,
                      int64_t(out.offset) / out_eb + out.at(kk, T.oh, T.ow), T.th, T.tw, out.wp()),
             at + ": store block " + std::to_string(kk));
    dep(std::ptrdiff_t(last), first_store);
    store_o_prev = std::ptrdiff_t(b.size() - 1);
  }
}

}  // namespace tessera::compiler
