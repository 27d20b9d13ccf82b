// The cost model: per-instruction durations from the DRAM parameters and micro-op counts, summed
// per unit in closed form (the bound) or run through the token pipeline tile by tile (the estimate).
#include "compiler/search/cost_model.h"

#include <algorithm>
#include <array>
#include <set>
#include <vector>

namespace tessera::compiler::search {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A tiled extent: `full` tiles of `tile` and at most one edge tile of `edge`.
struct Split {
  int64_t tile, full, edge;
  Split(int64_t extent, int64_t t) : tile(t), full(extent / t), edge(extent % t) {}
};

template <typename F>
void for_each_size(const Split& s, F f) {
  if (s.full) f(s.tile, s.full);
  if (s.edge) f(s.edge, int64_t{1});
}

// A per-channel vector pass over a tile buffer of `co_t` blocks x `buf` vectors: the operand fetch
// of each block, then one slot per vector.
double channel_pass_slots(int64_t co_t, int64_t buf) { return double(co_t * (buf + 1)); }

// Starting a tile's accumulators: MOV of the bias over the buffer, or a GEMM reset of the tile.
double init_slots(const LayerProblem& lp, int64_t co_t, int64_t th, int64_t tw, int64_t buf) {
  return lp.init_from_bias ? channel_pass_slots(co_t, buf) : double(co_t * th * tw);
}

// A fused residual add's ALU passes: an operand into the high half (immediate), the packing sum and
// REQ's packed add: one slot per vector each, except the sum, whose source walks the skip tile and is
// fetched per vector (two).
constexpr int64_t kResidualPasses = 3, kResidualSlots = 4;

// The requantization after the GEMMs; immediate ops cover the whole buffer (`acc_tile` vectors).
double epilogue_slots(const LayerProblem& lp, int64_t co_t, int64_t buf, int64_t acc_tile) {
  return double(lp.alu_vector_ops) * channel_pass_slots(co_t, buf) + double(lp.alu_imm_ops * acc_tile);
}

}  // namespace

std::string LayerProblem::descriptor() const {
  std::string d;
  for (int64_t v : {g.n, g.c, g.h, g.w, g.k, g.r, g.s, g.stride_h, g.stride_w, g.pad_top, g.pad_left, g.pad_bottom,
                    g.pad_right})
    d += std::to_string(v) + ",";
  if (g.group != 1) d += "g" + std::to_string(g.group) + ",";  // dense keys stay as they were
  return d + (with_multipliers ? "tessera" : "vta") + (init_from_bias ? ",mov" : ",reset") + ",v" +
         std::to_string(alu_vector_ops) + ",i" + std::to_string(alu_imm_ops) + (g.residual ? (g.skip_first ? ",residual_skip_first" : ",residual") : "");
}

double compute_bound_cycles(const ConvGeometry& g) { return double(g.nb * g.kb * g.cbg * g.oh * g.ow * g.r * g.s); }

double CostModel::read_cycles(int64_t rows, int64_t row_bytes) const {
  const auto& hw = cfg_.hw;
  const int64_t beat = hw.dram_bus_bits / 8;
  // Bursts in flight cover the latency only if outstanding * burst beats exceeds it.
  const double per_beat = std::max(double(beat) / hw.dram_bytes_per_cycle,
                                   double(hw.dram_latency_cycles) / (hw.dram_max_outstanding * hw.dram_max_burst_beats));
  return double(rows) * (p_.load_row + double(ceil_div(row_bytes, beat)) * per_beat);
}

double CostModel::write_cycles(int64_t rows, int64_t row_bytes) const {
  const int64_t beat = cfg_.hw.dram_bus_bits / 8;
  return double(rows) * (p_.store_row + double(ceil_div(row_bytes, beat)) * double(beat) / cfg_.hw.dram_bytes_per_cycle);
}

double CostModel::constants_cycles(const LayerProblem& lp, int banks) const {
  const int64_t acc_eb = cfg_.elem_bytes(int(MemType::ACC)), lat = cfg_.hw.dram_latency_cycles;
  const double per_channel = p_.load_insn + double(lat) + read_cycles(1, lp.g.kb * acc_eb);
  return banks * ((lp.with_multipliers ? 2 : 1) * per_channel +
                  (lp.g.residual ? p_.load_insn + double(lat) + read_cycles(1, acc_eb) : 0.0));
}

double CostModel::skip_load_cycles(int64_t co_t, int64_t th, int64_t tw, int64_t TW, int64_t* insns, int64_t* bytes) const {
  const int64_t a8_eb = cfg_.elem_bytes(int(MemType::ACC_8BIT)), beat = cfg_.hw.dram_bus_bits / 8;
  const bool rows = tw != TW;
  const int64_t loads = rows ? co_t * th : co_t, load_rows = rows ? 1 : th;
  if (insns) *insns += loads;
  if (bytes) *bytes += loads * load_rows * ceil_div(tw * a8_eb, beat) * beat;
  return double(loads) * (p_.load_insn + double(cfg_.hw.dram_latency_cycles) + read_cycles(load_rows, tw * a8_eb));
}

double CostModel::residual_cycles(int64_t co_t, int64_t th, int64_t tw, int64_t TH, int64_t TW, int64_t* insns,
                                  int64_t* bytes) const {
  if (insns) *insns += kResidualPasses;
  return skip_load_cycles(co_t, th, tw, TW, insns, bytes) + double(kResidualSlots * co_t * TH * TW) +
         double(kResidualPasses) * p_.compute_insn;
}

double CostModel::step_load_cycles(const ConvGeometry& g, const Schedule& s, int64_t co_t, int64_t th, int64_t ci_t) const {
  const int64_t lat = cfg_.hw.dram_latency_cycles, iw = g.in_cols(s.tile_w);
  const int64_t inp_eb = cfg_.elem_bytes(int(MemType::INP)), wgt_eb = cfg_.elem_bytes(int(MemType::WGT));
  return double(g.input_sets(s.tile_co, co_t) * ci_t) * (p_.load_insn + double(lat) + read_cycles(g.in_rows(th), iw * inp_eb)) +
         p_.load_insn + double(lat) + read_cycles(co_t, g.wgt_elems(ci_t) * wgt_eb);
}

int64_t CostModel::step_load_bytes(const ConvGeometry& g, const Schedule& s, int64_t co_t, int64_t th, int64_t ci_t) const {
  const int64_t beat = cfg_.hw.dram_bus_bits / 8, iw = g.in_cols(s.tile_w);
  const int64_t inp_eb = cfg_.elem_bytes(int(MemType::INP)), wgt_eb = cfg_.elem_bytes(int(MemType::WGT));
  return g.input_sets(s.tile_co, co_t) * ci_t * g.in_rows(th) * ceil_div(iw * inp_eb, beat) * beat +
         co_t * ceil_div(g.wgt_elems(ci_t) * wgt_eb, beat) * beat;
}

Cost CostModel::bound(const LayerProblem& lp, const Schedule& s) const {
  const ConvGeometry g = with_schedule(lp.g, s);
  const int64_t beat = cfg_.hw.dram_bus_bits / 8, lat = cfg_.hw.dram_latency_cycles;
  const int64_t acc_eb = cfg_.elem_bytes(int(MemType::ACC)), out_eb = cfg_.elem_bytes(int(MemType::OUT));
  const int64_t bufs = s.oc_nthread * s.h_nthread, TH = s.tile_h, TW = s.tile_w;
  const int64_t blk = g.acc_block(TH, TW), acc_tile = s.tile_co * blk;
  const auto beats_bytes = [&](int64_t bytes) { return ceil_div(bytes, beat) * beat; };

  Cost c;
  c.inp_sram = bufs * g.input_sets(s.tile_co, s.tile_co) * s.tile_ci * g.inp_set(TH, TW);
  c.wgt_sram = bufs * s.tile_co * g.wgt_elems(s.tile_ci);
  const AccLayout acc = acc_layout(g, s, cfg_, lp.with_multipliers);
  const int banks = acc.overlap ? 2 : 1;
  c.acc_sram = acc.vectors();
  const int64_t channel_consts = lp.with_multipliers ? 2 : 1, consts = channel_consts + (g.residual ? 1 : 0);
  c.dram_read = banks * (channel_consts * beats_bytes(g.kb * acc_eb) + (g.residual ? beats_bytes(acc_eb) : 0));
  c.insns = banks * consts + 1;  // constants and FINISH; evaluate() adds the micro-op load
  const double prologue = constants_cycles(lp, banks);
  // With the overlap flag the GEMM pipe and the ALU pipe (tile starts, skip loads and epilogues) run
  // side by side.
  double gemm_pipe = 0, alu_pipe = 0;

  const Split sh(g.oh, TH), sw(g.ow, TW), sco(g.kb, s.tile_co), sci(g.cbg, s.tile_ci);
  // Shortest store of a tile and shortest GEMM + epilogue: whatever unit finishes last, the last
  // tile's store (and, after the last load, its GEMM and epilogue) still follow.
  double& min_store = c.min_store;
  double min_tail = 1e300;
  min_store = 1e300;
  for_each_size(sco, [&](int64_t co_t, int64_t nco) {
    for_each_size(sh, [&](int64_t th, int64_t nh) {
      for_each_size(sw, [&](int64_t tw, int64_t nw) {
        const double tiles = double(g.nb * nco * nh * nw);
        const int64_t ntiles = g.nb * nco * nh * nw;
        // Per tile: accumulator start, epilogue, stores.
        const double init = init_slots(lp, co_t, th, tw, blk);
        const double alu_slots = epilogue_slots(lp, co_t, blk, acc_tile) + double(g.dw_compact_slots(co_t, th, tw));
        const int64_t alu_insns = lp.alu_vector_ops + lp.alu_imm_ops + (g.dw_compact ? 1 : 0);
        int64_t res_insns = 0, res_bytes = 0;
        const double residual = g.residual ? residual_cycles(co_t, th, tw, TH, TW, &res_insns, &res_bytes) : 0.0;
        c.insns += ntiles * res_insns, c.dram_read += ntiles * res_bytes;
        const double alu_side = init + p_.compute_insn +                                               // start
                                alu_slots + double(alu_insns) * p_.compute_insn + p_.drain + residual;  // epilogue
        c.compute_busy += tiles * alu_side;
        alu_pipe += tiles * alu_side;
        c.alu_cycles += tiles * (alu_slots + (lp.init_from_bias ? init : 0.0));
        const bool rows = g.rowwise(tw, TW);
        const int64_t stores = rows ? co_t * th : co_t, store_rows = rows ? 1 : th;
        const double store = double(stores) * (p_.store_insn + double(lat) + write_cycles(store_rows, tw * out_eb));
        c.store_busy += tiles * store;
        min_store = std::min(min_store, store);
        const double epilogue = alu_slots + double(alu_insns) * p_.compute_insn + p_.drain + residual;
        c.dram_written += ntiles * stores * store_rows * beats_bytes(tw * out_eb);
        c.insns += ntiles * (1 + alu_insns + stores);
        // Per reduction step: input blocks, weights, GEMM.
        const int64_t sets = g.input_sets(s.tile_co, co_t);
        for_each_size(sci, [&](int64_t ci_t, int64_t nci) {
          const double steps = tiles * double(nci);
          const int64_t nsteps = ntiles * nci;
          c.load_busy += steps * step_load_cycles(g, s, co_t, th, ci_t);
          c.dram_read += nsteps * step_load_bytes(g, s, co_t, th, ci_t);
          const double slots = double(g.gemm_slots(th, tw, co_t, ci_t, TW));
          c.gemm_cycles += steps * slots;
          c.compute_busy += steps * (slots + p_.compute_insn + p_.drain);
          gemm_pipe += steps * (slots + p_.compute_insn + p_.drain);
          min_tail = std::min(min_tail, slots + p_.compute_insn + p_.drain + epilogue);
          c.insns += nsteps * (sets * ci_t + 2);
        });
      });
    });
  });
  if (acc.overlap) c.compute_busy = std::max(gemm_pipe, alu_pipe);
  c.compute_busy += p_.start + prologue;
  c.load_busy += p_.start;
  c.lower_bound = std::max({c.load_busy + min_tail + min_store, c.compute_busy + min_store, c.store_busy});
  return c;
}

Cost CostModel::evaluate(const LayerProblem& lp, const Schedule& s) const {
  Cost c = bound(lp, s);
  const ConvGeometry g = with_schedule(lp.g, s);
  const int64_t lat = cfg_.hw.dram_latency_cycles, beat = cfg_.hw.dram_bus_bits / 8;
  const int64_t out_eb = cfg_.elem_bytes(int(MemType::OUT));
  const int64_t bufs = s.oc_nthread * s.h_nthread, TH = s.tile_h, TW = s.tile_w, IW = g.in_cols(TW);
  const int64_t blk = g.acc_block(TH, TW), acc_tile = s.tile_co * blk, inp_set = g.inp_set(TH, TW);
  const AccLayout acc = acc_layout(g, s, cfg_, lp.with_multipliers);
  const int64_t inp_buf = g.input_sets(s.tile_co, s.tile_co) * s.tile_ci * inp_set, wgt_buf = s.tile_co * g.wgt_elems(s.tile_ci);
  const int64_t ci_steps = ceil_div(g.cbg, s.tile_ci);

  // Tiles in the schedule's loop order (batch outermost), as lower_conv walks them.
  const int64_t extent[3] = {g.kb, g.oh, g.ow}, step[3] = {s.tile_co, TH, TW};
  const int64_t count[3] = {ceil_div(g.kb, s.tile_co), ceil_div(g.oh, TH), ceil_div(g.ow, TW)};
  const int64_t n_tiles = g.nb * count[0] * count[1] * count[2];
  struct Tile { int64_t co, co_t, th, tw, acc_base, resident; };
  const auto tile = [&](int64_t t) {
    int64_t rest = t % (count[0] * count[1] * count[2]), idx[3];
    for (int a = 2; a >= 0; --a) {
      const int axis = int(s.order[size_t(a)]);
      idx[axis] = rest % count[axis];
      rest /= count[axis];
    }
    const int64_t co = idx[0] * step[0];
    return Tile{co, std::min(step[0], extent[0] - co), std::min(TH, g.oh - idx[1] * TH), std::min(TW, g.ow - idx[2] * TW),
                acc.buffer_base(t % bufs), acc.resident_base(t % bufs)};
  };

  // Distinct micro-op kernels, deduplicated by content as the program builder does. A kernel is
  // determined by the tile's ACC buffer, the step's INP/WGT buffer and whether the co/ci extents are
  // full or the edge, so each is built once (the `seen` bitmaps); one-micro-op kernels of different
  // origin can coincide and are compared by content.
  std::set<std::vector<int64_t>> kernels;
  std::set<std::array<int64_t, 3>> singles;
  const auto add = [&](std::vector<int64_t> k) {
    if (k.size() == 3) singles.insert({k[0], k[1], k[2]});
    else kernels.insert(std::move(k));
  };
  std::vector<char> seen_gemm(size_t(bufs * bufs * 4), 0), seen_reset(size_t(bufs * 2), 0),
      seen_channel(size_t(bufs * count[0]), 0);
  for (int64_t t = 0, gstep = 0; t < n_tiles; ++t) {
    const Tile T = tile(t);
    const int64_t tb = t % bufs, co_full = T.co_t == s.tile_co;
    if (!lp.init_from_bias && !seen_reset[size_t(tb * 2 + co_full)]++) {
      std::vector<int64_t> k;
      for (int64_t i = 0; i < T.co_t; ++i) k.insert(k.end(), {T.acc_base + i * blk, 0, 0});
      add(std::move(k));
    }
    for (int64_t cs = 0; cs < ci_steps; ++cs, ++gstep) {
      const int64_t ci_t = std::min(s.tile_ci, g.cbg - cs * s.tile_ci), sb = gstep % bufs;
      const bool per_block = g.input_sets(s.tile_co, T.co_t) > 1;
      if (seen_gemm[size_t(((tb * bufs + sb) * 2 + co_full) * 2 + (ci_t == s.tile_ci))]++) continue;
      const int64_t inp_sram = sb * inp_buf, wgt_sram = sb * wgt_buf;
      std::vector<int64_t> k;
      if (g.dw()) {  // one micro-op per tap; the loops walk blocks and groups
        for (int64_t y = 0; y < g.r; ++y)
          for (int64_t x = 0; x < g.s; ++x)
            k.insert(k.end(), {T.acc_base, inp_sram + y * IW + x, wgt_sram * g.dw_rows + y * g.s + x});
        add(std::move(k));
        continue;
      }
      for (int64_t o = 0; o < T.co_t; ++o)
        for (int64_t i = 0; i < ci_t; ++i)
          for (int64_t y = 0; y < g.r; ++y)
            for (int64_t x = 0; x < g.s; ++x)
              k.insert(k.end(), {T.acc_base + o * blk, inp_sram + ((per_block ? o * ci_t : 0) + i) * inp_set + y * IW + x,
                                 wgt_sram + ((o * ci_t + i) * g.r + y) * g.s + x});
      add(std::move(k));
    }
    if (seen_channel[size_t(tb * count[0] + T.co / s.tile_co)]++) continue;
    singles.insert({T.acc_base, T.resident + T.co, 0});                                  // bias MOV or add
    if (lp.with_multipliers) singles.insert({T.acc_base, T.resident + g.kb + T.co, 0});  // REQ multipliers
    if (lp.alu_imm_ops) singles.insert({T.acc_base, 0, 0});                              // immediate ops
    if (g.dw_compact) {  // the move of the rows to the tile's pitch: one micro-op per block
      std::vector<int64_t> k;
      for (int64_t i = 0; i < T.co_t; ++i) k.insert(k.end(), {T.acc_base + i * blk, T.acc_base + i * blk, 0});
      add(std::move(k));
    }
    if (g.residual) {  // fused add: the constants at 2*kb, the skip tile after the output tile
      const int64_t res = T.resident + 2 * g.kb, skip = T.acc_base + acc_tile;
      for (const auto& u : {std::array<int64_t, 3>{g.skip_first ? T.acc_base : skip, 0, 0}, {T.acc_base, skip, 0},
                            {T.acc_base, res, 0}})
        singles.insert(u);
    }
  }
  int64_t uops = int64_t(singles.size());
  for (const auto& k : kernels) uops += int64_t(k.size() / 3);
  c.uops = uops;
  c.uop_fits = uops <= cfg_.uop.depth;
  c.insns += uops > 0 ? 1 : 0;
  const int64_t uop_bytes = uops * cfg_.uop_bytes();
  c.dram_read += ceil_div(uop_bytes, beat) * beat;
  // The micro-op load heads the compute queue: one micro-op per cycle at best.
  const double uop_load = uops ? p_.load_insn + double(lat) + std::max(double(uops), read_cycles(1, uop_bytes)) : 0.0;
  c.compute_busy += uop_load;
  c.lower_bound = std::max(c.lower_bound, c.compute_busy + c.min_store);

  // The token pipeline: a load waits for the GEMM that last used its buffer (g2l), a GEMM for its
  // loads (l2g), a tile's reset for the store that last used its ACC buffer (s2g), a store for the
  // epilogue (g2s). Units run their own queues in program order.
  const int banks = acc.overlap ? 2 : 1;
  double load_free = p_.start, store_free = 0;
  double comp = p_.start + uop_load + constants_cycles(lp, banks);
  std::vector<double> gemm_done(size_t(bufs), 0), store_done(size_t(bufs), 0);
  const int64_t n_steps = n_tiles * ci_steps;
  const auto ci_of = [&](int64_t cs) { return std::min(s.tile_ci, g.cbg - cs * s.tile_ci); };
  const auto load_step = [&](const Tile& T, int64_t cs, int64_t gstep) {  // the step's GEMM slots
    load_free = std::max(load_free, gstep >= bufs ? gemm_done[size_t(gstep % bufs)] : 0.0) +
                step_load_cycles(g, s, T.co_t, T.th, ci_of(cs));
    return double(g.gemm_slots(T.th, T.tw, T.co_t, ci_of(cs), TW));
  };
  const auto store_tile = [&](const Tile& T, int64_t t, double ready) {
    const bool rows = g.rowwise(T.tw, TW);
    const int64_t stores = rows ? T.co_t * T.th : T.co_t, store_rows = rows ? 1 : T.th;
    store_free = std::max(store_free, ready) +
                 double(stores) * (p_.store_insn + double(lat) + write_cycles(store_rows, T.tw * out_eb));
    store_done[size_t(t % bufs)] = store_free;
  };
  if (!acc.overlap) {
    for (int64_t t = 0, gstep = 0; t < n_tiles; ++t) {
      const Tile T = tile(t);
      comp = std::max(comp, t >= bufs ? store_done[size_t(t % bufs)] : 0.0) + init_slots(lp, T.co_t, T.th, T.tw, blk) +
             p_.compute_insn + (g.residual ? residual_cycles(T.co_t, T.th, T.tw, TH, TW) : 0.0);
      for (int64_t cs = 0; cs < ci_steps; ++cs, ++gstep) {
        const double slots = load_step(T, cs, gstep);
        comp = std::max(comp, load_free) + slots + p_.compute_insn + p_.drain;
        gemm_done[size_t(gstep % bufs)] = comp;
      }
      comp += epilogue_slots(lp, T.co_t, blk, acc_tile) + double(g.dw_compact_slots(T.co_t, T.th, T.tw)) +
              double(lp.alu_vector_ops + lp.alu_imm_ops + (g.dw_compact ? 1 : 0)) * p_.compute_insn + p_.drain;
      store_tile(T, t, comp);
    }
  } else {
    // lower_conv's overlapped order: tile t's epilogue beside tile t + 1's GEMMs. An instruction
    // starts once the one before it has (in-order dispatch) and its pipe is free; without the
    // overlap flag it also waits for the other pipe. A skip load is ALU work that holds dispatch
    // until it is done.
    double dispatch = comp, pipe[2] = {comp, comp};
    const auto run = [&](int p, bool flagged, double ready, double slots, bool push) {
      double at = std::max({dispatch, pipe[p], ready});
      if (!flagged) at = std::max(at, pipe[1 - p]);
      dispatch = at + p_.compute_insn;
      return pipe[p] = dispatch + slots + (push ? p_.drain : 0.0);
    };
    const auto init = [&](int64_t t, bool flagged) {
      const Tile T = tile(t);
      run(1, flagged, t >= bufs ? store_done[size_t(t % bufs)] : 0.0, init_slots(lp, T.co_t, T.th, T.tw, blk), false);
    };
    const auto skip = [&](int64_t t, bool flagged) {  // flagged: ALU work beside the GEMM pipe
      if (!g.residual) return;
      const Tile T = tile(t);
      int64_t bytes = 0;
      const double at = std::max({dispatch, pipe[1], flagged ? 0.0 : pipe[0]});
      const double alone = skip_load_cycles(T.co_t, T.th, T.tw, TW, nullptr, &bytes);
      // The skip tile shares the DRAM bus with the loads the last GEMM just released (the step
      // after the next tile's first): both go at half speed until one is done.
      const int64_t released = t * ci_steps + 1;
      const double loads =
          released < n_steps ? double(step_load_bytes(g, s, tile(released / ci_steps).co_t, tile(released / ci_steps).th,
                                                       ci_of(released % ci_steps)))
                             : 0.0;
      const double shared = std::min(double(bytes), loads) / (2 * cfg_.hw.dram_bytes_per_cycle);
      dispatch = pipe[1] = at + alone + shared;  // the sequencer holds a LOAD until it is done
      if (!flagged) pipe[0] = pipe[1];
      load_free = std::max(load_free, at) + shared;
    };
    const auto gemm = [&](int64_t t, int64_t cs, bool flagged) {
      const int64_t gstep = t * ci_steps + cs;
      const double slots = load_step(tile(t), cs, gstep);
      gemm_done[size_t(gstep % bufs)] = run(0, flagged, load_free, slots, gstep + bufs < n_steps);
    };
    // The epilogue's instructions after REQ: immediate clamps, then the fused add's three passes.
    std::vector<double> rest;
    for (int i = 0; i < lp.alu_imm_ops; ++i) rest.push_back(double(acc_tile));
    if (g.residual) rest.insert(rest.end(), {double(acc_tile), 2.0 * double(acc_tile), double(acc_tile + 1)});
    init(0, false);
    skip(0, false);
    for (int64_t cs = 0; cs < ci_steps; ++cs) gemm(0, cs, false);
    if (n_tiles > 1) init(1, true);
    for (int64_t t = 0; t < n_tiles; ++t) {
      const Tile T = tile(t);
      const bool next = t + 1 < n_tiles;
      if (next) skip(t + 1, true);
      std::vector<double> after = rest;  // the depthwise mode's move of the rows comes last
      if (g.dw_compact) after.push_back(double(g.dw_compact_slots(T.co_t, T.th, T.tw)));
      double epi = run(1, false, 0.0, channel_pass_slots(T.co_t, blk), after.empty());
      if (next) gemm(t + 1, 0, true);
      for (size_t i = 0; i < after.size(); ++i) epi = run(1, true, 0.0, after[i], i + 1 == after.size());
      store_tile(T, t, epi);
      for (int64_t cs = 1; next && cs < ci_steps; ++cs) gemm(t + 1, cs, true);
      if (t + 2 < n_tiles) init(t + 2, true);
    }
    comp = std::max(pipe[0], pipe[1]);
  }
  c.cycles = std::max({comp, store_free, c.lower_bound});
  return c;
}

}  // namespace tessera::compiler::search
