// Layout pass: blocked tensors carry the halo their consumers' padding needs, so producers store
// straight into the layout consumers load and nothing is repacked between accelerator layers.
#include <algorithm>

#include "compiler/compile_error.h"
#include "compiler/lower_conv.h"
#include "compiler/network/passes.h"

namespace tessera::compiler {
namespace {

int64_t blocks(int64_t n, int64_t b) { return (n + b - 1) / b; }

std::string dense_layout(size_t rank) {
  static const char* names[] = {"", "C", "NC", "NCW", "NCHW"};
  return rank < 5 ? names[rank] : "ND" + std::to_string(rank);
}

}  // namespace

Plans plan_layouts(const Network& net, const DerivedConfig& cfg) {
  Plans plans;
  for (const auto& [name, t] : net.tensors) {
    TensorPlan p;
    p.layout = dense_layout(t.shape.size());
    int64_t elems = 1;
    for (int64_t d : t.shape) elems *= d;
    p.bytes = uint64_t(elems * dtype_bytes(t.dtype));
    plans[name] = p;
  }
  const auto block = [&](const std::string& name, const NetNode& n) -> TensorPlan& {
    const NetTensor& t = net.tensor(name);
    TensorPlan& p = plans.at(name);
    if (!t.quantized() || (t.shape.size() != 4 && t.shape.size() != 2))
      throw CompileError(net.source + ": node '" + n.name + "': tensor '" + name + "' must be a quantized NCHW or NC tensor");
    p.blocked = true;
    p.buf.planes = blocks(t.shape[0], cfg.hw.batch) * blocks(t.shape[1], cfg.hw.block_out);
    p.buf.h = t.shape.size() == 4 ? t.shape[2] : 1, p.buf.w = t.shape.size() == 4 ? t.shape[3] : 1;
    return p;
  };
  for (const NetNode& n : net.nodes) {
    if (n.placement != Placement::ACCEL) continue;
    // A fused block's window is its depthwise conv's (the expansion is 1x1).
    const Layer& l = n.block ? n.block->depthwise : *n.layer;
    for (const auto& out : n.outputs) block(out, n);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string& in = n.inputs[i];
      TensorPlan& p = block(in, n);
      // The window reads the first input; a conv's second is a fused add's skip tensor.
      const bool windowed = (l.kind == LayerKind::CONV2D || l.kind == LayerKind::MAX_POOL) && i == 0;
      if (!windowed) continue;
      const bool min = l.kind == LayerKind::MAX_POOL;
      const bool padded = l.pad_top || l.pad_left || l.pad_bottom || l.pad_right;
      if (padded && (p.buf.top || p.buf.left || p.buf.bottom || p.buf.right) && p.min_halo != min)
        throw CompileError(net.source + ": node '" + n.name + "': tensor '" + in +
                           "' feeds both a max-pool and a convolution with padding; their halos differ (minimum vs zero point)");
      if (padded) p.min_halo = min;
      p.buf.top = std::max<int64_t>(p.buf.top, l.pad_top), p.buf.left = std::max<int64_t>(p.buf.left, l.pad_left);
      p.buf.bottom = std::max<int64_t>(p.buf.bottom, l.pad_bottom), p.buf.right = std::max<int64_t>(p.buf.right, l.pad_right);
      if (l.kind == LayerKind::CONV2D) p.slack = std::max(p.slack, p.buf.w + l.pad_left + l.pad_right);
    }
  }
  for (const NetNode& n : net.nodes)  // a free reshape shares its input's bytes
    if (n.placement == Placement::ALIAS) {
      TensorPlan& in = plans.at(n.inputs[0]);
      if (in.buf.top || in.buf.left || in.buf.bottom || in.buf.right)
        throw CompileError(net.source + ": node '" + n.name + "': internal error, reshaping a tensor with a halo");
      TensorPlan& out = block(n.outputs[0], n);
      out.alias_of = in.alias_of.empty() ? n.inputs[0] : in.alias_of;
    }
  const int64_t eb = cfg.elem_bytes(int(MemType::OUT));
  for (auto& [name, p] : plans) {
    if (!p.blocked) continue;
    p.buf.w = std::max<int64_t>(p.buf.w, 1);
    const NetTensor& t = net.tensor(name);
    p.bytes = uint64_t(p.buf.elements() * eb), p.slack_bytes = uint64_t(p.slack * eb);
    p.layout = blocked_layout(t.shape.size() == 2, cfg.hw.batch, cfg.hw.block_out, nullptr);
    if (p.buf.top || p.buf.left || p.buf.bottom || p.buf.right)
      p.layout += std::string(p.min_halo ? "_minpad" : "_pad") + std::to_string(p.buf.top) + "_" + std::to_string(p.buf.left) +
                  "_" + std::to_string(p.buf.bottom) + "_" + std::to_string(p.buf.right);
  }
  return plans;
}

}  // namespace tessera::compiler
