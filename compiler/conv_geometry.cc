// Layer shape checks and block counts for conv/dense lowering.
#include "compiler/conv_geometry.h"

#include <numeric>
#include <string>

#include "compiler/compile_error.h"

namespace tessera::compiler {
namespace {

int64_t blocks(int64_t n, int64_t block) { return (n + block - 1) / block; }

[[noreturn]] void fail(const Layer& l, const std::string& why) {
  throw CompileError("layer '" + l.name + "': " + why);
}

}  // namespace

ConvGeometry conv_geometry(const Layer& l, const DerivedConfig& cfg) {
  if (l.kind != LayerKind::CONV2D && l.kind != LayerKind::DENSE) fail(l, "not a conv or dense layer");
  if (l.inputs.size() != 1) fail(l, "expects one input, got " + std::to_string(l.inputs.size()));
  const auto& in = l.inputs[0].shape;
  const bool dense = l.kind == LayerKind::DENSE;
  if (in.size() != (dense ? 2u : 4u)) fail(l, std::string("input must be ") + (dense ? "NC" : "NCHW"));
  for (int64_t d : in)
    if (d < 1) fail(l, "input has an empty dimension");
  ConvGeometry g;
  g.n = in[0], g.c = in[1], g.h = dense ? 1 : in[2], g.w = dense ? 1 : in[3];
  if (!dense) {
    g.r = l.kernel_h, g.s = l.kernel_w, g.stride_h = l.stride_h, g.stride_w = l.stride_w;
    g.pad_top = l.pad_top, g.pad_left = l.pad_left, g.pad_bottom = l.pad_bottom, g.pad_right = l.pad_right;
  }
  if (g.r < 1 || g.s < 1 || g.stride_h < 1 || g.stride_w < 1) fail(l, "kernel and stride must be >= 1");
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) fail(l, "negative padding");
  g.group = dense ? 1 : l.group;
  if (g.group < 1 || g.c % g.group != 0)
    fail(l, "group " + std::to_string(g.group) + " does not divide the " + std::to_string(g.c) + " input channels");
  g.cg = g.c / g.group;
  const int64_t taps = g.cg * g.r * g.s;
  if (l.weights.empty() || int64_t(l.weights.size()) % taps != 0)
    fail(l, std::to_string(l.weights.size()) + (g.group == 1 ? " weights are not a multiple of C*R*S = " : " weights are not a multiple of C/group*R*S = ") + std::to_string(taps));
  g.k = int64_t(l.weights.size()) / taps;
  if (g.k % g.group != 0)
    fail(l, "group " + std::to_string(g.group) + " does not divide the " + std::to_string(g.k) + " output channels");
  g.kg = g.k / g.group;
  if (!l.bias.empty() && int64_t(l.bias.size()) != g.k)
    fail(l, "bias has " + std::to_string(l.bias.size()) + " entries for " + std::to_string(g.k) + " output channels");
  if (l.weight_scales.size() != 1 && int64_t(l.weight_scales.size()) != g.k)
    fail(l, "weight_scales must have 1 or K = " + std::to_string(g.k) + " entries");
  g.hp = g.h + g.pad_top + g.pad_bottom, g.wp = g.w + g.pad_left + g.pad_right;
  g.oh = g.hp < g.r ? 0 : (g.hp - g.r) / g.stride_h + 1;
  g.ow = g.wp < g.s ? 0 : (g.wp - g.s) / g.stride_w + 1;
  if (g.oh < 1 || g.ow < 1) fail(l, "the kernel does not fit the padded input");
  const std::vector<int64_t> want = dense ? std::vector<int64_t>{g.n, g.k} : std::vector<int64_t>{g.n, g.k, g.oh, g.ow};
  if (l.output.shape != want) fail(l, "output shape does not match the input shape and geometry");
  if (l.residual) {
    if (dense) fail(l, "a residual add is fused into convolutions only");
    if (l.residual->skip.shape != want || l.residual->sum.shape != want)
      fail(l, "the fused residual add's skip and sum tensors must have the conv output's shape");
    g.residual = true, g.skip_first = l.residual->skip_first;
  }
  g.nb = blocks(g.n, cfg.hw.batch), g.cb = blocks(g.c, cfg.hw.block_in), g.kb = blocks(g.k, cfg.hw.block_out);
  // Block groups: m channel groups fill whole input and output blocks (m * cg % BLOCK_IN == 0,
  // m * kg % BLOCK_OUT == 0).
  const int64_t bi = cfg.hw.block_in, bo = cfg.hw.block_out;
  const int64_t m = std::lcm(bi / std::gcd(bi, g.cg), bo / std::gcd(bo, g.kg));
  g.gb = blocks(g.group, m);
  if (g.gb <= 1) {
    g.gb = 1, g.cbg = g.cb, g.kbg = g.kb;
  } else {
    g.cbg = m * g.cg / bi, g.kbg = m * g.kg / bo;
  }
  if (cfg.hw.depthwise && g.group == g.c && g.k == g.c && g.stride_h == 1 && g.stride_w == 1 && !g.residual &&
      g.cbg == 1 && g.kbg == 1)
    g.dw_max = bo;
  return g;
}

}  // namespace tessera::compiler
