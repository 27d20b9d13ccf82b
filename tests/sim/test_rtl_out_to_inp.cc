// STORE OUT_TO_INP on the RTL in lockstep with the fsim: the copy into the input SRAM feeds GEMMs
// (plain and, with the mode, depthwise), it shares the input SRAM's write port with a running LOAD INP
// (the load unit first), and it moves one element per cycle.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "sim/cosim/lockstep.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

using namespace programs;

class RtlOutToInp : public ::testing::TestWithParam<std::string> {
 protected:
  DerivedConfig cfg = config(GetParam());
  std::vector<uint8_t> dram = std::vector<uint8_t>(1 << 20);
  std::unique_ptr<RtlSim> rtl;
  const int64_t uop_dram = 4096, acc_dram = (1 << 17) / cfg.elem_bytes(int(MemType::ACC));
  const int64_t out_dram = (1 << 19) / cfg.elem_bytes(int(MemType::OUT));  // DRAM stores: the upper half

  RtlOutToInp() { fill_random(dram, 31); }

  void SetUp() override {
    const std::vector<std::string> built = built_rtl_configs();
    if (std::find(built.begin(), built.end(), GetParam()) == built.end())
      GTEST_SKIP() << "no RTL model for config '" << GetParam() << "' in this build";
    rtl = make_rtl_sim(cfg);
  }

  static Insn to_inp(int64_t acc, int64_t inp, int64_t y, int64_t x, int64_t stride, Tokens t = {}) {
    return mem(Opcode::STORE, MemType::OUT_TO_INP, acc, inp, y, x, stride, {}, t);
  }

  CosimResult run(std::vector<Insn> p) {
    p.push_back(finish());
    const CosimResult r = run_lockstep(*rtl, p, dram);
    EXPECT_TRUE(r.ok) << r.divergence;
    EXPECT_EQ(r.checked_insns, int64_t(p.size()));
    return r;
  }

  // The compute unit loads `n` accumulator rows at 0 (random words: truncation shows) and hands them
  // to the store unit; with `to_load` it also releases the load unit (g2l) in the same cycle.
  std::vector<Insn> acc_rows(int64_t n, bool to_load) {
    return {load(MemType::ACC, 0, acc_dram, 1, n, n), sync(Unit::COMPUTE, {false, false, to_load, true})};
  }
};

// A strided copy into input elements a GEMM then multiplies (the elements between the copied rows
// keep the LOAD's values), a one-element copy into the last input element, a depthwise GEMM over
// copied rows (default), and a DRAM store of the results. Every written element is compared with
// the fsim at every retire; a copy that wrote nothing or the wrong element would change the GEMMs.
TEST_P(RtlOutToInp, CopyFeedsTheNextGemm) {
  const int64_t a = 40, d = 100, ys = 3, xs = 4, stride = 6, last = cfg.inp.depth - 1;
  std::vector<Uop> uops = {{0, uint32_t(d), 0}, {0, uint32_t(d + 1), 1}, {1, uint32_t(d + 6), 2},
                           {20, uint32_t(last), 3}};
  const bool dw = cfg.hw.depthwise;
  if (dw)
    for (uint32_t k = 0; k < 3; ++k) uops.push_back({200, uint32_t(d + 2 * k), k});  // one group of 3 taps
  put_uops(dram, cfg, uop_dram, uops);
  std::vector<Insn> p = {
      load(MemType::INP, 0, 0, 1, 256, 256),
      load(MemType::WGT, 0, 0, 1, 64, 64, {}, {false, false, false, true}),  // l2g
      load(MemType::UOP, 0, uop_dram, 1, int64_t(uops.size()), int64_t(uops.size()), {},
           {true, false, false, false}),  // pops l2g: the copy below comes after the LOAD INP
      load(MemType::ACC, a, acc_dram, 1, 32, 32),
      alu(AluOp::ADD, Loop{0, 1, 1, 8, 0, 1, 0, 1}, true, 300, {false, false, false, true}),  // g2s
      to_inp(a, d, ys, xs, stride, {true, false, true, false}),   // pops g2s, pushes s2g
      gemm(Loop{0, 3, ys, xs, 4, 1, stride, 1, 0, 0}, false, {false, true, false, true}),  // pops s2g
      store(0, out_dram, 1, 13, 13, {true, false, false, false}),
      to_inp(0, last, 1, 1, 1, {false, false, true, false}),  // a GEMM result, into the last element
      gemm(Loop{3, 4}, false, {false, true, false, false})};
  if (dw) {
    Insn g = gemm(Loop{4, 7});
    g[Field::DEPTHWISE] = 1;
    p.push_back(g);
  }
  run(p);
}

// The store unit's busy cycles and the whole run's cycles of one copy.
struct CopyCost {
  uint64_t store_busy, cycles;
};

// One element per cycle, no bubble between rows: the store unit's busy cycles (hardware counter) and
// the whole run grow by exactly one cycle per element.
TEST_P(RtlOutToInp, OneElementPerCycle) {
  const int64_t big = std::min(cfg.acc.depth, cfg.inp.depth) / 2, small = 16;
  auto cost = [&](int64_t n, bool rows) {
    std::vector<Insn> p = acc_rows(big, false);
    p.push_back(rows ? to_inp(0, 0, 4, n / 4, n / 4 + 3, {true, false, false, false})
                     : to_inp(0, 0, 1, n, n, {true, false, false, false}));
    const CosimResult r = run(p);
    return CopyCost{r.rtl.units[int(Unit::STORE)].busy, r.rtl.cycles};
  };
  const CopyCost few = cost(small, false), many = cost(big, false), many_rows = cost(big, true);
  EXPECT_EQ(many.store_busy - few.store_busy, uint64_t(big - small));
  EXPECT_EQ(many.cycles - few.cycles, uint64_t(big - small));
  EXPECT_EQ(many_rows.store_busy, many.store_busy) << "rows cost nothing extra";
  EXPECT_EQ(many_rows.cycles, many.cycles);
  std::printf("[ OUT_TO_INP ] %s: %lld elements, store unit busy %llu cycles (%.3f per element, %lld fixed)\n",
              GetParam().c_str(), (long long)big, (unsigned long long)many.store_busy,
              double(many.store_busy - few.store_busy) / double(big - small),
              (long long)many.store_busy - (long long)big);
}

// The copy and a LOAD INP into the other half of the input SRAM start together (the compute unit
// releases both with one sync); the load's elements arrive while the copy still runs and take the
// write port, so the store unit stalls for cycles it did not stall without the load, and both
// results are exact. A GEMM then multiplies the copied elements.
TEST_P(RtlOutToInp, LoadUnitWritesTakeThePortFirst) {
  const int64_t n = std::min<int64_t>(256, cfg.acc.depth / 2), loaded = cfg.inp.depth / 2;
  put_uops(dram, cfg, uop_dram, {{uint32_t(cfg.acc.depth / 2), 0, 0}});
  auto program = [&](bool with_load) {
    std::vector<Insn> p = {load(MemType::UOP, 0, uop_dram, 1, 1, 1)};
    const std::vector<Insn> rows = acc_rows(n, true);
    p.insert(p.end(), rows.begin(), rows.end());
    p.push_back(to_inp(0, 0, 1, n, n, {true, false, true, false}));
    p.push_back(with_load ? load(MemType::INP, loaded, 0, 1, loaded, loaded, {}, {false, true, false, false})
                          : sync(Unit::LOAD, {false, true, false, false}));
    p.push_back(load(MemType::WGT, 0, 0, 1, 1, 1, {}, {false, false, false, true}));
    p.push_back(gemm(Loop{0, 1, 1, n, 1, 1, 1, 1, 0, 0}, false, {true, true, false, false}));
    return p;
  };
  const CosimResult alone = run(program(false)), beside = run(program(true));
  const uint64_t alone_stall = alone.rtl.units[int(Unit::STORE)].stall, beside_stall = beside.rtl.units[int(Unit::STORE)].stall;
  EXPECT_GT(beside_stall, alone_stall) << "the load unit never took the write port from the copy";
  std::printf("[ OUT_TO_INP ] %s: %lld-element copy beside a %lld-element LOAD INP: store unit stalled %llu cycles "
              "(%llu without the load)\n",
              GetParam().c_str(), (long long)n, (long long)loaded, (unsigned long long)beside_stall,
              (unsigned long long)alone_stall);
}

INSTANTIATE_TEST_SUITE_P(Configs, RtlOutToInp, ::testing::Values("default", "tiny", "vta_4x8x8"));

}  // namespace
}  // namespace tessera
