// Fused block lowering: per output tile and chunk of expanded channels, expand -> depthwise ->
// project on chip, every hazard between the three units stated as a dependency (TokenLinks).
#include "compiler/lower_block.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "compiler/compile_error.h"
#include "compiler/lower_conv.h"
#include "compiler/requant.h"
#include "compiler/token_links.h"

namespace tessera::compiler {
namespace {

std::string range(int64_t a, int64_t n) { return std::to_string(a) + ".." + std::to_string(a + n - 1); }

// One conv of the block with its packed constants placed in DRAM (element indices).
struct Stage {
  ConvGeometry g;
  RequantPlan q;
  int64_t wgt_dram = 0, bias_dram = 0, mult_dram = 0;
};

Stage place_stage(const Layer& l, const ConvGeometry& g, ProgramBuilder& b) {
  const DerivedConfig& cfg = b.cfg();
  Stage st;
  st.g = g, st.q = plan_requant(l, g, IsaTarget::TESSERA);
  const int64_t wgt_eb = cfg.elem_bytes(int(MemType::WGT)), acc_eb = cfg.elem_bytes(int(MemType::ACC));
  st.wgt_dram = int64_t(b.add_constant(pack_conv_weights(l, g, cfg), uint64_t(wgt_eb))) / wgt_eb;
  st.bias_dram = int64_t(b.add_constant(pack_channel_vectors(st.q.bias, g, cfg), uint64_t(acc_eb))) / acc_eb;
  st.mult_dram = int64_t(b.add_constant(pack_channel_vectors(st.q.multiplier, g, cfg), uint64_t(acc_eb))) / acc_eb;
  return st;
}

struct Tile {
  int64_t oh, th, ow, tw;
};

// Per step k (tile k / chunks, chunk k % chunks): the instructions later ones depend on (-1: none).
struct Step {
  std::ptrdiff_t wgt = -1, x_gemm = -1, e_ready = -1, e_done = -1, d_gemm = -1, d_done = -1, d_copy = -1, p_gemm = -1;
};

// The lowering of one block: the phase pieces, emitted by run() in the schedule's order.
class BlockLowering {
 public:
  BlockLowering(const ConvBlock& blk, const BlockSchedule& s, ProgramBuilder& b, const ActBuffer& in, const ActBuffer& out)
      : blk_(blk), b_(b), cfg_(b.cfg()), in_(in), out_(out), who_("block '" + blk.name() + "'"), links_(b) {
    check_block(blk, cfg_);
    std::vector<std::string> issues;
    p_ = plan_block(blk, s, cfg_, &issues);
    if (!issues.empty()) throw CompileError(who_ + ": internal error, illegal schedule: " + issues[0]);
    const ConvGeometry& d = p_.dw;
    if (in.top < d.pad_top || in.left < d.pad_left || in.bottom < d.pad_bottom || in.right < d.pad_right ||
        in.h != p_.h || in.w != p_.w || out.h != p_.oh || out.w != p_.ow)
      throw CompileError(who_ + ": internal error, activation buffers do not match the block");
    for (int64_t oh = 0; oh < p_.oh; oh += p_.th)
      for (int64_t ow = 0; ow < p_.ow; ow += p_.tw)
        tiles_.push_back({oh, std::min(p_.th, p_.oh - oh), ow, std::min(p_.tw, p_.ow - ow)});
    n_steps_ = int64_t(tiles_.size()) * p_.chunks;
    steps_.resize(size_t(n_steps_));
    x_load_.assign(tiles_.size(), -1), o_store_.assign(tiles_.size(), -1), p_done_.assign(tiles_.size(), -1);
    regions_ = p_.resident_weights ? p_.chunks : p_.wgt_regions;
  }

  void run() {
    place_constants();
    if (p_.overlap) run_overlapped();
    else run_in_order();
  }

 private:
  // ---- constants ------------------------------------------------------------------------------
  void place_constants() {
    if (blk_.expand) ex_ = place_stage(*blk_.expand, conv_geometry(*blk_.expand, cfg_), b_);
    dw_ = place_stage(blk_.depthwise, p_.dw, b_);
    pj_ = place_stage(blk_.project, conv_geometry(blk_.project, cfg_), b_);
    const auto load = [&](const Stage& st, int64_t bias_at, int64_t mult_at, const std::string& what) {
      b_.emit(mem_insn(Opcode::LOAD, MemType::ACC, bias_at, st.bias_dram, 1, st.g.kb, st.g.kb), who_ + ": " + what + " biases");
      b_.emit(mem_insn(Opcode::LOAD, MemType::ACC, mult_at, st.mult_dram, 1, st.g.kb, st.g.kb), who_ + ": " + what + " multipliers");
    };
    if (ex_) load(*ex_, p_.acc_exp_bias, p_.acc_exp_mult, "expansion");
    load(dw_, p_.acc_dw_bias, p_.acc_dw_mult, "depthwise");
    load(pj_, p_.acc_prj_bias, p_.acc_prj_mult, "projection");
    if (blk_.project.residual) {
      const ResidualAdd& r = *blk_.project.residual;
      add_ = r.skip_first ? plan_add_requant(who_ + " (fused add)", r.skip, blk_.project.output, r.sum, r.relu)
                          : plan_add_requant(who_ + " (fused add)", blk_.project.output, r.skip, r.sum, r.relu);
      const int64_t acc_eb = cfg_.elem_bytes(int(MemType::ACC));
      const int64_t consts = int64_t(b_.add_constant(add_->constants(cfg_), uint64_t(acc_eb))) / acc_eb;
      b_.emit(mem_insn(Opcode::LOAD, MemType::ACC, p_.acc_res, consts, 1, 1, 1), who_ + ": fused add constants");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------
  // A per-channel pass: `n` blocks of `pitch` vectors at `dst`, `count` each, with the channel vector
  // at `vec` + block as the operand.
  size_t channel_op(int64_t dst, int64_t n, int64_t pitch, int64_t count, int64_t vec, AluOp op, int64_t imm,
                    const std::string& what) {
    UopLoopSpec l;
    l.iter_out = n, l.iter_in = count, l.dst_out = pitch, l.dst_in = 1, l.src_out = 1;
    l.uop_bgn = b_.kernel({{uint32_t(dst), uint32_t(vec), 0}}), l.uop_end = l.uop_bgn + 1;
    return b_.emit(alu_insn(l, op, false, imm), what);
  }
  size_t imm_op(int64_t dst, int64_t vectors, AluOp op, int64_t imm, const std::string& what) {
    UopLoopSpec l;
    l.iter_in = vectors, l.dst_in = 1;
    l.uop_bgn = b_.kernel({{uint32_t(dst), 0, 0}}), l.uop_end = l.uop_bgn + 1;
    return b_.emit(alu_insn(l, op, true, imm), what);
  }
  // REQ (and an explicit upper clamp) over blocks, each flagged; returns the last instruction.
  size_t requantize(const Stage& st, int64_t dst, int64_t n, int64_t pitch, int64_t count, int64_t mult, const std::string& what) {
    const bool relu = st.q.lo > -128;
    size_t last = flag(channel_op(dst, n, pitch, count, mult, AluOp::REQ, req_immediate(ReqMode::FLOAT, relu, st.q.out_zero_point),
                                  what + ": requantize" + (relu ? " (ReLU)" : "")));
    if (st.q.hi < 127) last = flag(imm_op(dst, (n - 1) * pitch + count, AluOp::MIN, st.q.hi, what + ": clamp high (Clip max)"));
    return last;
  }
  // With overlap, compute work runs in the two pipes side by side (the phase order keeps the banks apart).
  size_t flag(size_t i) {
    if (p_.overlap) b_.insn(i)[Field::OVERLAP] = 1;
    return i;
  }
  // With overlap, a compute instruction's results reach the other units through the next sync (an
  // unflagged empty loop, which starts once both pipes are done); without it, through itself.
  std::ptrdiff_t release(std::ptrdiff_t insn) const {
    if (insn < 0 || !p_.overlap) return insn;
    const auto it = std::upper_bound(syncs_.begin(), syncs_.end(), size_t(insn));
    if (it == syncs_.end()) throw CompileError(who_ + ": internal error, no sync after instruction " + std::to_string(insn));
    return std::ptrdiff_t(*it);
  }
  void dep(std::ptrdiff_t producer, size_t consumer) {
    if (producer >= 0) links_.link(size_t(producer), consumer);
  }
  Step step(int64_t k) const { return k >= 0 && k < n_steps_ ? steps_[size_t(k)] : Step{}; }
  bool valid(int64_t k) const { return k >= 0 && k < n_steps_; }
  bool first_of_tile(int64_t k) const { return k % p_.chunks == 0; }
  bool last_of_tile(int64_t k) const { return k % p_.chunks == p_.chunks - 1; }

  std::string tile_note(int64_t t) const {
    const Tile& T = tiles_[size_t(t)];
    return who_ + " tile " + std::to_string(t) + " (oh " + range(T.oh, T.th) + ", ow " + range(T.ow, T.tw) + ")";
  }
  std::string step_note(int64_t k) const {
    return tile_note(k / p_.chunks) + " chunk " + std::to_string(k % p_.chunks) + " (expanded blocks " +
           range((k % p_.chunks) * p_.te, p_.te) + ")";
  }
  // DRAM element of tile t's window in plane c: image row stride * oh - pad_top, column likewise.
  int64_t window(int64_t t, int64_t c) const {
    const Tile& T = tiles_[size_t(t)];
    const int64_t eb = cfg_.elem_bytes(int(MemType::INP));
    return int64_t(in_.offset) / eb + in_.at(c, p_.stride * T.oh - p_.dw.pad_top, p_.stride * T.ow - p_.dw.pad_left);
  }
  // Rows of a tile's window (its columns are always ec, the pitch), and how many rows or columns of
  // it lie outside the image on each side.
  int64_t window_rows(const Tile& T) const { return p_.span1(T.th) + p_.dw.r - 1; }
  struct Border {
    int64_t top, left, bottom, right;
  };
  Border border(const Tile& T) const {
    const int64_t y0 = p_.stride * T.oh - p_.dw.pad_top, x0 = p_.stride * T.ow - p_.dw.pad_left;
    return Border{std::max<int64_t>(0, -y0), std::max<int64_t>(0, -x0), std::max<int64_t>(0, y0 + window_rows(T) - p_.h),
                  std::max<int64_t>(0, x0 + p_.ec - p_.w)};
  }
  // Where window position (y, x) lies in a block's expanded window (ACC and INP alike).
  int64_t pos(int64_t y, int64_t x) const {
    return p_.stride == 1 ? y * p_.ec + x : (2 * (y % 2) + x % 2) * p_.sub + (y / 2) * p_.sp + x / 2;
  }
  std::ptrdiff_t weights_of(int64_t k) const { return steps_[size_t(p_.resident_weights ? k % p_.chunks : k)].wgt; }
  int64_t region_of(int64_t k) const { return k % regions_; }
  int64_t acc_exp(int64_t k) const { return p_.acc_exp + (k % p_.bufs) * p_.acc_exp_size; }
  int64_t acc_dw(int64_t k) const { return p_.acc_dw + (k % p_.bufs) * p_.acc_dw_size; }
  int64_t inp_e(int64_t k) const { return p_.inp_e + (k % p_.bufs) * p_.inp_e_size; }
  int64_t inp_d(int64_t k) const { return p_.inp_d + (k % p_.bufs) * p_.inp_d_size; }
  int64_t acc_prj(int64_t t) const { return p_.acc_prj + (t % p_.prj_bufs) * p_.acc_prj_size; }
  int64_t prj_pitch() const { return p_.th * p_.tw; }

  // ---- load unit: the tile's input window (with an expansion), the chunk's weights (once when
  // resident), and without an expansion the chunk's window itself ------------------------------
  void emit_loads(int64_t k) {
    const int64_t t = k / p_.chunks, j = k % p_.chunks, e0 = j * p_.te, te = p_.te, r = region_of(k);
    const int64_t er = window_rows(tiles_[size_t(t)]), wpe = p_.dw.wgt_elems(1);
    if (ex_ && j == 0) {
      const size_t first = b_.size();
      for (int64_t c = 0; c < p_.cb; ++c)
        b_.emit(mem_insn(Opcode::LOAD, MemType::INP, p_.inp_x + c * p_.er * p_.ec, window(t, c), er, p_.ec, in_.wp()),
                tile_note(t) + ": input block " + std::to_string(c));
      dep(release(step(k - 1).x_gemm), first);  // the previous tile's last expansion has read the old window
      x_load_[size_t(t)] = std::ptrdiff_t(b_.size() - 1);
    }
    if (!p_.resident_weights || t == 0) {
      const size_t first = b_.size();
      if (ex_)
        b_.emit(mem_insn(Opcode::LOAD, MemType::WGT, p_.wgt_exp_at(r), ex_->wgt_dram + e0 * p_.cb, 1, te * p_.cb, te * p_.cb),
                step_note(k) + ": expansion weights");
      b_.emit(mem_insn(Opcode::LOAD, MemType::WGT, p_.wgt_dw_at(r), dw_.wgt_dram + e0 * wpe, 1, te * wpe, te * wpe),
              step_note(k) + ": depthwise weights");
      b_.emit(mem_insn(Opcode::LOAD, MemType::WGT, p_.wgt_prj_at(r), pj_.wgt_dram + e0, p_.kb, te, p_.eb),
              step_note(k) + ": projection weights");
      if (!p_.resident_weights) dep(release(step(k - regions_).p_gemm), first);  // the region's last reader
      steps_[size_t(k)].wgt = std::ptrdiff_t(b_.size() - 1);
    }
    if (!ex_) {
      const size_t first = b_.size();
      for (int64_t e = 0; e < te; ++e)
        b_.emit(mem_insn(Opcode::LOAD, MemType::INP, inp_e(k) + e * p_.dw_set, window(t, e0 + e), er, p_.ec, in_.wp()),
                step_note(k) + ": input block " + std::to_string(e0 + e));
      dep(release(step(k - p_.bufs).d_gemm), first);
      steps_[size_t(k)].e_ready = std::ptrdiff_t(b_.size() - 1);
    }
  }

  // ---- expansion: accumulators from the bias; the GEMM over the window (stride 1: its positions
  // inside the image; stride 2: by parity, each sub-image from every other input row and column) ----
  void emit_expand_init(int64_t k) {
    const int64_t e0 = (k % p_.chunks) * p_.te;
    const int64_t used = p_.stride == 1 ? window_rows(tiles_[size_t(k / p_.chunks)]) * p_.ec : p_.win;
    const size_t mov = flag(channel_op(acc_exp(k), p_.te, p_.win, used, p_.acc_exp_bias + e0, AluOp::MOV, 0,
                                       step_note(k) + ": expansion accumulators from the bias"));
    dep(step(k - p_.bufs).e_done, mov);  // that copy of the accumulators has gone to the input buffer
  }
  // `between`: ALU work to dispatch after each GEMM (so the in-order dispatcher keeps both pipes fed).
  void emit_expand_gemm(int64_t k, std::vector<std::function<void()>>& between) {
    const int64_t t = k / p_.chunks, r = region_of(k), xblk = p_.er * p_.ec, s = p_.stride;
    const Tile& T = tiles_[size_t(t)];
    const auto [top, left, bottom, right] = border(T);
    // The window's positions inside the image, rows y0..y1 and columns x0..x1 (half-open): one loop at
    // stride 1, at stride 2 one GEMM per sub-image over its share of them.
    const int64_t y0 = top, y1 = window_rows(T) - bottom, x0 = left, x1 = p_.ec - right;
    for (int64_t py = 0; py < s; ++py)
      for (int64_t px = 0; px < s; ++px) {
        const int64_t ry0 = (y0 - py + s - 1) / s, ry1 = (y1 - py + s - 1) / s;
        const int64_t cx0 = (x0 - px + s - 1) / s, cx1 = (x1 - px + s - 1) / s;
        if (ry1 <= ry0 || cx1 <= cx0) continue;
        const int64_t y = ry0 * s + py, x = cx0 * s + px;  // the first position
        std::vector<Uop> uops;
        for (int64_t e = 0; e < p_.te; ++e)
          for (int64_t c = 0; c < p_.cb; ++c)
            uops.push_back({uint32_t(acc_exp(k) + e * p_.win + pos(y, x)), uint32_t(p_.inp_x + c * xblk + y * p_.ec + x),
                            uint32_t(p_.wgt_exp_at(r) + e * p_.cb + c)});
        UopLoopSpec gl;
        gl.uop_bgn = b_.kernel(uops), gl.uop_end = gl.uop_bgn + int64_t(uops.size());
        gl.iter_out = ry1 - ry0, gl.iter_in = cx1 - cx0;
        gl.dst_out = s == 1 ? p_.ec : p_.sp, gl.dst_in = 1, gl.src_out = s * p_.ec, gl.src_in = s;
        const std::string parity = s == 1 ? "" : " (rows " + std::to_string(py) + " mod 2, columns " + std::to_string(px) + " mod 2)";
        const size_t gemm = flag(b_.emit(gemm_insn(gl, false), step_note(k) + ": expansion multiply-accumulate" + parity));
        dep(x_load_[size_t(t)], gemm), dep(weights_of(k), gemm);
        steps_[size_t(k)].x_gemm = std::ptrdiff_t(gemm);
        if (!between.empty()) between.front()(), between.erase(between.begin());
      }
  }
  // REQ over the window, then its positions outside the image become the expanded zero point.
  void emit_expand_req(int64_t k) {
    const int64_t e0 = (k % p_.chunks) * p_.te;
    const Tile& T = tiles_[size_t(k / p_.chunks)];
    const int64_t er = window_rows(T), used = p_.stride == 1 ? er * p_.ec : p_.win;
    size_t last = requantize(*ex_, acc_exp(k), p_.te, p_.win, used, p_.acc_exp_mult + e0, step_note(k) + ": expansion");
    const auto fill = [&](bool row, int64_t at, const std::string& side) {  // one window row or column
      std::vector<Uop> u;
      for (int64_t e = 0; e < p_.te; ++e)
        for (int64_t q = 0; q < p_.stride; ++q)  // stride 2: both parities of the other coordinate
          u.push_back({uint32_t(acc_exp(k) + e * p_.win + (row ? pos(at, q) : pos(q, at))), 0, 0});
      UopLoopSpec l;
      l.uop_bgn = b_.kernel(u), l.uop_end = l.uop_bgn + int64_t(u.size());
      const int64_t pitch = p_.stride == 1 ? p_.ec : p_.sp;
      if (row) l.iter_in = pitch, l.dst_in = 1;
      else l.iter_out = p_.stride == 1 ? er : p_.sub / p_.sp, l.dst_out = pitch;
      last = flag(b_.emit(alu_insn(l, AluOp::MOV, true, ex_->q.out_zero_point), step_note(k) + ": " + side + " padding (zero point)"));
    };
    const auto [top, left, bottom, right] = border(T);
    for (int64_t y = 0; y < top; ++y) fill(true, y, "top");
    for (int64_t y = er - bottom; y < er; ++y) fill(true, y, "bottom");
    for (int64_t x = 0; x < left; ++x) fill(false, x, "left");
    for (int64_t x = p_.ec - right; x < p_.ec; ++x) fill(false, x, "right");
    steps_[size_t(k)].e_done = std::ptrdiff_t(last);
  }
  void emit_expand_copy(int64_t k) {
    const size_t copy = b_.emit(mem_insn(Opcode::STORE, MemType::OUT_TO_INP, acc_exp(k), inp_e(k), p_.te, p_.win, p_.dw_set),
                                step_note(k) + ": expanded window to the input buffer");
    dep(release(step(k - p_.bufs).d_gemm), copy);  // that copy of the window has been read
    dep(release(steps_[size_t(k)].e_done), copy);
    steps_[size_t(k)].e_ready = steps_[size_t(k)].e_done = std::ptrdiff_t(copy);
  }

  // ---- depthwise: one group per dw_rows output vectors at the window's pitch, one micro-op per tap;
  // REQ; STORE OUT_TO_INP of the output for the projection ---------------------------------------
  void emit_dw_init(int64_t k) {
    const size_t mov = flag(channel_op(acc_dw(k), p_.te, p_.dw_blk, p_.dw_blk, p_.acc_dw_bias + (k % p_.chunks) * p_.te,
                                       AluOp::MOV, 0, step_note(k) + ": depthwise accumulators from the bias"));
    dep(step(k - p_.bufs).d_copy, mov);
  }
  void emit_dw_gemm(int64_t k) {
    const ConvGeometry& d = p_.dw;
    const int64_t rows = d.dw_rows;
    std::vector<Uop> taps;
    for (int64_t y = 0; y < d.r; ++y)
      for (int64_t x = 0; x < d.s; ++x)
        taps.push_back({uint32_t(acc_dw(k)), uint32_t(inp_e(k) + pos(y, x)), uint32_t(p_.wgt_dw_at(region_of(k)) * rows + y * d.s + x)});
    UopLoopSpec dl;
    dl.uop_bgn = b_.kernel(taps), dl.uop_end = dl.uop_bgn + int64_t(taps.size());
    dl.iter_out = p_.te, dl.iter_in = (tiles_[size_t(k / p_.chunks)].th * p_.dpitch + rows - 1) / rows;
    dl.dst_out = p_.dw_blk, dl.dst_in = rows, dl.src_out = p_.dw_set, dl.src_in = rows, dl.wgt_out = d.wgt_elems(1) * rows;
    const size_t gemm = flag(b_.emit(gemm_insn(dl, false), step_note(k) + ": depthwise multiply-accumulate"));
    b_.insn(gemm)[Field::DEPTHWISE] = 1;
    dep(weights_of(k), gemm), dep(steps_[size_t(k)].e_ready, gemm);
    steps_[size_t(k)].d_gemm = std::ptrdiff_t(gemm);
  }
  void emit_dw_req(int64_t k) {
    steps_[size_t(k)].d_done = std::ptrdiff_t(requantize(dw_, acc_dw(k), p_.te, p_.dw_blk, p_.dw_blk,
                                                         p_.acc_dw_mult + (k % p_.chunks) * p_.te, step_note(k) + ": depthwise"));
  }
  void emit_dw_copy(int64_t k) {
    const size_t copy = b_.emit(mem_insn(Opcode::STORE, MemType::OUT_TO_INP, acc_dw(k), inp_d(k), 1, p_.te * p_.dw_blk, p_.te * p_.dw_blk),
                                step_note(k) + ": depthwise output to the input buffer");
    dep(release(step(k - p_.bufs).p_gemm), copy), dep(release(steps_[size_t(k)].d_done), copy);
    steps_[size_t(k)].d_copy = std::ptrdiff_t(copy);
  }

  // ---- projection into the tile's accumulators, accumulating over the chunks; after the tile's last
  // chunk the epilogue (REQ, then the fused add with the skip tile) and the stores ----------------
  void emit_project_init(int64_t t) {
    const Tile& T = tiles_[size_t(t)];
    const size_t mov = flag(channel_op(acc_prj(t), p_.kb, prj_pitch(), T.th * T.tw, p_.acc_prj_bias, AluOp::MOV, 0,
                                       tile_note(t) + ": projection accumulators from the bias"));
    dep(t >= p_.prj_bufs ? o_store_[size_t(t - p_.prj_bufs)] : -1, mov);
  }
  void emit_project_gemm(int64_t k) {
    const int64_t t = k / p_.chunks, w_prj = p_.wgt_prj_at(region_of(k));
    const Tile& T = tiles_[size_t(t)];
    std::vector<Uop> uops;
    for (int64_t kk = 0; kk < p_.kb; ++kk)
      for (int64_t e = 0; e < p_.te; ++e)
        uops.push_back({uint32_t(acc_prj(t) + kk * prj_pitch()), uint32_t(inp_d(k) + e * p_.dw_blk), uint32_t(w_prj + kk * p_.te + e)});
    UopLoopSpec pl;
    pl.uop_bgn = b_.kernel(uops), pl.uop_end = pl.uop_bgn + int64_t(uops.size());
    pl.iter_out = T.th, pl.iter_in = T.tw, pl.dst_out = T.tw, pl.dst_in = 1, pl.src_out = p_.dpitch, pl.src_in = 1;
    const size_t gemm = flag(b_.emit(gemm_insn(pl, false), step_note(k) + ": projection multiply-accumulate"));
    dep(steps_[size_t(k)].d_copy, gemm), dep(weights_of(k), gemm);
    steps_[size_t(k)].p_gemm = std::ptrdiff_t(gemm);
  }
  void emit_project_epilogue(int64_t t) {
    const Tile& T = tiles_[size_t(t)];
    const std::string at = tile_note(t);
    const int64_t pitch = prj_pitch(), vectors = (p_.kb - 1) * pitch + T.th * T.tw;
    const int64_t acc_skip = p_.overlap ? p_.acc_skip + (t % p_.prj_bufs) * p_.kb * pitch : acc_prj(t) + p_.kb * pitch;
    size_t last = requantize(pj_, acc_prj(t), p_.kb, pitch, T.th * T.tw, p_.acc_prj_mult, at + ": projection");
    if (add_) {
      // With overlap the skip tile lies in the other bank: these wait for both pipes (once per tile).
      const auto mark = [&](size_t i) { return p_.overlap ? i : flag(i); };
      const int64_t a8 = cfg_.elem_bytes(int(MemType::ACC_8BIT));
      for (int64_t kk = 0; kk < p_.kb; ++kk)
        mark(b_.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, acc_skip + kk * pitch, int64_t(in_.offset) / a8 + in_.at(kk, T.oh, T.ow),
                              T.th, T.tw, in_.wp()),
                     at + ": skip block " + std::to_string(kk)));
      for (size_t a : emit_residual_add(b_, *add_, blk_.project.residual->skip_first, acc_prj(t), acc_skip, vectors, p_.acc_res, at))
        last = mark(a);
    }
    p_done_[size_t(t)] = std::ptrdiff_t(last);
  }
  void emit_project_stores(int64_t t) {
    const Tile& T = tiles_[size_t(t)];
    const int64_t out_eb = cfg_.elem_bytes(int(MemType::OUT));
    const size_t first_store = b_.size();
    for (int64_t kk = 0; kk < p_.kb; ++kk)
      b_.emit(mem_insn(Opcode::STORE, MemType::OUT, acc_prj(t) + kk * prj_pitch(), int64_t(out_.offset) / out_eb + out_.at(kk, T.oh, T.ow),
                       T.th, T.tw, out_.wp()),
              tile_note(t) + ": store block " + std::to_string(kk));
    dep(release(p_done_[size_t(t)]), first_store);
    o_store_[size_t(t)] = std::ptrdiff_t(b_.size() - 1);
  }

  // ---- program orders ---------------------------------------------------------------------------
  // With double buffers the expansion of step i, the depthwise conv of step i - 1 and the projection of
  // step i - 2 share an iteration, so each unit finds work while the others copy.
  void run_in_order() {
    const int64_t lag = p_.bufs - 1;
    std::vector<std::function<void()>> none;
    for (int64_t i = 0; i < n_steps_ + 2 * lag; ++i) {
      if (valid(i)) {
        emit_loads(i);
        if (ex_) emit_expand_init(i), emit_expand_gemm(i, none), emit_expand_req(i), emit_expand_copy(i);
      }
      if (valid(i - lag)) emit_dw_init(i - lag), emit_dw_gemm(i - lag), emit_dw_req(i - lag), emit_dw_copy(i - lag);
      const int64_t k = i - 2 * lag;
      if (!valid(k)) continue;
      if (first_of_tile(k)) emit_project_init(k / p_.chunks);
      emit_project_gemm(k);
      if (last_of_tile(k)) emit_project_epilogue(k / p_.chunks), emit_project_stores(k / p_.chunks);
    }
  }
  // Overlap: two phases per iteration i, each opened by a sync (which also carries every token the
  // previous phase's compute work owes the other units). Phase A: the expansion GEMM of i (bank 0)
  // beside bank-1 ALU work (depthwise bias of i - 1 and REQ of i - 2, the projection's bias and a
  // finished tile's epilogue); phase B: the depthwise GEMM of i - 1 and the projection of i - 3
  // (bank 1) beside the expansion's REQ of i and bias of i + 1 (bank 0), interleaved so each pipe's
  // next instruction is already dispatched. A step's copies run in the phase after its REQ.
  void sync(const std::string& what) {
    UopLoopSpec l;
    l.uop_bgn = b_.kernel({{0, 0, 0}}), l.uop_end = l.uop_bgn + 1, l.iter_out = 0;
    syncs_.push_back(b_.emit(alu_insn(l, AluOp::MOV, true, 0), who_ + ": " + what + " (sync: both pipes done)"));
  }
  void run_overlapped() {
    if (ex_) emit_expand_init(0);
    std::vector<int64_t> stores_due;  // tiles whose epilogue ran in phase A
    for (int64_t i = 0; i < n_steps_ + 4; ++i) {
      sync("phase A " + std::to_string(i));
      if (ex_ && valid(i - 1)) emit_expand_copy(i - 1);
      if (valid(i)) emit_loads(i);
      std::vector<std::function<void()>> alu;  // bank-1 ALU work, dispatched between the expansion's GEMMs
      if (valid(i - 1)) alu.push_back([this, i] { emit_dw_init(i - 1); });
      if (valid(i - 2)) alu.push_back([this, i] { emit_dw_req(i - 2); });
      if (valid(i - 3) && first_of_tile(i - 3)) alu.push_back([this, i] { emit_project_init((i - 3) / p_.chunks); });
      if (valid(i - 4) && last_of_tile(i - 4)) {
        alu.push_back([this, i] { emit_project_epilogue((i - 4) / p_.chunks); });
        stores_due.push_back((i - 4) / p_.chunks);
      }
      if (ex_ && valid(i)) emit_expand_gemm(i, alu);
      for (const auto& f : alu) f();

      sync("phase B " + std::to_string(i));
      if (valid(i - 2)) emit_dw_copy(i - 2);
      for (int64_t t : stores_due) emit_project_stores(t);
      stores_due.clear();
      if (valid(i - 1)) emit_dw_gemm(i - 1);
      if (ex_ && valid(i)) emit_expand_req(i);
      if (valid(i - 3)) emit_project_gemm(i - 3);
      if (ex_ && valid(i + 1)) emit_expand_init(i + 1);
    }
  }

  const ConvBlock& blk_;
  ProgramBuilder& b_;
  const DerivedConfig& cfg_;
  const ActBuffer &in_, &out_;
  const std::string who_;
  TokenLinks links_;
  BlockPlan p_;
  std::optional<Stage> ex_;
  Stage dw_, pj_;
  std::optional<AddRequant> add_;
  std::vector<Tile> tiles_;
  int64_t n_steps_ = 0, regions_ = 1;
  std::vector<Step> steps_;
  std::vector<std::ptrdiff_t> x_load_, o_store_, p_done_;
  std::vector<size_t> syncs_;
};

}  // namespace

void lower_block(const ConvBlock& blk, const BlockSchedule& s, ProgramBuilder& b, const ActBuffer& in,
                 const ActBuffer& out) {
  BlockLowering(blk, s, b, in, out).run();
}

}  // namespace tessera::compiler
