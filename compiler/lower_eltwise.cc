// Residual add and max-pool: ACC_8BIT loads, ALU passes, stores; the store overlaps the next tile.
#include "compiler/lower_eltwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <optional>

#include "compiler/compile_error.h"
#include "compiler/lower_conv.h"

namespace tessera::compiler {
namespace {

constexpr int64_t kBuffers = 2;

[[noreturn]] void fail(const Layer& l, const std::string& why) { throw CompileError("layer '" + l.name + "': " + why); }

int64_t blocks(int64_t n, int64_t b) { return (n + b - 1) / b; }

// Places an activation tensor as a program I/O tensor in the ACC_8BIT blocking
// ([N/b][C/BLOCK_OUT][H+pads][W+pads][b][BLOCK_OUT]) and returns its buffer.
ActBuffer place(const QTensor& q, TensorDir dir, const std::string& halo, const Layer* pads, ProgramBuilder& b) {
  const DerivedConfig& cfg = b.cfg();
  ActBuffer buf{0, blocks(q.shape[0], cfg.hw.batch) * blocks(q.shape[1], cfg.hw.block_out), q.shape[2], q.shape[3]};
  if (pads) buf.top = pads->pad_top, buf.left = pads->pad_left, buf.bottom = pads->pad_bottom, buf.right = pads->pad_right;
  TensorInfo t;
  t.name = q.name, t.dir = dir, t.dtype = dtype_of(q.type), t.shape = q.shape, t.scale = q.scale;
  t.zero_point = q.zero_point;
  t.layout = blocked_layout(false, cfg.hw.batch, cfg.hw.block_out, nullptr) + halo;
  const int64_t eb = cfg.elem_bytes(int(MemType::ACC_8BIT));
  t.bytes = uint64_t(buf.elements() * eb);
  t.dram_offset = buf.offset = b.reserve(t.bytes, uint64_t(eb));
  b.add_tensor(t);
  return buf;
}

// A band of one plane: rows y0.. of columns x0.. (a row is split only when it exceeds a buffer).
struct Band {
  int64_t plane, y0, rows, x0, cols;
};

// Bands of at most `chunk` vectors covering planes x h x w; with `contiguous` buffers (no halos)
// the whole tensor is one long row, as few bands as possible.
std::vector<Band> bands(int64_t planes, int64_t h, int64_t w, int64_t chunk, bool contiguous) {
  if (contiguous) w *= h * planes, h = planes = 1;
  std::vector<Band> out;
  const int64_t rows = std::max<int64_t>(1, chunk / w), cols = std::min(w, chunk);
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t y = 0; y < h; y += rows)
      for (int64_t x = 0; x < w; x += cols) out.push_back({p, y, std::min(rows, h - y), x, std::min(cols, w - x)});
  return out;
}

// Token protocol shared by both layers: compute pushes g2s after a tile's last ALU op, the store
// pops it and gives the buffer back (s2g), which the tile two later pops before its first load.
// With `buffers` = 1 the tile after pops the store of the tile before.
struct StorePipe {
  ProgramBuilder& b;
  int64_t tiles;
  int64_t buffers = kBuffers;
  void compute_start(size_t insn, int64_t t) {
    if (t >= buffers) b.insn(insn)[Field::POP_NEXT] = 1;
  }
  void compute_end(size_t insn) { b.insn(insn)[Field::PUSH_NEXT] = 1; }
  void store(size_t first, size_t last, int64_t t) {
    b.insn(first)[Field::POP_PREV] = 1;
    if (t + buffers < tiles) b.insn(last)[Field::PUSH_PREV] = 1;
  }
};

// Resident ACC vectors, one per value, each with every lane holding it.
std::vector<uint8_t> splat(std::initializer_list<int32_t> values, const DerivedConfig& cfg) {
  const size_t vec = size_t(cfg.hw.batch * cfg.hw.block_out * 4);
  std::vector<uint8_t> out(values.size() * vec);
  size_t at = 0;
  for (const int32_t v : values)
    for (size_t i = 0; i < vec; i += 4, at += 4) std::memcpy(&out[at], &v, 4);
  return out;
}

}  // namespace

EltwiseIO place_eltwise_io(const Layer& l, ProgramBuilder& b) {
  EltwiseIO io;
  const bool pads = l.kind == LayerKind::MAX_POOL && (l.pad_top || l.pad_left || l.pad_bottom || l.pad_right);
  const std::string halo = pads ? "_minpad" + std::to_string(l.pad_top) + "_" + std::to_string(l.pad_left) + "_" +
                                      std::to_string(l.pad_bottom) + "_" + std::to_string(l.pad_right)
                                : "";
  for (const QTensor& q : l.inputs) io.in.push_back(place(q, TensorDir::INPUT, halo, pads ? &l : nullptr, b));
  io.out = place(l.output, TensorDir::OUTPUT, "", nullptr, b);
  return io;
}

void lower_add(const Layer& l, ProgramBuilder& b, const EltwiseIO* io) {
  const DerivedConfig& cfg = b.cfg();
  if (l.inputs.size() != 2 || l.inputs[0].shape != l.inputs[1].shape || l.inputs[0].shape != l.output.shape ||
      l.output.shape.size() != 4)
    fail(l, "add needs two NCHW inputs and an output of one shape");
  const QTensor &qa = l.inputs[0], &qb = l.inputs[1];
  const std::string who = "layer '" + l.name + "'";
  const int64_t acc_eb = cfg.elem_bytes(int(MemType::ACC)), a8_eb = cfg.elem_bytes(int(MemType::ACC_8BIT));
  const int64_t out_eb = cfg.elem_bytes(int(MemType::OUT));

  const EltwiseIO own = io ? EltwiseIO{} : place_eltwise_io(l, b);
  if (!io) io = &own;
  const ActBuffer &ta = io->in.at(0), &tb = io->in.at(1), &ty = io->out;
  // Resident constants: onnxruntime's QLinearAdd (one vector), or VTA's fixed point (three).
  const bool vta = b.isa() == IsaTarget::VTA;
  std::optional<AddRequant> q;
  std::optional<FixedPointAdd> fx;
  std::vector<uint8_t> consts;
  if (vta) {
    fx = plan_fixed_point_add(who, qa, qb, l.output, l.relu);
    consts = splat({fx->ma, fx->mb, int32_t(1) << (fx->shift - 1)}, cfg);
  } else {
    q = plan_add_requant(who, qa, qb, l.output, l.relu);
    consts = q->constants(cfg);
  }
  const int64_t nconst = int64_t(consts.size()) / acc_eb;
  b.emit(mem_insn(Opcode::LOAD, MemType::ACC, 0, int64_t(b.add_constant(consts, uint64_t(acc_eb))) / acc_eb, 1, nconst, nconst),
         who + (vta ? ": multipliers and rounding term" : ": scale ratios and constant term"));

  const int64_t iter_max = (int64_t{1} << cfg.layout.find(Format::ALU, Field::ITER_IN)->width) - 1;
  const int64_t chunk = std::min<int64_t>({(cfg.acc.depth - nconst) / (2 * kBuffers), iter_max, 65535});
  if (chunk < 1) fail(l, "the ACC SRAM cannot hold two buffers of two vectors");
  const auto halo = [](const ActBuffer& x) { return x.top || x.left || x.bottom || x.right; };
  const std::vector<Band> tiles_list = bands(ty.planes, ty.h, ty.w, chunk, !halo(ta) && !halo(tb) && !halo(ty));
  const auto tiles = int64_t(tiles_list.size());
  StorePipe pipe{b, tiles};
  // Every buffer seen as its band's rows: the flat view of halo-free buffers is one long row.
  const auto row0 = [&](const ActBuffer& x, const Band& bd) {
    return halo(x) ? x.at(bd.plane, bd.y0, bd.x0) : (bd.plane * x.h + bd.y0) * x.w + bd.x0;
  };
  const auto pitch = [&](const ActBuffer& x, const Band& bd) { return halo(x) ? x.wp() : bd.cols; };
  for (int64_t t = 0; t < tiles; ++t) {
    const Band& bd = tiles_list[size_t(t)];
    const int64_t nv = bd.rows * bd.cols;
    const int64_t abuf = nconst + (t % kBuffers) * 2 * chunk, bbuf = abuf + chunk;
    const std::string where = who + " plane " + std::to_string(bd.plane) + " rows " + std::to_string(bd.y0) + ".." +
                              std::to_string(bd.y0 + bd.rows - 1) + " columns " + std::to_string(bd.x0) + ".." +
                              std::to_string(bd.x0 + bd.cols - 1);
    const auto load = [&](int64_t sram, const ActBuffer& x, const char* what) {
      return b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, sram, int64_t(x.offset) / a8_eb + row0(x, bd), bd.rows,
                             bd.cols, pitch(x, bd)),
                    where + ": " + what);
    };
    pipe.compute_start(load(abuf, ta, "load a"), t);
    load(bbuf, tb, "load b");
    UopLoopSpec over;  // every vector of a buffer against one constant vector
    over.iter_in = nv, over.dst_in = 1;
    const auto op = [&](int64_t dst, int64_t src, AluOp o, bool imm, int64_t v, const std::string& what) {
      UopLoopSpec s = over;
      s.uop_bgn = b.kernel({{uint32_t(dst), uint32_t(src), 0}}), s.uop_end = s.uop_bgn + 1;
      return b.emit(alu_insn(s, o, imm, v), where + ": " + what);
    };
    if (vta) {
      const int n = fx->shift;
      if (fx->za) op(abuf, 0, AluOp::ADD, true, -fx->za, "a - zero point");
      op(abuf, 0, AluOp::MUL, false, 0, "a x scale ratio");
      if (fx->zb) op(bbuf, 0, AluOp::ADD, true, -fx->zb, "b - zero point");
      op(bbuf, 1, AluOp::MUL, false, 0, "b x scale ratio");
      over.src_in = 1;
      op(abuf, bbuf, AluOp::ADD, false, 0, "sum");
      over.src_in = 0;
      op(abuf, 2, AluOp::ADD, false, 0, "round half up");
      op(abuf, 0, AluOp::SHR, true, n, "scale by 2^-" + std::to_string(n));
      if (fx->zy) op(abuf, 0, AluOp::ADD, true, fx->zy, "add output zero point");
      op(abuf, 0, AluOp::MIN, true, 127, "clamp high");
      pipe.compute_end(op(abuf, 0, AluOp::MAX, true, fx->lo, "clamp low"));
    } else {
      // a in the low half, b in the high half, then onnxruntime's QLinearAdd (REQ's packed add).
      op(bbuf, 0, AluOp::SHR, true, -16, "b into the high half");
      over.src_in = 1;
      op(abuf, bbuf, AluOp::ADD, false, 0, "pack a and b");
      over.src_in = 0;
      pipe.compute_end(op(abuf, 0, AluOp::REQ, false, q->immediate(), std::string("QLinearAdd") + (l.relu ? ", ReLU" : "")));
    }
    const size_t st = b.emit(mem_insn(Opcode::STORE, MemType::OUT, abuf, int64_t(ty.offset) / out_eb + row0(ty, bd),
                                      bd.rows, bd.cols, pitch(ty, bd)),
                             where + ": store");
    pipe.store(st, st, t);
  }
}

MaxPoolPlan plan_max_pool(const Layer& l, const DerivedConfig& cfg) {
  if (l.inputs.size() != 1 || l.inputs[0].shape.size() != 4) fail(l, "max-pool needs one NCHW input");
  const QTensor& x = l.inputs[0];
  MaxPoolPlan p;
  const int64_t R = l.kernel_h, S = l.kernel_w, sh = l.stride_h, sw = l.stride_w;
  p.hp = x.shape[2] + l.pad_top + l.pad_bottom, p.wp = x.shape[3] + l.pad_left + l.pad_right;
  p.oh = l.output.shape[2], p.ow = l.output.shape[3];
  if (R < 1 || S < 1 || sh < 1 || sw < 1 || p.oh != (p.hp - R) / sh + 1 || p.ow != (p.wp - S) / sw + 1)
    fail(l, "output shape does not match the window geometry");
  p.planes = blocks(x.shape[0], cfg.hw.batch) * blocks(x.shape[1], cfg.hw.block_out);
  const int64_t iter_max = (int64_t{1} << cfg.layout.find(Format::ALU, Field::ITER_OUT)->width) - 1;
  if (R == 3 && S == 3 && sh == 2 && sw == 2) {
    p.cols = 2 * p.ow + 1, p.pitch = p.cols + 1;
    const auto fits = [&](int64_t t) {
      return 1 + (2 * t + 1) * p.pitch + t * p.ow <= cfg.acc.depth && (2 * t + 1) * p.pitch / 2 <= iter_max &&
             p.ow <= iter_max;
    };
    int64_t t = 0;
    while (t < p.oh && fits(t + 1)) ++t;
    if (t >= 1) {
      p.separable = true;
      p.bands = (p.oh + t - 1) / t;
      p.rows = (p.oh + p.bands - 1) / p.bands;  // balanced bands
      return p;
    }
  }
  // Window taps: row bands of whole rows, double-buffered input and output.
  p.cols = p.wp, p.pitch = p.wp;
  int64_t th = p.oh;
  const auto need = [&](int64_t rows) { return kBuffers * (((rows - 1) * sh + R) * p.wp + rows * p.ow); };
  while (th > 1 && need(th) > cfg.acc.depth) th = (th + 1) / 2;
  if (need(th) > cfg.acc.depth)
    fail(l, "ACC SRAM needs " + std::to_string(need(th)) + " vectors for one output row, has " + std::to_string(cfg.acc.depth));
  p.rows = th, p.bands = (p.oh + th - 1) / th;
  return p;
}

namespace {

// 3x3 stride-2 windows, separably and in place. A band of `rows` output rows needs input rows
// 0..2*rows: even rows E[0..rows] and odd rows O[0..rows-1] are loaded into two regions of the same
// even pitch P (columns 0..2*ow, one pad column), O first, then E, after one scratch vector.
//   horizontal: every even column x[2k] of every row is MAXed into x[2k-1] and x[2k+1]: one micro-op
//     whose source stays for two destinations, so the RTL fetches it once (1.5 slots per MAX); the
//     rows are contiguous and P even, so one loop walks all 2*rows+1 rows;
//   vertical: E[i] (odd columns, now 3-wide maxima) into O[i-1] and O[i] the same way;
//   copy: O[i][2j+1] -> out[i][j], a contiguous region the STORE reads (MOV on TESSERA; on VTA
//     MIN with -128 then MAX: every value is >= -128, so no cleared destination is needed).
// The compute unit loads and computes in turn, so the input region is single; the output region
// is single too (the store of band b ends long before band b+1 reaches its copy).
void max_pool_separable(const Layer& l, const MaxPoolPlan& mp, const ActBuffer& tx, const ActBuffer& ty, IsaTarget isa,
                        ProgramBuilder& b) {
  const DerivedConfig& cfg = b.cfg();
  const int64_t a8_eb = cfg.elem_bytes(int(MemType::ACC_8BIT)), out_eb = cfg.elem_bytes(int(MemType::OUT));
  const int64_t P = mp.pitch, L = mp.cols, ow = mp.ow, T = mp.rows;
  const int64_t out_base = 1 + (2 * T + 1) * P;
  const int64_t tiles = mp.planes * mp.bands;
  StorePipe pipe{b, tiles, 1};
  const std::string who = "layer '" + l.name + "'";
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t p = t / mp.bands, oy0 = (t % mp.bands) * T, rows = std::min(T, mp.oh - oy0);
    const int64_t O = 1, E = O + rows * P;
    const std::string where = who + " plane " + std::to_string(p) + " rows " + std::to_string(oy0) + ".." +
                              std::to_string(oy0 + rows - 1);
    const int64_t row0 = p * tx.hp() + tx.top - l.pad_top + 2 * oy0, col0 = tx.left - l.pad_left;
    const auto load = [&](int64_t sram, int64_t r, int64_t n, const char* what) {
      Insn in = mem_insn(Opcode::LOAD, MemType::ACC_8BIT, sram, int64_t(tx.offset) / a8_eb + (row0 + r) * tx.wp() + col0, n,
                         L, 2 * tx.wp());
      in[Field::X_PAD_1] = P - L;
      b.emit(in, where + ": " + what);
    };
    load(E, 0, rows + 1, "load the even input rows");
    load(O, 1, rows, "load the odd input rows");
    const auto op = [&](const UopLoopSpec& base, int64_t dst, int64_t src, AluOp o, bool imm, int64_t v,
                        const std::string& what) {
      UopLoopSpec s = base;
      s.uop_bgn = b.kernel({{uint32_t(dst), uint32_t(src), 0}}), s.uop_end = s.uop_bgn + 1;
      return b.emit(alu_insn(s, o, imm, v), where + ": " + what);
    };
    UopLoopSpec h;  // x[2k] -> x[2k-1], x[2k+1] over every row of both regions
    h.iter_out = (2 * rows + 1) * P / 2, h.dst_out = 2, h.src_out = 2, h.iter_in = 2, h.dst_in = 2;
    op(h, O - 1, O, AluOp::MAX, false, 0, "horizontal max: even columns into their odd neighbours");
    UopLoopSpec edge;  // E[0] -> O[0] and E[rows] -> O[rows-1]
    edge.iter_out = 2, edge.dst_out = (rows - 1) * P, edge.src_out = rows * P, edge.iter_in = ow, edge.dst_in = 2,
    edge.src_in = 2;
    op(edge, O + 1, E + 1, AluOp::MAX, false, 0, "vertical max: first and last even row");
    if (rows > 1) {
      UopLoopSpec v;  // E[i] -> O[i-1], O[i] for 0 < i < rows
      v.iter_out = (rows - 1) * P / 2, v.dst_out = 2, v.src_out = 2, v.iter_in = 2, v.dst_in = P;
      op(v, O + 1, E + P + 1, AluOp::MAX, false, 0, "vertical max: inner even rows into both odd neighbours");
    }
    UopLoopSpec cp;  // O[i][2j+1] -> out[i][j]
    cp.iter_out = rows, cp.dst_out = ow, cp.src_out = P, cp.iter_in = ow, cp.dst_in = 1, cp.src_in = 2;
    size_t first, last;
    if (isa == IsaTarget::TESSERA) {
      first = last = op(cp, out_base, O + 1, AluOp::MOV, false, 0, "copy the results into the output region");
    } else {
      UopLoopSpec all;
      all.iter_in = rows * ow, all.dst_in = 1;
      first = op(all, out_base, 0, AluOp::MIN, true, -128, "output region <= -128");
      last = op(cp, out_base, O + 1, AluOp::MAX, false, 0, "copy the results into the output region");
    }
    pipe.compute_start(first, t);
    pipe.compute_end(last);
    const int64_t out0 = int64_t(ty.offset) / out_eb + ty.at(p, oy0, 0);
    const size_t st = b.emit(mem_insn(Opcode::STORE, MemType::OUT, out_base, out0, rows, ow, ty.wp()), where + ": store");
    pipe.store(st, st, t);
  }
}

}  // namespace

void lower_max_pool(const Layer& l, ProgramBuilder& b, const EltwiseIO* io, IsaTarget isa) {
  const DerivedConfig& cfg = b.cfg();
  const MaxPoolPlan mp = plan_max_pool(l, cfg);
  const QTensor& x = l.inputs[0];
  if (x.type != l.output.type || x.zero_point != l.output.zero_point || x.scale != l.output.scale)
    fail(l, "max-pool output must keep the input's type, scale and zero point");
  const int64_t R = l.kernel_h, S = l.kernel_w, sh = l.stride_h, sw = l.stride_w;
  const int64_t wp = mp.wp, oh = mp.oh, ow = mp.ow;
  const EltwiseIO own = io ? EltwiseIO{} : place_eltwise_io(l, b);
  if (!io) io = &own;
  const ActBuffer &tx = io->in.at(0), &ty = io->out;
  if (tx.top < l.pad_top || tx.left < l.pad_left || tx.bottom < l.pad_bottom || tx.right < l.pad_right)
    fail(l, "internal error, the input halo is smaller than the padding");
  if (mp.separable) return max_pool_separable(l, mp, tx, ty, isa, b);
  const int64_t a8_eb = cfg.elem_bytes(int(MemType::ACC_8BIT)), out_eb = cfg.elem_bytes(int(MemType::OUT));

  // Other windows: row bands of one channel-block plane, whole width: input rows then output rows;
  // per output vector a first tap that needs no cleared destination, then MAX over the others.
  const int64_t th = mp.rows, bands = mp.bands, tiles = mp.planes * bands;
  const int64_t buf = ((th - 1) * sh + R) * wp + th * ow;
  StorePipe pipe{b, tiles};
  const std::string who = "layer '" + l.name + "'";
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t p = t / bands, oy0 = (t % bands) * th, rows = std::min(th, oh - oy0), ih = (rows - 1) * sh + R;
    const int64_t in_sram = (t % kBuffers) * buf, out_sram = in_sram + ((th - 1) * sh + R) * wp;
    const std::string where = who + " plane " + std::to_string(p) + " rows " + std::to_string(oy0) + ".." +
                              std::to_string(oy0 + rows - 1);
    const int64_t in0 = (p * tx.hp() + tx.top - l.pad_top + oy0 * sh) * tx.wp() + tx.left - l.pad_left;
    const size_t first = b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, in_sram, int64_t(tx.offset) / a8_eb + in0, ih, wp,
                                         tx.wp()),
                                where + ": load input rows");
    pipe.compute_start(first, t);
    UopLoopSpec win;  // dst walks the output band, src the window's top-left input
    win.iter_out = rows, win.iter_in = ow, win.dst_out = ow, win.dst_in = 1, win.src_out = sh * wp, win.src_in = sw;
    std::vector<Uop> taps;
    for (int64_t r = 0; r < R; ++r)
      for (int64_t s = 0; s < S; ++s) taps.push_back({uint32_t(out_sram), uint32_t(in_sram + r * wp + s), 0});
    size_t rest_from = 1;
    if (isa == IsaTarget::TESSERA) {
      UopLoopSpec first_tap = win;
      first_tap.uop_bgn = b.kernel({taps[0]}), first_tap.uop_end = first_tap.uop_bgn + 1;
      b.emit(alu_insn(first_tap, AluOp::MOV, false, 0), where + ": first tap");
    } else {
      UopLoopSpec all;  // every value is >= -128: MAX onto this needs no cleared destination
      all.iter_in = rows * ow, all.dst_in = 1;
      all.uop_bgn = b.kernel({{uint32_t(out_sram), 0, 0}}), all.uop_end = all.uop_bgn + 1;
      b.emit(alu_insn(all, AluOp::MIN, true, -128), where + ": output band <= -128");
      rest_from = 0;
    }
    size_t last = b.size() - 1;
    if (taps.size() > rest_from) {
      UopLoopSpec rest = win;
      rest.uop_bgn = b.kernel(std::vector<Uop>(taps.begin() + int64_t(rest_from), taps.end()));
      rest.uop_end = rest.uop_bgn + int64_t(taps.size() - rest_from);
      last = b.emit(alu_insn(rest, AluOp::MAX, false, 0), where + ": max over the taps");
    }
    pipe.compute_end(last);
    const int64_t out0 = int64_t(ty.offset) / out_eb + ty.at(p, oy0, 0);
    const size_t st = b.emit(mem_insn(Opcode::STORE, MemType::OUT, out_sram, out0, rows, ow, ty.wp()), where + ": store");
    pipe.store(st, st, t);
  }
}

}  // namespace tessera::compiler

namespace tessera::compiler {

void lower_global_avg_pool(const Layer& l, ProgramBuilder& b, const EltwiseIO& io) {
  const DerivedConfig& cfg = b.cfg();
  const ActBuffer &tx = io.in.at(0), &ty = io.out;
  if (ty.top || ty.left || ty.bottom || ty.right || ty.h != 1 || ty.w != 1 || tx.planes != ty.planes)
    fail(l, "internal error, the pooled output must be one vector per plane without a halo");
  const int64_t hw = tx.h * tx.w;
  const QTensor &x = l.inputs.at(0), &y = l.output;
  // onnxruntime's QLinearGlobalAveragePool: the binary32 scale x_scale / (y_scale * HW), applied to
  // sum - HW*zx by REQ's float mode, rounds exactly as its kernel does.
  const float m = float(x.scale) / (float(y.scale) * float(hw));
  if (!std::isnormal(m)) fail(l, "scale ratio x_scale/(H*W*y_scale) = " + std::to_string(m) + " is not a normal binary32");
  int32_t m_bits = 0;
  std::memcpy(&m_bits, &m, sizeof m);
  const int32_t zx = device_value(x.zero_point, x.type), zy = device_value(y.zero_point, y.type);
  const int64_t acc_eb = cfg.elem_bytes(int(MemType::ACC)), a8_eb = cfg.elem_bytes(int(MemType::ACC_8BIT));
  const int64_t out_eb = cfg.elem_bytes(int(MemType::OUT));
  // Resident: [-HW*zx][scale].
  const std::vector<uint8_t> consts = splat({int32_t(-hw * zx), m_bits}, cfg);
  const std::string who = "layer '" + l.name + "'";
  b.emit(mem_insn(Opcode::LOAD, MemType::ACC, 0, int64_t(b.add_constant(consts, uint64_t(acc_eb))) / acc_eb, 1, 2, 2),
         who + ": offset and scale");
  const int64_t planes_per = std::min<int64_t>(tx.planes, (cfg.acc.depth - 2) / (kBuffers * (hw + 1)));
  if (planes_per < 1) fail(l, "the ACC SRAM cannot hold two " + std::to_string(hw) + "-vector planes");
  const int64_t tiles = (tx.planes + planes_per - 1) / planes_per;
  StorePipe pipe{b, tiles};
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t p0 = t * planes_per, np = std::min(planes_per, tx.planes - p0);
    const int64_t in = 2 + (t % kBuffers) * planes_per * (hw + 1), sums = in + planes_per * hw;
    const std::string where = who + " planes " + std::to_string(p0) + ".." + std::to_string(p0 + np - 1);
    size_t first = 0;
    for (int64_t p = 0; p < np; ++p) {
      const size_t i = b.emit(mem_insn(Opcode::LOAD, MemType::ACC_8BIT, in + p * hw, int64_t(tx.offset) / a8_eb + tx.at(p0 + p, 0, 0),
                                       tx.h, tx.w, tx.wp()),
                              where + ": load plane " + std::to_string(p0 + p));
      if (p == 0) first = i;
    }
    pipe.compute_start(first, t);
    UopLoopSpec clear;
    clear.iter_in = np, clear.dst_in = 1;
    clear.uop_bgn = b.kernel({{uint32_t(sums), 0, 0}}), clear.uop_end = clear.uop_bgn + 1;
    b.emit(gemm_insn(clear, true), where + ": clear the sums");
    UopLoopSpec sum;  // sums[p] += in[p][i] for every tap i
    sum.iter_out = np, sum.dst_out = 1, sum.src_out = hw, sum.iter_in = hw, sum.src_in = 1;
    sum.uop_bgn = b.kernel({{uint32_t(sums), uint32_t(in), 0}}), sum.uop_end = sum.uop_bgn + 1;
    b.emit(alu_insn(sum, AluOp::ADD, false, 0), where + ": sum each plane");
    const auto op = [&](int64_t src, AluOp o, bool imm, int64_t v, const std::string& what) {
      UopLoopSpec s;
      s.iter_in = np, s.dst_in = 1;
      s.uop_bgn = b.kernel({{uint32_t(sums), uint32_t(src), 0}}), s.uop_end = s.uop_bgn + 1;
      return b.emit(alu_insn(s, o, imm, v), where + ": " + what);
    };
    op(0, AluOp::ADD, false, 0, "minus H*W x zero point");
    pipe.compute_end(op(1, AluOp::REQ, false, req_immediate(ReqMode::FLOAT, false, zy), "requantize (x binary32 scale, + zero point)"));
    const size_t st = b.emit(mem_insn(Opcode::STORE, MemType::OUT, sums, int64_t(ty.offset) / out_eb + p0, 1, np, np),
                             where + ": store");
    pipe.store(st, st, t);
  }
}

void fill_halo(const ActBuffer& buf, int32_t value, const std::string& who, ProgramBuilder& b) {
  if (!(buf.top || buf.left || buf.bottom || buf.right)) return;
  const DerivedConfig& cfg = b.cfg();
  const int64_t out_eb = cfg.elem_bytes(int(MemType::OUT));
  // One region of `n` vectors holding the value (GEMM reset, then ADD: VTA's ops only) serves as
  // the source of every halo store: whole halo rows, and columns in runs of rows.
  const int64_t side = std::max(buf.left, buf.right);
  const int64_t n = std::min<int64_t>(std::max(buf.wp(), buf.h * side), cfg.acc.depth);
  if (n < buf.wp()) throw CompileError(who + ": the ACC SRAM cannot hold one halo row of " + std::to_string(buf.wp()) + " vectors");
  const std::string where = who + ": output halo";
  UopLoopSpec all;
  all.iter_in = n, all.dst_in = 1;
  all.uop_bgn = b.kernel({{0, 0, 0}}), all.uop_end = all.uop_bgn + 1;
  b.emit(gemm_insn(all, true), where + ": clear the fill vectors");
  const size_t set = b.emit(alu_insn(all, AluOp::ADD, true, value), where + ": fill vectors = " + std::to_string(value));
  b.insn(set)[Field::PUSH_NEXT] = 1;
  const int64_t base = int64_t(buf.offset) / out_eb, rows_per = side ? n / side : 0;
  size_t last = 0;
  bool first = true;
  const auto store = [&](int64_t dram, int64_t y, int64_t x, int64_t stride) {
    last = b.emit(mem_insn(Opcode::STORE, MemType::OUT, 0, dram, y, x, stride), where);
    if (first) b.insn(last)[Field::POP_PREV] = 1, first = false;
  };
  for (int64_t p = 0; p < buf.planes; ++p) {
    const int64_t plane = base + p * buf.hp() * buf.wp();
    for (int64_t y = 0; y < buf.top; ++y) store(plane + y * buf.wp(), 1, buf.wp(), buf.wp());
    for (int64_t y = buf.top + buf.h; y < buf.hp(); ++y) store(plane + y * buf.wp(), 1, buf.wp(), buf.wp());
    for (int64_t y = 0; y < buf.h; y += rows_per) {
      const int64_t rows = std::min(rows_per, buf.h - y), row = plane + (buf.top + y) * buf.wp();
      if (buf.left) store(row, rows, buf.left, buf.wp());
      if (buf.right) store(row + buf.left + buf.w, rows, buf.right, buf.wp());
    }
  }
  b.insn(last)[Field::PUSH_PREV] = 1;
  // Compute waits for the stores before the layer reuses the ACC SRAM.
  UopLoopSpec one;
  one.iter_in = 1;
  one.uop_bgn = all.uop_bgn, one.uop_end = all.uop_bgn + 1;
  const size_t wait = b.emit(alu_insn(one, AluOp::ADD, true, 0), where + ": wait for the halo stores");
  b.insn(wait)[Field::POP_NEXT] = 1;
}

}  // namespace tessera::compiler
