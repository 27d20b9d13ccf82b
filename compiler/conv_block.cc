// Fused inverted-residual blocks: chain checks, SRAM plans and the schedule space.
#include "compiler/conv_block.h"

#include <algorithm>

#include "compiler/compile_error.h"
#include "compiler/schedule.h"

namespace tessera::compiler {
namespace {

[[noreturn]] void fail(const ConvBlock& b, const std::string& why) {
  throw CompileError("block '" + b.name() + "': " + why);
}

bool pointwise(const Layer& l) {
  return l.kind == LayerKind::CONV2D && l.group == 1 && l.kernel_h == 1 && l.kernel_w == 1 && l.stride_h == 1 &&
         l.stride_w == 1 && !l.pad_top && !l.pad_left && !l.pad_bottom && !l.pad_right;
}

bool same_tensor(const QTensor& a, const QTensor& b) {
  return a.type == b.type && a.shape == b.shape && a.scale == b.scale && a.zero_point == b.zero_point;
}

// The depthwise conv at stride 1 over the same padded input (what the depthwise mode computes).
Layer stride_one(const Layer& d) {
  Layer t = d;
  t.stride_h = t.stride_w = 1;
  if (t.output.shape.size() == 4 && t.inputs.size() == 1 && t.inputs[0].shape.size() == 4) {
    t.output.shape[2] = t.inputs[0].shape[2] + t.pad_top + t.pad_bottom - t.kernel_h + 1;
    t.output.shape[3] = t.inputs[0].shape[3] + t.pad_left + t.pad_right - t.kernel_w + 1;
  }
  return t;
}

}  // namespace

std::string block_schedule_json(const BlockSchedule& s) {
  return "{\"tile_h\": " + std::to_string(s.tile_h) + ", \"tile_w\": " + std::to_string(s.tile_w) +
         ", \"tile_e\": " + std::to_string(s.tile_e) + ", \"bufs\": " + std::to_string(s.bufs) +
         ", \"overlap\": " + std::to_string(s.overlap) + "}";
}

void check_block(const ConvBlock& b, const DerivedConfig& cfg) {
  if (cfg.hw.block_in != cfg.hw.block_out) fail(b, "needs BLOCK_IN = BLOCK_OUT (STORE OUT_TO_INP)");
  if (b.expand && (!pointwise(*b.expand) || b.expand->residual)) fail(b, "the expansion must be a plain 1x1 conv");
  if (!pointwise(b.project)) fail(b, "the projection must be a 1x1 conv");
  const ConvGeometry real = conv_geometry(b.depthwise, cfg);
  if (real.stride_h != real.stride_w || real.stride_h > 2) fail(b, "the depthwise conv's stride must be 1 or 2 in both directions");
  if (real.stride_h == 2 && !b.expand) fail(b, "a stride-2 block needs its expansion (which lays its window out by parity)");
  const ConvGeometry d = conv_geometry(stride_one(b.depthwise), cfg);
  if (!d.dw_max) fail(b, "the depthwise conv is not one the config's depthwise mode computes (group = C = K)");
  if (d.nb != 1) fail(b, "more than one batch block");
  if (b.expand) {
    conv_geometry(*b.expand, cfg);
    if (!same_tensor(b.expand->output, b.depthwise.inputs[0])) fail(b, "the expansion does not feed the depthwise conv");
  }
  conv_geometry(b.project, cfg);
  if (!same_tensor(b.depthwise.output, b.project.inputs[0])) fail(b, "the depthwise conv does not feed the projection");
  if (b.project.residual && !same_tensor(b.project.residual->skip, b.input()))
    fail(b, "the residual add's skip is not the block's input");
}

BlockPlan plan_block(const ConvBlock& b, const BlockSchedule& s, const DerivedConfig& cfg,
                     std::vector<std::string>* issues) {
  BlockPlan p;
  const int64_t bo = cfg.hw.block_out;
  Schedule dws;
  dws.tile_h = s.tile_h, dws.tile_w = s.tile_w, dws.depthwise = 1;
  p.dw = with_schedule(conv_geometry(stride_one(b.depthwise), cfg), dws);
  p.stride = b.depthwise.stride_h;
  p.cb = (b.input().shape[1] + bo - 1) / bo, p.eb = p.dw.kb, p.kb = (b.project.output.shape[1] + bo - 1) / bo;
  p.h = p.dw.h, p.w = p.dw.w, p.oh = b.depthwise.output.shape[2], p.ow = b.depthwise.output.shape[3];
  p.th = s.tile_h, p.tw = s.tile_w, p.te = s.tile_e;
  const int64_t th1 = p.span1(p.th), tw1 = p.span1(p.tw);
  p.er = p.dw.in_rows(th1), p.ec = p.dw.in_cols(tw1), p.chunks = p.te > 0 ? (p.eb + p.te - 1) / p.te : 0;
  if (p.stride == 1) {
    p.win = p.er * p.ec, p.dpitch = p.ec;
    p.dw_blk = p.dw.acc_block(th1, tw1), p.dw_set = p.dw.inp_set(th1, tw1);
  } else {
    // Sub-image rows and columns: ceil(er / 2) and ceil(ec / 2) (the even ones are the longer).
    p.sp = (p.ec + 1) / 2, p.sub = (p.er + 1) / 2 * p.sp, p.win = 4 * p.sub, p.dpitch = p.sp;
    p.dw_blk = (p.th * p.sp + p.dw.dw_rows - 1) / p.dw.dw_rows * p.dw.dw_rows;
    // The farthest tap start: sub-image 3 (odd row, odd column) at offset 0 for a 3x3 kernel.
    int64_t reach = 0;
    for (int64_t y = 0; y < p.dw.r; ++y)
      for (int64_t x = 0; x < p.dw.s; ++x) reach = std::max(reach, (2 * (y % 2) + x % 2) * p.sub + (y / 2) * p.sp + x / 2);
    p.dw_set = std::max(p.win, reach + p.dw_blk);
  }
  p.wgt_exp = b.expand ? p.te * p.cb : 0, p.wgt_dw = p.te * p.dw.wgt_elems(1), p.wgt_prj = p.kb * p.te;
  const int64_t region = p.wgt_exp + p.wgt_dw + p.wgt_prj;
  p.resident_weights = p.chunks * region <= cfg.wgt.depth;
  p.overlap = s.overlap == 1;
  p.wgt_regions = p.resident_weights ? p.chunks : p.overlap ? 5 : 3;
  p.wgt_dw_base = p.wgt_regions * p.wgt_dw;
  p.wgt_used = p.wgt_regions * region;

  int64_t at = 0;
  const auto take = [&](int64_t& where, int64_t n) { where = at, at += n; };
  p.bufs = s.bufs;
  p.acc_exp_size = b.expand ? p.te * p.win : 0, p.acc_dw_size = p.te * p.dw_blk;
  const int64_t tiles = ((p.oh + p.th - 1) / std::max<int64_t>(1, p.th)) * ((p.ow + p.tw - 1) / std::max<int64_t>(1, p.tw));
  const int64_t prj_tile = p.kb * p.th * p.tw;
  p.prj_bufs = p.overlap ? std::min(p.bufs, tiles) : p.bufs;
  p.acc_prj_size = (b.project.residual && !p.overlap ? 2 : 1) * prj_tile;
  if (b.expand) take(p.acc_exp_bias, p.eb), take(p.acc_exp_mult, p.eb);
  take(p.acc_exp, p.bufs * p.acc_exp_size);
  if (p.overlap) {
    if (b.project.residual) take(p.acc_skip, p.prj_bufs * prj_tile);
    p.acc_used = at;
    at = cfg.acc.depth / 2;
  }
  take(p.acc_dw_bias, p.eb), take(p.acc_dw_mult, p.eb), take(p.acc_prj_bias, p.kb), take(p.acc_prj_mult, p.kb);
  if (b.project.residual) take(p.acc_res, 1);
  take(p.acc_dw, p.bufs * p.acc_dw_size), take(p.acc_prj, p.prj_bufs * p.acc_prj_size);
  if (p.overlap) p.acc_bank1_used = at - cfg.acc.depth / 2;
  else p.acc_used = at;
  at = 0;
  p.inp_e_size = p.te * p.dw_set, p.inp_d_size = p.te * p.dw_blk;
  if (b.expand) take(p.inp_x, p.cb * p.er * p.ec);
  take(p.inp_e, p.bufs * p.inp_e_size), take(p.inp_d, p.bufs * p.inp_d_size);
  p.inp_used = at;

  if (issues) {
    const auto over = [&](const char* what, int64_t used, int64_t depth) {
      if (used > depth)
        issues->push_back(std::string(what) + " SRAM: needs " + std::to_string(used) + " elements, has " + std::to_string(depth));
    };
    if (s.tile_h < 1 || s.tile_h > p.oh || s.tile_w < 1 || s.tile_w > p.ow || s.tile_e < 1 || s.tile_e > p.eb ||
        (s.bufs != 1 && s.bufs != 2) || (s.overlap != 0 && s.overlap != 1) || (s.overlap && s.bufs != 2)) {
      issues->push_back("tile sizes outside the block (" + block_schedule_json(s) + ")");
      return p;
    }
    over("ACC", p.acc_used, p.overlap ? cfg.acc.depth / 2 : cfg.acc.depth);
    if (p.overlap) over("ACC (upper bank)", p.acc_bank1_used, cfg.acc.depth / 2);
    over("INP", p.inp_used, cfg.inp.depth);
    over("WGT", p.wgt_used, cfg.wgt.depth);
    if (p.wgt_dw_base * bo > cfg.wgt.depth)
      issues->push_back("depthwise weight rows past the WGT depth (" + std::to_string(p.wgt_dw_base * bo) + ")");
    if (p.er * p.ec >= (int64_t{1} << 14)) issues->push_back("an expanded window of more than 16383 vectors (iter_in)");
  }
  return p;
}

BlockBuffers block_buffers(const ConvBlock& b, const DerivedConfig& cfg) {
  const ConvGeometry d = conv_geometry(b.depthwise, cfg);
  const int64_t bo = cfg.hw.block_out;
  BlockBuffers x;
  x.in.planes = (b.input().shape[1] + bo - 1) / bo, x.in.h = d.h, x.in.w = d.w;
  x.in.top = d.pad_top, x.in.left = d.pad_left, x.in.bottom = d.pad_bottom, x.in.right = d.pad_right;
  x.out.planes = (b.output().shape[1] + bo - 1) / bo, x.out.h = d.oh, x.out.w = d.ow;
  return x;
}

std::vector<BlockSchedule> block_schedules(const ConvBlock& b, const DerivedConfig& cfg) {
  std::vector<BlockSchedule> out;
  const ConvGeometry d = conv_geometry(b.depthwise, cfg);
  for (int64_t tw = 1; tw <= d.ow; ++tw) {
    if (d.ow % tw) continue;
    for (int64_t th = 1; th <= d.oh; ++th)
      for (int64_t te = 1; te <= d.kb; ++te)
        for (int64_t mode = 0; mode < 3 && d.kb % te == 0; ++mode) {  // single, double, double + overlap
          std::vector<std::string> issues;
          const BlockSchedule s{th, tw, te, mode == 0 ? 1 : 2, mode == 2 ? 1 : 0};
          plan_block(b, s, cfg, &issues);
          if (issues.empty()) out.push_back(s);
        }
  }
  return out;
}

}  // namespace tessera::compiler
