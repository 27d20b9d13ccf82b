// Residual add and max-pool: ACC_8BIT loads, ALU passes, stores; the store overlaps the next tile.
#include "compiler/lower_eltwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "compiler/compile_error.h"
#include "compiler/lower_conv.h"

namespace tessera::compiler {
namespace {

constexpr int64_t kBuffers = 2;

[[noreturn]] void fail(const Layer& l, const std::string& why) { throw CompileError("layer '" + l.name + "': " + why); }

DType dtype_of(ElemType t) { return t == ElemType::UINT8 ? DType::UINT8 : DType::INT8; }

int64_t blocks(int64_t n, int64_t b) { return (n + b - 1) / b; }

// Places an activation tensor in the ACC_8BIT blocking ([N/b][C/BLOCK_OUT][H][W][b][BLOCK_OUT]).
TensorInfo place(const QTensor& q, TensorDir dir, const std::string& halo, int64_t pad_rows, int64_t pad_cols,
                 ProgramBuilder& b) {
  const DerivedConfig& cfg = b.cfg();
  TensorInfo t;
  t.name = q.name, t.dir = dir, t.dtype = dtype_of(q.type), t.shape = q.shape, t.scale = q.scale;
  t.zero_point = q.zero_point;
  t.layout = blocked_layout(false, cfg.hw.batch, cfg.hw.block_out, nullptr) + halo;
  const int64_t eb = cfg.elem_bytes(int(MemType::ACC_8BIT));
  t.bytes = uint64_t(blocks(q.shape[0], cfg.hw.batch) * blocks(q.shape[1], cfg.hw.block_out) *
                     (q.shape[2] + pad_rows) * (q.shape[3] + pad_cols) * eb);
  t.dram_offset = b.reserve(t.bytes, uint64_t(eb));
  b.add_tensor(t);
  return t;
}

// Token protocol shared by both layers: compute pushes g2s after a tile's last ALU op, the store
// pops it and gives the buffer back (s2g), which the tile two later pops before its first load.
struct StorePipe {
  ProgramBuilder& b;
  int64_t tiles;
  void compute_start(size_t insn, int64_t t) {
    if (t >= kBuffers) b.insn(insn)[Field::POP_NEXT] = 1;
  }
  void compute_end(size_t insn) { b.insn(insn)[Field::PUSH_NEXT] = 1; }
  void store(size_t first, size_t last, int64_t t) {
    b.insn(first)[Field::POP_PREV] = 1;
    if (t + kBuffers < tiles) b.insn(last)[Field::PUSH_PREV] = 1;
  }
};

std::vector<uint8_t> splat(int32_t v, const DerivedConfig& cfg) {
  std::vector<uint8_t> out(size_t(cfg.hw.batch * cfg.hw.block_out * 4));
  for (size_t i = 0; i < out.size(); i += 4) std::memcpy(&out[i], &v, 4);
  return out;
}

}  // namespace

void lower_add(const Layer& l, ProgramBuilder& b) {
  const DerivedConfig& cfg = b.cfg();
  if (l.inputs.size() != 2 || l.inputs[0].shape != l.inputs[1].shape || l.inputs[0].shape != l.output.shape ||
      l.output.shape.size() != 4)
    fail(l, "add needs two NCHW inputs and an output of one shape");
  const QTensor &qa = l.inputs[0], &qb = l.inputs[1];
  const double ma = qa.scale / l.output.scale, mb = qb.scale / l.output.scale;
  if (!(ma > 0 && mb > 0 && std::isfinite(ma) && std::isfinite(mb))) fail(l, "scales must be positive");
  // |x - zx| <= 255, so two terms below 2^22 each keep the sum inside int32.
  int e = 0;
  std::frexp(std::max(ma, mb), &e);
  const int n = 21 - e;
  if (n < 1 || n > 30) fail(l, "input/output scale ratio " + std::to_string(std::max(ma, mb)) + " is out of range");
  const auto Ma = int32_t(std::lround(std::ldexp(ma, n))), Mb = int32_t(std::lround(std::ldexp(mb, n)));
  const int64_t acc_eb = cfg.elem_bytes(int(MemType::ACC)), a8_eb = cfg.elem_bytes(int(MemType::ACC_8BIT));
  const int64_t out_eb = cfg.elem_bytes(int(MemType::OUT));

  const TensorInfo ta = place(qa, TensorDir::INPUT, "", 0, 0, b), tb = place(qb, TensorDir::INPUT, "", 0, 0, b);
  const TensorInfo ty = place(l.output, TensorDir::OUTPUT, "", 0, 0, b);
  std::vector<uint8_t> consts = splat(Ma, cfg), mb_vec = splat(Mb, cfg), round_vec = splat(int32_t(1) << (n - 1), cfg);
  consts.insert(consts.end(), mb_vec.begin(), mb_vec.end());
  consts.insert(consts.end(), round_vec.begin(), round_vec.end());
  const int64_t const_dram = int64_t(b.add_constant(consts, uint64_t(acc_eb))) / acc_eb;
  const std::string who = "layer '" + l.name + "'";
  b.emit(mem_insn(Opcode::LOAD, MemType::ACC, 0, const_dram, 1, 3, 3), who + ": multipliers and rounding term");

  const int64_t vectors = int64_t(ta.bytes) / a8_eb;
  const int64_t iter_max = (int64_t{1} << cfg.layout.find(Format::ALU, Field::ITER_IN)->width) - 1;
  const int64_t chunk = std::min<int64_t>({(cfg.acc.depth - 3) / (2 * kBuffers), iter_max, 65535});
  if (chunk < 1) fail(l, "the ACC SRAM cannot hold two buffers of two vectors");
  const int64_t tiles = (vectors + chunk - 1) / chunk;
  StorePipe pipe{b, tiles};
  const int32_t za = device_value(qa.zero_point, qa.type), zb = device_value(qb.zero_point, qb.type);
  const int32_t zy = device_value(l.output.zero_point, l.output.type);
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t v0 = t * chunk, nv = std::min(chunk, vectors - v0);
    const int64_t abuf = 3 + (t % kBuffers) * 2 * chunk, bbuf = abuf + chunk;
    const std::string where = who + " vectors " + std::to_string(v0) + ".." + std::to_string(v0 + nv - 1);
    const size_t first = b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, abuf, int64_t(ta.dram_offset) / a8_eb + v0, 1, nv, nv),
                                where + ": load a");
    pipe.compute_start(first, t);
    b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, bbuf, int64_t(tb.dram_offset) / a8_eb + v0, 1, nv, nv), where + ": load b");
    UopLoopSpec over;  // every vector of a buffer against one constant vector
    over.iter_in = nv, over.dst_in = 1;
    const auto op = [&](int64_t dst, int64_t src, AluOp o, bool imm, int64_t v, const std::string& what) {
      UopLoopSpec s = over;
      s.uop_bgn = b.kernel({{uint32_t(dst), uint32_t(src), 0}}), s.uop_end = s.uop_bgn + 1;
      return b.emit(alu_insn(s, o, imm, v), where + ": " + what);
    };
    if (za) op(abuf, 0, AluOp::ADD, true, -za, "a - zero point");
    op(abuf, 0, AluOp::MUL, false, 0, "a x scale ratio");
    if (zb) op(bbuf, 0, AluOp::ADD, true, -zb, "b - zero point");
    op(bbuf, 1, AluOp::MUL, false, 0, "b x scale ratio");
    over.src_in = 1;
    op(abuf, bbuf, AluOp::ADD, false, 0, "sum");
    over.src_in = 0;
    op(abuf, 2, AluOp::ADD, false, 0, "round half up");
    op(abuf, 0, AluOp::SHR, true, n, "scale by 2^-" + std::to_string(n));
    if (zy) op(abuf, 0, AluOp::ADD, true, zy, "add output zero point");
    op(abuf, 0, AluOp::MIN, true, 127, "clamp high");
    pipe.compute_end(op(abuf, 0, AluOp::MAX, true, l.relu ? std::max(zy, -128) : -128, "clamp low"));
    const size_t st = b.emit(mem_insn(Opcode::STORE, MemType::OUT, abuf, int64_t(ty.dram_offset) / out_eb + v0, 1, nv, nv),
                             where + ": store");
    pipe.store(st, st, t);
  }
}

void lower_max_pool(const Layer& l, ProgramBuilder& b) {
  const DerivedConfig& cfg = b.cfg();
  if (l.inputs.size() != 1 || l.inputs[0].shape.size() != 4) fail(l, "max-pool needs one NCHW input");
  const QTensor& x = l.inputs[0];
  if (x.type != l.output.type || x.zero_point != l.output.zero_point || x.scale != l.output.scale)
    fail(l, "max-pool output must keep the input's type, scale and zero point");
  const int64_t R = l.kernel_h, S = l.kernel_w, sh = l.stride_h, sw = l.stride_w;
  const int64_t hp = x.shape[2] + l.pad_top + l.pad_bottom, wp = x.shape[3] + l.pad_left + l.pad_right;
  const int64_t oh = l.output.shape[2], ow = l.output.shape[3];
  if (R < 1 || S < 1 || sh < 1 || sw < 1 || oh != (hp - R) / sh + 1 || ow != (wp - S) / sw + 1)
    fail(l, "output shape does not match the window geometry");
  const std::string halo = (l.pad_top || l.pad_left || l.pad_bottom || l.pad_right)
                               ? "_minpad" + std::to_string(l.pad_top) + "_" + std::to_string(l.pad_left) + "_" +
                                     std::to_string(l.pad_bottom) + "_" + std::to_string(l.pad_right)
                               : "";
  const TensorInfo tx = place(x, TensorDir::INPUT, halo, hp - x.shape[2], wp - x.shape[3], b);
  const TensorInfo ty = place(l.output, TensorDir::OUTPUT, "", 0, 0, b);
  const int64_t a8_eb = cfg.elem_bytes(int(MemType::ACC_8BIT)), out_eb = cfg.elem_bytes(int(MemType::OUT));
  const int64_t planes = blocks(x.shape[0], cfg.hw.batch) * blocks(x.shape[1], cfg.hw.block_out);

  // Tiles are row bands of one channel-block plane, whole width: input rows then output rows.
  int64_t th = oh;
  const auto need = [&](int64_t rows) { return kBuffers * (((rows - 1) * sh + R) * wp + rows * ow); };
  while (th > 1 && need(th) > cfg.acc.depth) th = (th + 1) / 2;
  if (need(th) > cfg.acc.depth)
    fail(l, "ACC SRAM needs " + std::to_string(need(th)) + " vectors for one output row, has " + std::to_string(cfg.acc.depth));
  const int64_t bands = (oh + th - 1) / th, tiles = planes * bands, buf = need(th) / kBuffers;
  StorePipe pipe{b, tiles};
  const std::string who = "layer '" + l.name + "'";
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t p = t / bands, oy0 = (t % bands) * th, rows = std::min(th, oh - oy0), ih = (rows - 1) * sh + R;
    const int64_t in_sram = (t % kBuffers) * buf, out_sram = in_sram + ((th - 1) * sh + R) * wp;
    const std::string where = who + " plane " + std::to_string(p) + " rows " + std::to_string(oy0) + ".." +
                              std::to_string(oy0 + rows - 1);
    const size_t first = b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, in_sram,
                                         int64_t(tx.dram_offset) / a8_eb + (p * hp + oy0 * sh) * wp, ih, wp, wp),
                                where + ": load input rows");
    pipe.compute_start(first, t);
    UopLoopSpec win;  // dst walks the output band, src the window's top-left input
    win.iter_out = rows, win.iter_in = ow, win.dst_out = ow, win.dst_in = 1, win.src_out = sh * wp, win.src_in = sw;
    std::vector<Uop> taps;
    for (int64_t r = 0; r < R; ++r)
      for (int64_t s = 0; s < S; ++s) taps.push_back({uint32_t(out_sram), uint32_t(in_sram + r * wp + s), 0});
    UopLoopSpec first_tap = win;
    first_tap.uop_bgn = b.kernel({taps[0]}), first_tap.uop_end = first_tap.uop_bgn + 1;
    b.emit(alu_insn(first_tap, AluOp::MIN, false, 0), where + ": clear output (reset)");
    b.insn(b.size() - 1)[Field::RESET] = 1;
    b.emit(alu_insn(first_tap, AluOp::ADD, false, 0), where + ": first tap");
    size_t last = b.size() - 1;
    if (taps.size() > 1) {
      UopLoopSpec rest = win;
      rest.uop_bgn = b.kernel(std::vector<Uop>(taps.begin() + 1, taps.end()));
      rest.uop_end = rest.uop_bgn + int64_t(taps.size()) - 1;
      last = b.emit(alu_insn(rest, AluOp::MAX, false, 0), where + ": max over the other taps");
    }
    pipe.compute_end(last);
    const int64_t out0 = int64_t(ty.dram_offset) / out_eb + (p * oh + oy0) * ow;
    const size_t st = b.emit(mem_insn(Opcode::STORE, MemType::OUT, out_sram, out0, rows, ow, ow), where + ": store");
    pipe.store(st, st, t);
  }
}

}  // namespace tessera::compiler
