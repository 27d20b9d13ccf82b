// Conv/dense lowering: packed constants, then per tile: loads, GEMMs, requantization, stores.
#include "compiler/lower_conv.h"

#include <cstring>
#include <optional>

#include "compiler/compile_error.h"

namespace tessera::compiler {
namespace {

void put_i32(std::vector<uint8_t>& v, size_t at, int32_t x) { std::memcpy(&v[at], &x, 4); }

std::string range(int64_t a, int64_t n) { return std::to_string(a) + ".." + std::to_string(a + n - 1); }

}  // namespace

// Weights as WGT elements [kb][cbg][r][s], each BLOCK_OUT x BLOCK_IN int8, channels padded with 0.
// Output block co's tiles cover input blocks ci_first(co) .. + cbg; a grouped layer's channels
// outside k's group stay 0 (block-diagonal tiles: a depthwise tile is diagonal).
// In depthwise mode a block's taps are rows (tap t: row t % BLOCK_OUT of its wgt_elems() elements),
// each holding the tap's BLOCK_OUT channel weights.
std::vector<uint8_t> pack_conv_weights(const Layer& l, const ConvGeometry& g, const DerivedConfig& cfg) {
  const int64_t bo = cfg.hw.block_out, bi = cfg.hw.block_in, eb = bo * bi;
  std::vector<uint8_t> out(size_t(g.kb * g.wgt_elems(g.cbg) * eb), 0);
  if (g.dw()) {
    for (int64_t k = 0; k < g.k; ++k)
      for (int64_t tap = 0; tap < g.r * g.s; ++tap)
        out[size_t(((k / bo) * g.wgt_elems(1) + tap / bo) * eb + (tap % bo) * bi + k % bo)] =
            uint8_t(l.weights[size_t(k * g.r * g.s + tap)]);
    return out;
  }
  for (int64_t k = 0; k < g.k; ++k)
    for (int64_t j = 0; j < g.cg; ++j) {
      const int64_t c = (k / g.kg) * g.cg + j, cj = c / bi - g.ci_first(k / bo);
      if (cj < 0 || cj >= g.cbg) throw CompileError("layer '" + l.name + "': internal error, grouped weight outside its window");
      for (int64_t y = 0; y < g.r; ++y)
        for (int64_t x = 0; x < g.s; ++x) {
          const int64_t elem = (((k / bo) * g.cbg + cj) * g.r + y) * g.s + x;
          out[size_t(elem * eb + (k % bo) * bi + c % bi)] = uint8_t(l.weights[size_t(((k * g.cg + j) * g.r + y) * g.s + x)]);
        }
    }
  return out;
}

// One ACC vector per output-channel block, each value replicated over the batch lanes.
std::vector<uint8_t> pack_channel_vectors(const std::vector<int32_t>& v, const ConvGeometry& g, const DerivedConfig& cfg) {
  const int64_t bo = cfg.hw.block_out, lanes = cfg.hw.batch * bo;
  std::vector<uint8_t> out(size_t(g.kb * lanes * 4), 0);
  for (int64_t k = 0; k < g.k; ++k)
    for (int64_t b = 0; b < cfg.hw.batch; ++b) put_i32(out, size_t(((k / bo) * lanes + b * bo + k % bo) * 4), v[size_t(k)]);
  return out;
}

std::vector<size_t> emit_residual_add(ProgramBuilder& b, const AddRequant& add, bool skip_first, int64_t acc,
                                      int64_t skip, int64_t vectors, int64_t consts, const std::string& where) {
  // Over the whole buffer: an immediate, one resident vector, or the skip tile (src_walks).
  const auto buffer_op = [&](int64_t dst, int64_t src, bool src_walks, AluOp op, bool use_imm, int64_t imm,
                             const std::string& what) {
    UopLoopSpec sl;
    sl.iter_in = vectors, sl.dst_in = 1, sl.src_in = src_walks ? 1 : 0;
    sl.uop_bgn = b.kernel({{uint32_t(dst), uint32_t(src), 0}}), sl.uop_end = sl.uop_bgn + 1;
    return b.emit(alu_insn(sl, op, use_imm, imm), where + ": fused add: " + what);
  };
  // Pack the add's first operand in the low half, the second in the high half, then REQ's packed add.
  return {buffer_op(skip_first ? acc : skip, 0, false, AluOp::SHR, true, -16,
                    std::string(skip_first ? "conv" : "skip") + " into the high half"),
          buffer_op(acc, skip, true, AluOp::ADD, false, 0, "pack conv and skip"),
          buffer_op(acc, consts, false, AluOp::REQ, false, add.immediate(),
                    std::string("onnxruntime's QLinearAdd") + (add.lo > -128 ? ", ReLU" : ""))};
}

std::string blocked_layout(bool dense, int batch, int block, const ConvGeometry* halo) {
  std::string s = std::string(dense ? "NC" : "NCHW") + std::to_string(batch) + "n" + std::to_string(block) + "c";
  if (halo && (halo->pad_top || halo->pad_left || halo->pad_bottom || halo->pad_right))
    s += "_pad" + std::to_string(halo->pad_top) + "_" + std::to_string(halo->pad_left) + "_" +
         std::to_string(halo->pad_bottom) + "_" + std::to_string(halo->pad_right);
  return s;
}

void lower_conv(const Layer& l, const ConvGeometry& layer_geometry, const Schedule& s, const RequantPlan& q, IsaTarget isa,
                ProgramBuilder& b, const ConvIO* io) {
  const DerivedConfig& cfg = b.cfg();
  const ConvGeometry g = with_schedule(layer_geometry, s);
  const bool dense = l.kind == LayerKind::DENSE;
  const int64_t inp_eb = cfg.elem_bytes(int(MemType::INP)), wgt_eb = cfg.elem_bytes(int(MemType::WGT));
  const int64_t acc_eb = cfg.elem_bytes(int(MemType::ACC)), out_eb = cfg.elem_bytes(int(MemType::OUT));

  const int64_t TH = s.tile_h, TW = s.tile_w, IW = g.in_cols(TW);
  ConvIO own;
  if (!io) {
    // DRAM: input (padded, plus one tile row of slack: edge tiles read whole-width rows), output.
    own.in = {0, g.nb * g.cb, g.h, g.w, g.pad_top, g.pad_left, g.pad_bottom, g.pad_right};
    own.out = {0, g.nb * g.kb, g.oh, g.ow, 0, 0, 0, 0};
    TensorInfo in;
    in.name = l.inputs[0].name, in.dir = TensorDir::INPUT, in.dtype = dtype_of(l.inputs[0].type);
    in.shape = l.inputs[0].shape, in.scale = l.inputs[0].scale, in.zero_point = l.inputs[0].zero_point;
    in.layout = blocked_layout(dense, cfg.hw.batch, cfg.hw.block_in, &g);
    in.bytes = uint64_t(own.in.elements() * inp_eb);
    in.dram_offset = own.in.offset = b.reserve(in.bytes + uint64_t(IW * inp_eb), uint64_t(inp_eb));
    TensorInfo out;
    out.name = l.output.name, out.dir = TensorDir::OUTPUT, out.dtype = dtype_of(l.output.type);
    out.shape = l.output.shape, out.scale = l.output.scale, out.zero_point = l.output.zero_point;
    out.layout = blocked_layout(dense, cfg.hw.batch, cfg.hw.block_out, nullptr);
    out.bytes = uint64_t(own.out.elements() * out_eb);
    out.dram_offset = own.out.offset = b.reserve(out.bytes, uint64_t(out_eb));
    b.add_tensor(in);
    b.add_tensor(out);
    io = &own;
  }
  if (l.residual && (io == &own || isa != IsaTarget::TESSERA))
    throw CompileError("layer '" + l.name + "': a fused residual add needs network buffers and the TESSERA ISA");
  const ActBuffer &ib = io->in, &ob = io->out;
  if (ib.top < g.pad_top || ib.left < g.pad_left || ib.bottom < g.pad_bottom || ib.right < g.pad_right ||
      ib.h != g.h || ib.w != g.w || ob.h != g.oh || ob.w != g.ow)
    throw CompileError("layer '" + l.name + "': internal error, activation buffers do not match the layer");
  // The input window starts where the layer's padding starts inside the buffer's (possibly larger) halo.
  const int64_t in_base = int64_t(ib.offset) / inp_eb + (ib.top - g.pad_top) * ib.wp() + (ib.left - g.pad_left);
  const int64_t wgt_base = int64_t(b.add_constant(pack_conv_weights(l, g, cfg), uint64_t(wgt_eb))) / wgt_eb;
  const int64_t bias_dram = int64_t(b.add_constant(pack_channel_vectors(q.bias, g, cfg), uint64_t(acc_eb))) / acc_eb;
  const bool vta = isa == IsaTarget::VTA;
  const int64_t mult_dram =
      vta ? 0 : int64_t(b.add_constant(pack_channel_vectors(q.multiplier, g, cfg), uint64_t(acc_eb))) / acc_eb;

  // ACC SRAM: [bias kb][multipliers kb][fused add's constants] then the tile buffers (AccLayout: with
  // the overlap flag, once per bank); INP/WGT SRAM: one buffer per virtual thread. A buffer is the
  // output tile, then the skip tile of a residual add.
  const AccLayout acc = acc_layout(g, s, cfg, !vta);
  const int64_t bufs = acc.bufs, bias_sram = 0, mult_sram = g.kb, res_sram = 2 * g.kb;
  // ACC: per output block `blk` vectors, rows `pitch` apart (TW, or IW in depthwise mode, unless the
  // epilogue moves them to TW); INP: `inp_set` vectors per input set.
  const int64_t blk = g.acc_block(TH, TW), pitch = g.acc_pitch(TW), acc_tile = s.tile_co * blk;
  const int64_t inp_set = g.inp_set(TH, TW);
  const int64_t inp_buf = g.input_sets(s.tile_co, s.tile_co) * s.tile_ci * inp_set, wgt_buf = s.tile_co * g.wgt_elems(s.tile_ci);
  if (g.dw() && isa != IsaTarget::TESSERA)
    throw CompileError("layer '" + l.name + "': the config's depthwise mode is a TESSERA extension; the VTA ISA has none "
                       "(use a config without gemm.depthwise)");
  const std::string who = "layer '" + l.name + "'";
  const int banks = acc.overlap ? 2 : 1;
  const auto bank_note = [&](int bank) { return banks > 1 ? " (bank " + std::to_string(bank) + ")" : std::string(); };
  for (int bank = 0; bank < banks; ++bank) {
    const int64_t r0 = acc.resident_base(bank);
    b.emit(mem_insn(Opcode::LOAD, MemType::ACC, r0 + bias_sram, bias_dram, 1, g.kb, g.kb), who + ": per-channel biases" + bank_note(bank));
    if (!vta)
      b.emit(mem_insn(Opcode::LOAD, MemType::ACC, r0 + mult_sram, mult_dram, 1, g.kb, g.kb),
             who + ": per-channel multipliers" + bank_note(bank));
  }
  std::optional<AddRequant> add;
  if (l.residual) {
    // onnxruntime's QLinearAdd of the conv's output and the skip, in the add's operand order.
    const ResidualAdd& r = *l.residual;
    add = r.skip_first ? plan_add_requant(who + " (fused add)", r.skip, l.output, r.sum, r.relu)
                       : plan_add_requant(who + " (fused add)", l.output, r.skip, r.sum, r.relu);
    const int64_t consts = int64_t(b.add_constant(add->constants(cfg), uint64_t(acc_eb))) / acc_eb;
    for (int bank = 0; bank < banks; ++bank)
      b.emit(mem_insn(Opcode::LOAD, MemType::ACC, acc.resident_base(bank) + res_sram, consts, 1, 1, 1),
             who + ": fused add constants" + bank_note(bank));
  }

  // Tile list in the schedule's loop order (batch outermost).
  struct Tile { int64_t n, co, co_t, oh, th, ow, tw; };
  std::vector<Tile> tiles;
  const int64_t extent[3] = {g.kb, g.oh, g.ow}, step[3] = {s.tile_co, TH, TW};
  int64_t pos[3];
  for (int64_t n = 0; n < g.nb; ++n)
    for (pos[int(s.order[0])] = 0; pos[int(s.order[0])] < extent[int(s.order[0])]; pos[int(s.order[0])] += step[int(s.order[0])])
      for (pos[int(s.order[1])] = 0; pos[int(s.order[1])] < extent[int(s.order[1])]; pos[int(s.order[1])] += step[int(s.order[1])])
        for (pos[int(s.order[2])] = 0; pos[int(s.order[2])] < extent[int(s.order[2])]; pos[int(s.order[2])] += step[int(s.order[2])])
          tiles.push_back({n, pos[0], std::min(s.tile_co, g.kb - pos[0]), pos[1], std::min(TH, g.oh - pos[1]), pos[2],
                           std::min(TW, g.ow - pos[2])});
  const int64_t ci_steps = (g.cbg + s.tile_ci - 1) / s.tile_ci;
  const int64_t n_steps = int64_t(tiles.size()) * ci_steps, n_tiles = int64_t(tiles.size());

  // A tile's blocks between its ACC buffer and an activation buffer: one 2-D transfer per channel
  // block, or one per row when the tile is narrower than its buffer.
  const int64_t a8_eb = cfg.elem_bytes(int(MemType::ACC_8BIT));
  const auto copy_rows = [&](Opcode op, MemType mt, int64_t sram, const ActBuffer& x, const Tile& T, const std::string& what) {
    const int64_t base = int64_t(x.offset) / (mt == MemType::OUT ? out_eb : a8_eb);
    for (int64_t co = 0; co < T.co_t; ++co) {
      const int64_t dram = base + x.at(T.n * g.kb + T.co + co, T.oh, T.ow), src = sram + co * blk;
      if (!g.rowwise(T.tw, TW)) {
        b.emit(mem_insn(op, mt, src, dram, T.th, T.tw, x.wp()), what + std::to_string(T.co + co));
      } else {
        for (int64_t y = 0; y < T.th; ++y)
          b.emit(mem_insn(op, mt, src + y * g.store_pitch(TW), dram + y * x.wp(), 1, T.tw, x.wp()),
                 what + std::to_string(T.co + co) + " row " + std::to_string(T.oh + y));
      }
    }
  };

  const auto where_of = [&](int64_t t) {
    const Tile& T = tiles[size_t(t)];
    return who + " tile " + std::to_string(t) + " (n " + std::to_string(T.n) + ", co blocks " + range(T.co, T.co_t) +
           ", oh " + range(T.oh, T.th) + ", ow " + range(T.ow, T.tw) + ")";
  };
  const auto flag = [&](size_t insn) { b.insn(insn)[Field::OVERLAP] = 1; };

  // One vector ALU pass per channel block over the whole tile buffer (columns past an edge tile's
  // width are computed and never stored), its operand the channel's vector: one slot per vector.
  const auto channel_op = [&](int64_t t, int64_t vec_sram, AluOp op, int64_t imm, const std::string& what) {
    const Tile& T = tiles[size_t(t)];
    const int64_t acc_base = acc.buffer_base(t % bufs), r0 = acc.resident_base(t % bufs);
    UopLoopSpec l;  // dst walks [co][blk], src the channel vector
    l.iter_out = T.co_t, l.iter_in = blk, l.dst_out = blk, l.dst_in = 1, l.src_out = 1;
    l.uop_bgn = b.kernel({{uint32_t(acc_base), uint32_t(r0 + vec_sram + T.co), 0}}), l.uop_end = l.uop_bgn + 1;
    return b.emit(alu_insn(l, op, false, imm), where_of(t) + ": " + what);
  };
  const auto imm_op = [&](int64_t t, AluOp op, int64_t imm, const std::string& what) {  // over the whole buffer
    UopLoopSpec l;
    l.iter_in = acc_tile, l.dst_in = 1;
    l.uop_bgn = b.kernel({{uint32_t(acc.buffer_base(t % bufs)), 0, 0}}), l.uop_end = l.uop_bgn + 1;
    return b.emit(alu_insn(l, op, true, imm), where_of(t) + ": " + what);
  };

  // Start the accumulators from the bias (TESSERA: MOV), or clear them and add the bias later (VTA).
  // Either waits until the store of the tile that last used this buffer is done.
  const auto emit_init = [&](int64_t t) {
    const Tile& T = tiles[size_t(t)];
    size_t init = 0;
    if (vta) {
      const int64_t acc_base = acc.buffer_base(t % bufs);
      std::vector<Uop> reset_uops;
      for (int64_t co = 0; co < T.co_t; ++co) reset_uops.push_back({uint32_t(acc_base + co * blk), 0, 0});
      UopLoopSpec rl;
      rl.uop_bgn = b.kernel(reset_uops), rl.uop_end = rl.uop_bgn + T.co_t;
      rl.iter_out = T.th, rl.iter_in = T.tw, rl.dst_out = TW, rl.dst_in = 1;
      init = b.emit(gemm_insn(rl, true), where_of(t) + ": clear accumulators");
    } else {
      init = channel_op(t, bias_sram, AluOp::MOV, 0, "start accumulators from the bias");
    }
    if (t >= bufs) b.insn(init)[Field::POP_NEXT] = 1;
    return init;
  };
  // The skip tile (compute-unit loads, before the GEMMs so they fill any wait for the input loads);
  // overlapped, they count as ALU work beside the previous tile's last GEMM.
  const auto emit_skip = [&](int64_t t, bool overlap) {
    if (!l.residual) return;
    const size_t first = b.size();
    copy_rows(Opcode::LOAD, MemType::ACC_8BIT, acc.buffer_base(t % bufs) + acc_tile, io->skip, tiles[size_t(t)],
              where_of(t) + ": skip block ");
    for (size_t i = first; overlap && i < b.size(); ++i) flag(i);
  };
  // Reduction step cs of tile t: its input and weight loads (load unit) and its GEMM.
  const auto emit_gemm = [&](int64_t t, int64_t cs) {
    const Tile& T = tiles[size_t(t)];
    const int64_t gstep = t * ci_steps + cs, acc_base = acc.buffer_base(t % bufs);
    // ci0 counts within the output block's window of cbg input blocks (the whole layer when dense).
    const int64_t ci0 = cs * s.tile_ci, ci_t = std::min(s.tile_ci, g.cbg - ci0);
    const int64_t inp_sram = (gstep % bufs) * inp_buf, wgt_sram = (gstep % bufs) * wgt_buf;
    const int64_t sets = g.input_sets(s.tile_co, T.co_t);
    const std::string at = where_of(t) + (g.grouped() ? " window ci blocks " : " ci blocks ") + range(ci0, ci_t);
    size_t first = b.size();
    for (int64_t set = 0; set < sets; ++set)
      for (int64_t c = 0; c < ci_t; ++c) {
        const int64_t ci = g.ci_first(T.co + set) + ci0 + c;
        const int64_t row0 = ((T.n * g.cb + ci) * ib.hp() + T.oh * g.stride_h) * ib.wp() + T.ow * g.stride_w;
        b.emit(mem_insn(Opcode::LOAD, MemType::INP, inp_sram + (set * ci_t + c) * inp_set, in_base + row0,
                        g.in_rows(T.th), IW, g.row_step() * ib.wp()),
               at + ": input block " + std::to_string(ci));
      }
    const size_t last = b.emit(mem_insn(Opcode::LOAD, MemType::WGT, wgt_sram,
                                        wgt_base + T.co * g.wgt_elems(g.cbg) + ci0 * g.r * g.s, T.co_t,
                                        g.wgt_elems(ci_t), g.wgt_elems(g.cbg)),
                               at + ": weights");
    if (gstep >= bufs) b.insn(first)[Field::POP_NEXT] = 1;
    b.insn(last)[Field::PUSH_NEXT] = 1;

    if (g.dw()) {
      // One group per dw_rows output vectors of a block (rows IW apart, so input vector = output
      // vector + tap offset); one micro-op per tap (its weight index counts rows), the loops walk blocks
      // and groups.
      std::vector<Uop> uops;
      for (int64_t y = 0; y < g.r; ++y)
        for (int64_t x = 0; x < g.s; ++x)
          uops.push_back({uint32_t(acc_base), uint32_t(inp_sram + y * IW + x), uint32_t(wgt_sram * g.dw_rows + y * g.s + x)});
      UopLoopSpec dl;
      dl.uop_bgn = b.kernel(uops), dl.uop_end = dl.uop_bgn + int64_t(uops.size());
      dl.iter_out = T.co_t, dl.iter_in = g.dw_groups(T.th, TW);
      dl.dst_out = blk, dl.dst_in = g.dw_rows, dl.src_out = inp_set, dl.src_in = g.dw_rows, dl.wgt_out = g.wgt_elems(1) * g.dw_rows;
      const size_t gemm = b.emit(gemm_insn(dl, false), at + ": depthwise multiply-accumulate");
      b.insn(gemm)[Field::DEPTHWISE] = 1;
      b.insn(gemm)[Field::POP_PREV] = 1;
      if (gstep + bufs < n_steps) b.insn(gemm)[Field::PUSH_PREV] = 1;
      return gemm;
    }
    std::vector<Uop> uops;
    for (int64_t co = 0; co < T.co_t; ++co)
      for (int64_t c = 0; c < ci_t; ++c)
        for (int64_t y = 0; y < g.r; ++y)
          for (int64_t x = 0; x < g.s; ++x)
            uops.push_back({uint32_t(acc_base + co * blk),
                            uint32_t(inp_sram + ((sets > 1 ? co * ci_t : 0) + c) * inp_set + y * IW + x),
                            uint32_t(wgt_sram + ((co * ci_t + c) * g.r + y) * g.s + x)});
    UopLoopSpec gl;
    gl.uop_bgn = b.kernel(uops), gl.uop_end = gl.uop_bgn + int64_t(uops.size());
    gl.iter_out = T.th, gl.iter_in = T.tw, gl.dst_out = TW, gl.dst_in = 1;
    gl.src_out = (g.skip_rows() ? 1 : g.stride_h) * IW, gl.src_in = g.stride_w;
    const size_t gemm = b.emit(gemm_insn(gl, false), at + ": multiply-accumulate");
    b.insn(gemm)[Field::POP_PREV] = 1;
    if (gstep + bufs < n_steps) b.insn(gemm)[Field::PUSH_PREV] = 1;
    return gemm;
  };
  // The epilogue after the GEMMs, as ALU instructions: the first (it waits for the tile's GEMMs), then
  // the rest (which may run beside the next tile's first GEMM); the last one pushes to the store.
  const auto epilogue_first = [&](int64_t t) {
    if (vta) return channel_op(t, bias_sram, AluOp::ADD, 0, "add bias");
    const bool relu = q.lo > -128;
    return channel_op(t, mult_sram, AluOp::REQ, req_immediate(ReqMode::FLOAT, relu, q.out_zero_point),
                      "requantize (x binary32 scale, + zero point " + std::to_string(q.out_zero_point) +
                          (relu ? ", ReLU" : "") + ", clamp)");
  };
  const auto epilogue_rest = [&](int64_t t) {
    std::vector<size_t> out;
    if (vta) {
      if (q.vta_shift > 0) {
        out.push_back(imm_op(t, AluOp::ADD, int64_t{1} << (q.vta_shift - 1), "round half up"));
        out.push_back(imm_op(t, AluOp::SHR, q.vta_shift, "scale by 2^-" + std::to_string(q.vta_shift)));
      }
      if (q.out_zero_point) out.push_back(imm_op(t, AluOp::ADD, q.out_zero_point, "add output zero point"));
      out.push_back(imm_op(t, AluOp::MIN, q.hi, "clamp high"));
      out.push_back(imm_op(t, AluOp::MAX, q.lo, q.lo > -128 ? "clamp low (ReLU at the zero point)" : "clamp low"));
      return out;
    }
    // An explicit upper clamp (a Clip's max the output range does not make redundant): REQ clamps at 127 only.
    if (q.hi < 127) out.push_back(imm_op(t, AluOp::MIN, q.hi, "clamp high (Clip max)"));
    if (g.dw_compact) {
      // Depthwise mode: rows move from the input's pitch to the tile's, in place (a destination never
      // passes its source), so each block stores as one 2-D transfer.
      const Tile& T = tiles[size_t(t)];
      const int64_t acc_base = acc.buffer_base(t % bufs);
      std::vector<Uop> rows;
      for (int64_t co = 0; co < T.co_t; ++co) rows.push_back({uint32_t(acc_base + co * blk), uint32_t(acc_base + co * blk), 0});
      UopLoopSpec cl;
      cl.uop_bgn = b.kernel(rows), cl.uop_end = cl.uop_bgn + T.co_t;
      cl.iter_out = T.th, cl.iter_in = T.tw, cl.dst_out = TW, cl.dst_in = 1, cl.src_out = pitch, cl.src_in = 1;
      out.push_back(b.emit(alu_insn(cl, AluOp::MOV, false, 0), where_of(t) + ": rows to the tile's pitch"));
    }
    if (add) {
      const int64_t acc_base = acc.buffer_base(t % bufs);
      for (size_t i : emit_residual_add(b, *add, l.residual->skip_first, acc_base, acc_base + acc_tile, acc_tile,
                                        acc.resident_base(t % bufs) + res_sram, where_of(t)))
        out.push_back(i);
    }
    return out;
  };
  // Store: one 2-D store per channel block, or per row when the tile is narrower than its buffer.
  const auto emit_stores = [&](int64_t t) {
    const size_t first_store = b.size();
    copy_rows(Opcode::STORE, MemType::OUT, acc.buffer_base(t % bufs), ob, tiles[size_t(t)], where_of(t) + ": store block ");
    b.insn(first_store)[Field::POP_PREV] = 1;
    if (t + bufs < n_tiles) b.insn(b.size() - 1)[Field::PUSH_PREV] = 1;
  };

  if (!acc.overlap) {
    for (int64_t t = 0; t < n_tiles; ++t) {
      emit_init(t);
      emit_skip(t, false);
      for (int64_t cs = 0; cs < ci_steps; ++cs) emit_gemm(t, cs);
      size_t last_alu = epilogue_first(t);
      for (size_t i : epilogue_rest(t)) last_alu = i;
      b.insn(last_alu)[Field::PUSH_NEXT] = 1;
      emit_stores(t);
    }
    return;
  }
  // Overlapped (buffers alternate ACC banks): tile t's epilogue runs beside tile t + 1's GEMMs, tile
  // t + 1's skip loads beside tile t's last GEMM and tile t + 2's bias MOV beside tile t + 1's last
  // GEMM. Per tile, after the first:
  //   skip loads of t+1 * | REQ t | GEMM t+1 step 0 * | rest of t's epilogue * | stores t | GEMMs t+1 * | MOV t+2 *
  // (* overlap flag; unflagged instructions wait for both pipes, docs/architecture.md).
  emit_init(0);
  emit_skip(0, false);
  for (int64_t cs = 0; cs < ci_steps; ++cs) emit_gemm(0, cs);
  if (n_tiles > 1) flag(emit_init(1));
  for (int64_t t = 0; t < n_tiles; ++t) {
    const bool next = t + 1 < n_tiles;
    if (next) emit_skip(t + 1, true);
    size_t last_alu = epilogue_first(t);
    if (next) flag(emit_gemm(t + 1, 0));
    for (size_t i : epilogue_rest(t)) flag(last_alu = i);
    b.insn(last_alu)[Field::PUSH_NEXT] = 1;
    emit_stores(t);
    for (int64_t cs = 1; next && cs < ci_steps; ++cs) flag(emit_gemm(t + 1, cs));
    if (t + 2 < n_tiles) flag(emit_init(t + 2));
  }
}

}  // namespace tessera::compiler
