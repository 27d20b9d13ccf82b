// RTL figures: GEMM stream utilization (long loops and back-to-back short GEMMs) and simulation speed.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>

#include "sim/rtl/rtl_backend.h"
#include "tests/fsim/programs.h"

using namespace tessera;
using namespace tessera::programs;

namespace {

struct Figures {
  RtlStats st;
  uint64_t uops = 0;
};

// Operands loaded once, then `insns` GEMMs of `io` x `ii` x `nuops` micro-ops each.
Figures gemm_stream(RtlSim& rtl, const DerivedConfig& cfg, int insns, int io, int ii, int nuops) {
  std::vector<uint8_t> dram(1 << 20);
  fill_random(dram, 7);
  std::vector<Uop> uops;
  for (int k = 0; k < nuops; ++k) uops.push_back({uint32_t(k), uint32_t(k), uint32_t(k)});
  put_uops(dram, cfg, 0, uops);
  // The load unit's INP and WGT loads hand one token to compute, whose UOP load waits for it.
  std::vector<Insn> p = {load(MemType::INP, 0, 0, 1, 64, 64),
                         load(MemType::WGT, 0, 0, 1, 64, 64, {}, {false, false, false, true}),
                         load(MemType::UOP, 0, 0, 1, nuops, nuops, {}, {true, false, false, false}),
                         gemm({0, nuops, io, ii, 1, 1, 1, 1, 1, 1})};
  for (int i = 1; i < insns; ++i) p.push_back(gemm({0, nuops, io, ii, 1, 1, 1, 1, 1, 1}));
  p.push_back(finish());
  Figures f;
  f.st = rtl.run(p, dram);
  f.uops = uint64_t(insns) * io * ii * nuops;
  return f;
}

// `insns` vector ALU ADDs over `vectors` accumulators each: per-channel (a fixed source row, so the
// operand is fetched once per outer iteration) or with a source moving with the destination.
void alu_stream(RtlSim& rtl, const DerivedConfig& cfg, int insns, int vectors, bool per_channel) {
  std::vector<uint8_t> dram(1 << 16);
  fill_random(dram, 11);
  put_uops(dram, cfg, 0, {{0, uint32_t(vectors), 0}});
  std::vector<Insn> p = {load(MemType::ACC_8BIT, 0, 64, 1, 2 * vectors, 2 * vectors), load(MemType::UOP, 0, 0, 1, 1, 1)};
  for (int i = 0; i < insns; ++i) p.push_back(alu(AluOp::ADD, {0, 1, 1, vectors, 0, 1, 0, per_channel ? 0 : 1}));
  p.push_back(finish());
  const RtlStats st = rtl.run(p, dram);
  std::printf("ALU stream: %d insns x %d vectors, %-24s %7llu uops %7llu cycles  %.3f cycles per vector\n", insns,
              vectors, per_channel ? "per-channel source" : "moving source", static_cast<unsigned long long>(st.alu_uops),
              static_cast<unsigned long long>(st.cycles), double(st.cycles) / double(st.alu_uops));
}

void report(const char* what, const Figures& f) {
  const double busy = double(f.st.units[1].busy);
  std::printf("%-46s %7llu uops %7llu cycles  utilization %.4f, %.4f of compute-busy cycles; "
              "instruction fetch %.2f B/cycle\n",
              what, static_cast<unsigned long long>(f.st.gemm_uops), static_cast<unsigned long long>(f.st.cycles),
              f.st.gemm_utilization, busy > 0 ? double(f.st.gemm_uops) / busy : 0.0,
              double(f.st.traffic.bytes_read[0]) / double(f.st.cycles));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "default";
  const DerivedConfig cfg = config(name);
  auto rtl = make_rtl_sim(cfg);
  std::printf("RTL benchmark, config %s (%dx%dx%d)\n", name.c_str(), cfg.hw.batch, cfg.hw.block_in, cfg.hw.block_out);
  report("GEMM stream: 64 insns x 16x16 loops x 16 uops", gemm_stream(*rtl, cfg, 64, 16, 16, 16));
  report("GEMM stream: 4096 insns x 1 uop (back-to-back)", gemm_stream(*rtl, cfg, 4096, 1, 1, 1));
  report("GEMM stream: 1024 insns x 2x2 loops x 4 uops", gemm_stream(*rtl, cfg, 1024, 2, 2, 4));
  const int vectors = int(std::min<int64_t>(256, cfg.acc.depth / 2));
  alu_stream(*rtl, cfg, 64, vectors, true);
  alu_stream(*rtl, cfg, 64, vectors, false);
  // The host is a shared VM whose speed varies from run to run: report the median and best of 5.
  std::vector<double> wall, cpu;
  uint64_t cycles = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const std::clock_t c0 = std::clock();
    const Figures speed = gemm_stream(*rtl, cfg, 256, 16, 16, 16);
    cpu.push_back(double(speed.st.sim_cycles) / (double(std::clock() - c0) / CLOCKS_PER_SEC));
    wall.push_back(double(speed.st.sim_cycles) / speed.st.wall_seconds);
    cycles = speed.st.sim_cycles;
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf("simulation speed: %llu cycles x 5 runs: median %.0f cycles/s CPU (%.0f wall), best %.0f CPU, "
              "worst %.0f CPU (single thread, no waveform open)\n",
              static_cast<unsigned long long>(cycles), cpu[2], wall[2], cpu[4], cpu[0]);
  return 0;
}
