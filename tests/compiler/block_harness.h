// Shared test harness for fused blocks: random chained layers, a program around lower_block, the
// plain-loop reference of the three layers (and the add) one after another.
#pragma once

#include <map>
#include <string>

#include "compiler/conv_block.h"
#include "compiler/conv_geometry.h"
#include "compiler/lower_block.h"
#include "compiler/lower_conv.h"
#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler::testing {

struct BlockSpec {
  ElemType type = ElemType::UINT8;
  int64_t c = 24, e = 48, k = 24, h = 9, w = 10;
  int stride = 1;  // the depthwise conv's
  bool expand = true, residual = false, clamp = false, skip_first = false;
};

// The next layer reads `from`'s output: its input becomes that tensor, its output scale follows the
// input scale's change (random_layer picks it so results spread over the range).
inline void chain(const QTensor& from, Layer& l) {
  l.output.scale *= from.scale / l.inputs[0].scale;
  l.inputs[0] = from;
}

inline ConvBlock random_block(const BlockSpec& s, uint64_t seed) {
  ConvBlock b;
  RandomLayerSpec ls;
  ls.type = s.type, ls.h = s.h, ls.w = s.w, ls.per_channel = true;
  if (s.expand) {
    ls.c = s.c, ls.k = s.e, ls.kernel = 1, ls.relu = true, ls.clamp = s.clamp;
    b.expand = random_layer(ls, seed);
    b.expand->name = "expand", b.expand->output.name = "e";
  }
  ls.c = s.e, ls.k = s.e, ls.group = int(s.e), ls.kernel = 3, ls.pad = 1, ls.stride = s.stride, ls.relu = true, ls.clamp = s.clamp;
  b.depthwise = random_layer(ls, seed + 1);
  ls.h = b.depthwise.output.shape[2], ls.w = b.depthwise.output.shape[3], ls.stride = 1;
  b.depthwise.name = "depthwise", b.depthwise.output.name = "d";
  if (b.expand) chain(b.expand->output, b.depthwise);
  ls.c = s.e, ls.k = s.k, ls.group = 1, ls.kernel = 1, ls.pad = 0, ls.relu = false, ls.clamp = false;
  b.project = random_layer(ls, seed + 2);
  b.project.name = "project", b.project.output.name = "p";
  chain(b.depthwise.output, b.project);
  if (s.residual) {
    QTensor sum = b.project.output;
    sum.name = "y", sum.scale *= 1.5, sum.zero_point = s.type == ElemType::UINT8 ? 120 : -5;
    b.project.residual = ResidualAdd{b.input(), sum, false, s.skip_first};
  }
  return b;
}

// The block alone as a program: input "x" with the depthwise conv's halo (and a row of slack), output.
inline Program block_program(const ConvBlock& blk, const BlockSchedule& s, const DerivedConfig& cfg) {
  ProgramBuilder b(cfg);
  const ConvGeometry d = conv_geometry(blk.depthwise, cfg);
  const int64_t eb = cfg.elem_bytes(int(MemType::OUT)), bo = cfg.hw.block_out;
  auto [in, out] = block_buffers(blk, cfg);
  const auto tensor = [&](const QTensor& q, TensorDir dir, const ActBuffer& a, const ConvGeometry* halo, uint64_t slack) {
    TensorInfo t;
    t.name = q.name, t.dir = dir, t.dtype = dtype_of(q.type), t.shape = q.shape, t.scale = q.scale, t.zero_point = q.zero_point;
    t.layout = blocked_layout(false, cfg.hw.batch, int(bo), halo);
    t.bytes = uint64_t(a.elements() * eb);
    t.dram_offset = b.reserve(t.bytes + slack, uint64_t(eb));
    b.add_tensor(t);
    return t.dram_offset;
  };
  in.offset = tensor(blk.input(), TensorDir::INPUT, in, &d, uint64_t(in.wp() * eb));
  out.offset = tensor(blk.output(), TensorDir::OUTPUT, out, nullptr, 0);
  lower_block(blk, s, b, in, out);
  return b.finish("block test", nullptr);
}

// The reference: each layer's plain loops in turn, then the add (in its operand order).
inline std::vector<int32_t> block_reference(const ConvBlock& blk, const std::vector<int32_t>& x) {
  std::vector<int32_t> v = x;
  if (blk.expand) v = reference::conv2d(*blk.expand, v);
  v = reference::conv2d(blk.depthwise, v);
  Layer p = blk.project;
  p.residual.reset();
  v = reference::conv2d(p, v);
  if (!blk.project.residual) return v;
  const ResidualAdd& r = *blk.project.residual;
  Layer add;
  add.kind = LayerKind::ADD, add.name = "add", add.output = r.sum, add.relu = r.relu;
  add.inputs = r.skip_first ? std::vector<QTensor>{r.skip, p.output} : std::vector<QTensor>{p.output, r.skip};
  return r.skip_first ? reference::add(add, x, v) : reference::add(add, v, x);
}

inline std::vector<int32_t> block_input(const ConvBlock& blk, uint64_t seed) {
  size_t count = 1;
  for (int64_t d : blk.input().shape) count *= size_t(d);
  return random_values(blk.input().type, count, seed);
}

// The block's output with schedule `s` on `backend` for input `x`; `cycles` gets the run's cycles.
inline std::vector<int32_t> run_block(const ConvBlock& blk, const BlockSchedule& s, const DerivedConfig& cfg,
                                      const std::string& backend, const std::vector<int32_t>& x, uint64_t* cycles = nullptr) {
  const Program p = block_program(blk, s, cfg);
  Device dev(cfg, backend);
  const DeviceRun r = dev.run(p, {{"x", to_npy(x, blk.input().type, blk.input().shape)}});
  if (cycles) *cycles = r.report.cycles;
  return from_npy(r.outputs.at(blk.output().name));
}

// Runs the block with schedule `s` on `backend` and adds its output to `agree` against the reference.
inline void run_block_and_compare(const ConvBlock& blk, const BlockSchedule& s, const DerivedConfig& cfg,
                                  const std::string& backend, uint64_t seed, Agreement& agree) {
  const std::vector<int32_t> x = block_input(blk, seed);
  agree.add(run_block(blk, s, cfg, backend, x), block_reference(blk, x));
}

}  // namespace tessera::compiler::testing
