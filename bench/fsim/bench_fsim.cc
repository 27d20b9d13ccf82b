// Functional-simulator throughput: a conv-like GEMM stream and a mixed load/compute/store stream.
#include <benchmark/benchmark.h>

#include "sim/fsim/fsim.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

using namespace programs;

// A 3x3 convolution tile as VTA lowers it: OH x OW outputs, CI input and CO output channel blocks.
// One micro-op per (oy, ox, ky, kx); the outer loop walks output blocks, the inner loop input blocks.
struct ConvTile {
  // Output rows shrink until two buffer halves fit the config's INP SRAM.
  explicit ConvTile(const DerivedConfig& cfg) {
    while (oh > 1 && 2 * inp_elems() > cfg.inp.depth) --oh;
  }
  int64_t oh = 7, ow = 14, ci = 4, co = 4;
  int64_t ih() const { return oh + 2; }
  int64_t iw() const { return ow + 2; }
  int64_t acc_elems() const { return co * oh * ow; }
  int64_t inp_elems() const { return ci * ih() * iw(); }
  int64_t wgt_elems() const { return co * ci * 9; }

  int64_t uops_per_half() const { return oh * ow * 9; }

  // Micro-ops of buffer half h (virtual thread h) live at h * uops_per_half() and address SRAM
  // half h; the last two micro-ops are the ALU's per-half anchors.
  std::vector<Uop> uops() const {
    std::vector<Uop> u;
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 3; ++kx)
              u.push_back({uint32_t(h * acc_elems() + oy * ow + ox),
                           uint32_t(h * inp_elems() + (oy + ky) * iw() + ox + kx),
                           uint32_t(h * wgt_elems() + ky * 3 + kx)});
    for (int64_t h = 0; h < 2; ++h) u.push_back({uint32_t(h * acc_elems()), 0, 0});
    return u;
  }
  Loop reset_loop(int64_t h) const {
    return Loop{h * uops_per_half(), (h + 1) * uops_per_half(), co, 1, oh * ow};
  }
  Loop gemm_loop(int64_t h) const {
    return Loop{h * uops_per_half(), (h + 1) * uops_per_half(), co, ci, oh * ow, 0, 0, ih() * iw(), ci * 9, 9};
  }
  // Every accumulator of half h, row by row.
  Loop alu_loop(int64_t h) const {
    const int64_t k = 2 * uops_per_half() + h;
    return Loop{k, k + 1, co * oh, ow, ow, 1};
  }
};

struct Workload {
  DerivedConfig cfg;
  std::vector<Insn> program;
  std::vector<uint8_t> dram;
};

// Lays out DRAM (inputs, weights, micro-ops) and returns the element index where micro-ops start.
int64_t prepare_dram(Workload& w, const ConvTile& t, int tiles) {
  const int64_t uop_bytes = w.cfg.elem_bytes(int(MemType::UOP));
  const int64_t data = (t.inp_elems() * w.cfg.inp.elem_bytes + t.wgt_elems() * w.cfg.wgt.elem_bytes) * tiles +
                       t.acc_elems() * w.cfg.out.elem_bytes * tiles;
  w.dram.assign(size_t(data + int64_t(t.uops().size()) * uop_bytes + 4096), 0);
  fill_random(w.dram, 7);
  const int64_t uop_elem = data / uop_bytes + 1;
  put_uops(w.dram, w.cfg, uop_elem, t.uops());
  return uop_elem;
}

// GEMM-heavy: data loaded once, then `reps` conv GEMMs back to back on the compute unit.
Workload gemm_stream(const std::string& config, int reps) {
  Workload w{programs::config(config), {}, {}};
  const ConvTile t(w.cfg);
  const int64_t uop_elem = prepare_dram(w, t, 1);
  const int64_t nu = int64_t(t.uops().size());
  auto& p = w.program;
  p.push_back(load(MemType::INP, 0, 0, 1, t.inp_elems(), t.inp_elems()));
  p.push_back(load(MemType::WGT, 0, 0, 1, t.wgt_elems(), t.wgt_elems(), {}, Tokens{false, false, false, true}));
  p.push_back(load(MemType::UOP, 0, uop_elem, 1, nu, nu, {}, Tokens{true}));
  p.push_back(gemm(t.reset_loop(0), true));
  for (int r = 0; r < reps; ++r) p.push_back(gemm(t.gemm_loop(0)));
  p.push_back(finish());
  return w;
}

// Mixed: per tile, the load unit fetches inputs and weights (double-buffered halves), compute runs
// reset + conv GEMM + requantizing ALU ops (shift, clip), the store unit writes int8 outputs.
Workload mixed_stream(const std::string& config, int tiles) {
  Workload w{programs::config(config), {}, {}};
  const ConvTile t(w.cfg);
  const int64_t uop_elem = prepare_dram(w, t, tiles);
  const int64_t nu = int64_t(t.uops().size()), acc_n = t.acc_elems();
  const int64_t inp_dram = 0, wgt_dram = t.inp_elems() * tiles * w.cfg.inp.elem_bytes / w.cfg.wgt.elem_bytes;
  const int64_t out_dram = (wgt_dram * w.cfg.wgt.elem_bytes + t.wgt_elems() * tiles * w.cfg.wgt.elem_bytes) / w.cfg.out.elem_bytes;
  auto& p = w.program;
  p.push_back(load(MemType::UOP, 0, uop_elem, 1, nu, nu));
  // Both halves start free: two g2l grants for the loader, two s2g grants for compute.
  for (int k = 0; k < 2; ++k) p.push_back(sync(Unit::COMPUTE, Tokens{false, false, true, false}));
  for (int k = 0; k < 2; ++k) p.push_back(sync(Unit::STORE, Tokens{false, false, true, false}));
  for (int tile = 0; tile < tiles; ++tile) {
    const int64_t h = tile % 2;
    p.push_back(load(MemType::INP, h * t.inp_elems(), inp_dram + tile * t.inp_elems(), 1, t.inp_elems(),
                     t.inp_elems(), {}, Tokens{false, true, false, false}));
    p.push_back(load(MemType::WGT, h * t.wgt_elems(), wgt_dram + tile * t.wgt_elems(), 1, t.wgt_elems(),
                     t.wgt_elems(), {}, Tokens{false, false, false, true}));
    p.push_back(gemm(t.reset_loop(h), true, Tokens{true, true, false, false}));
    p.push_back(gemm(t.gemm_loop(h), false, Tokens{false, false, true, false}));
    p.push_back(alu(AluOp::SHR, t.alu_loop(h), true, 6));
    p.push_back(alu(AluOp::MIN, t.alu_loop(h), true, 127));
    p.push_back(alu(AluOp::MAX, t.alu_loop(h), true, -128, Tokens{false, false, false, true}));
    p.push_back(store(h * acc_n, out_dram + tile * acc_n, 1, acc_n, acc_n, Tokens{true, false, true, false}));
  }
  p.push_back(finish());
  return w;
}

void run_workload(benchmark::State& state, const Workload& base, const std::string& kernel) {
  Fsim sim(base.cfg);
  sim.use_gemm_kernel(kernel);
  std::vector<uint8_t> dram = base.dram;
  FsimStats total;
  uint64_t insns = 0;
  for (auto _ : state) {
    sim.reset_stats();
    const FsimStats s = sim.run(base.program, dram);
    total.macs += s.macs;
    total.gemm_uops += s.gemm_uops;
    total.alu_uops += s.alu_uops;
    for (uint64_t n : s.insns) insns += n;
  }
  state.counters["GMAC/s"] = benchmark::Counter(double(total.macs) / 1e9, benchmark::Counter::kIsRate);
  state.counters["Muops/s"] =
      benchmark::Counter(double(total.gemm_uops + total.alu_uops) / 1e6, benchmark::Counter::kIsRate);
  state.counters["insn/s"] = benchmark::Counter(double(insns), benchmark::Counter::kIsRate);
}

void register_all() {
  for (const std::string config : {"default", "vta_4x8x8", "large_1x32x32"}) {
    const Workload gemm = gemm_stream(config, 32), mixed = mixed_stream(config, 8);
    for (const std::string& kernel : Fsim(gemm.cfg).gemm_kernels()) {
      benchmark::RegisterBenchmark(("gemm_stream/" + config + "/" + kernel).c_str(),
                                   [gemm, kernel](benchmark::State& s) { run_workload(s, gemm, kernel); })
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("mixed_stream/" + config + "/" + kernel).c_str(),
                                   [mixed, kernel](benchmark::State& s) { run_workload(s, mixed, kernel); })
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace
}  // namespace tessera

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  tessera::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
