// Cost model: a hand-computed single-tile layer, and exact DRAM bytes, instruction and micro-op
// counts against the programs the lowering actually emits (randomized layers x schedules).
#include <gtest/gtest.h>

#include <random>

#include "compiler/compile.h"
#include "compiler/compile_error.h"
#include "compiler/import/random_layer.h"
#include "compiler/search/cost_model.h"
#include "compiler/search/schedule_space.h"

namespace tessera::compiler::search {
namespace {

DerivedConfig config_named(const std::string& name) {
  return load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + name + ".json");
}

// DRAM bytes a program moves, from its LOAD/STORE fields: every row rounded up to whole bus beats.
struct Traffic {
  int64_t read = 0, written = 0;
};
Traffic program_traffic(const Program& p, const DerivedConfig& cfg) {
  const int64_t beat = cfg.hw.dram_bus_bits / 8;
  Traffic t;
  for (const Insn& i : p.insns) {
    const auto op = Opcode(i[Field::OPCODE]);
    if (op != Opcode::LOAD && op != Opcode::STORE) continue;
    const auto mem = int(i[Field::MEMORY_TYPE]);
    const int64_t elem = mem == int(MemType::UOP) ? cfg.uop_bytes() : cfg.elem_bytes(mem);
    const int64_t row = (i[Field::X_SIZE] * elem + beat - 1) / beat * beat;
    (op == Opcode::LOAD ? t.read : t.written) += i[Field::Y_SIZE] * row;
  }
  return t;
}

TEST(CostModel, SingleTileOneByOneConvByHand) {
  const DerivedConfig cfg = config_named("default");  // 16x16 blocks, 64-bit bus, latency 64
  LayerProblem lp;
  ConvGeometry& g = lp.g;
  g.n = 1, g.c = 16, g.h = g.w = 4, g.k = 16, g.oh = g.ow = 4, g.nb = g.cb = g.kb = 1, g.hp = g.wp = 4;
  g.cg = g.c, g.kg = g.k, g.cbg = g.kbg = 1;  // dense: one block group
  Schedule s;
  s.tile_h = s.tile_w = 4, s.oc_nthread = 1;
  const Cost c = CostModel(cfg).evaluate(lp, s);
  // Input 4x4 vectors of 16 B, one 256 B weight tile, bias and multiplier vectors (64 B each),
  // two distinct micro-ops of 4 B ({2,0,0} serves the bias MOV and the GEMM; {2,1,0} REQ).
  EXPECT_EQ(c.dram_read, 256 + 256 + 64 + 64 + 8);
  EXPECT_EQ(c.dram_written, 4 * 4 * 16);
  EXPECT_EQ(c.uops, 2);
  // uop load, bias, multipliers, MOV bias, INP, WGT, GEMM, REQ, STORE, FINISH.
  EXPECT_EQ(c.insns, 10);
  EXPECT_EQ(c.gemm_cycles, 16);
  EXPECT_EQ(compute_bound_cycles(g), 16);
  EXPECT_EQ(c.alu_cycles, 2 * (1 + 16));  // MOV and REQ: one operand fetch, then one slot per vector
  EXPECT_EQ(c.inp_sram, 16);
  EXPECT_EQ(c.wgt_sram, 1);
  EXPECT_EQ(c.acc_sram, 2 + 16);
  // Nothing overlaps in a single tile: at least the latency of the input load, the weight load and
  // the store, plus the GEMM and epilogue slots.
  EXPECT_GE(c.cycles, 3 * 64 + 16 + 16 + 64);
  EXPECT_LE(c.lower_bound, c.cycles);
}

TEST(CostModel, CountsAndBytesMatchTheLowering) {
  std::mt19937_64 rng(42);
  int checked = 0;
  for (const char* cname : {"tiny", "default", "vta_4x8x8"}) {
    const DerivedConfig cfg = config_named(cname);
    for (int trial = 0; trial < 12; ++trial) {
      RandomLayerSpec spec;
      spec.kind = trial % 5 == 4 ? LayerKind::DENSE : LayerKind::CONV2D;
      spec.type = trial % 2 ? ElemType::UINT8 : ElemType::INT8;
      spec.c = 1 + int64_t(rng() % 40), spec.h = spec.w = 3 + int64_t(rng() % 12), spec.k = 1 + int64_t(rng() % 40);
      spec.kernel = int(1 + 2 * (rng() % 2)), spec.stride = int(1 + rng() % 2), spec.pad = int(rng() % 2);
      spec.per_channel = true, spec.relu = trial % 3 == 0;
      if (spec.kind == LayerKind::CONV2D && trial % 4 == 1) spec.k = spec.c, spec.group = int(spec.c);  // depthwise
      if (spec.kind == LayerKind::CONV2D && trial % 4 == 2) spec.c = 24, spec.k = 36, spec.group = 3, spec.clamp = true;
      const Layer layer = random_layer(spec, trial);
      for (IsaTarget isa : {IsaTarget::TESSERA, IsaTarget::VTA}) {
        LayerProblem lp;
        try {
          lp = layer_problem(layer, cfg, isa);
        } catch (const std::exception&) {
          continue;  // random scales VTA cannot express
        }
        const ScheduleSpace space(lp.g, cfg, lp.with_multipliers);
        const auto legal = space.legal();
        ASSERT_FALSE(legal.empty()) << cname << " " << lp.descriptor();
        for (int pick = 0; pick < 4; ++pick) {
          const Schedule s = space.at(legal[size_t(rng() % legal.size())]);
          const Cost c = CostModel(cfg).evaluate(lp, s);
          Model m;
          m.layers = {layer};
          CompileOptions opt;
          opt.isa = isa, opt.schedule = s;
          if (!c.uop_fits) {
            EXPECT_THROW(compile_model(m, cfg, opt), CompileError);
            continue;
          }
          const Compiled prog = compile_model(m, cfg, opt);
          const Traffic t = program_traffic(prog.program, cfg);
          const std::string what = std::string(cname) + " " + lp.descriptor() + " " + schedule_json(s);
          EXPECT_EQ(c.insns, int64_t(prog.program.insns.size())) << what;
          EXPECT_EQ(c.uops, int64_t(prog.program.uops.size())) << what;
          EXPECT_EQ(c.dram_read, t.read) << what;
          EXPECT_EQ(c.dram_written, t.written) << what;
          EXPECT_LE(c.lower_bound, c.cycles) << what;
          EXPECT_GE(c.cycles, compute_bound_cycles(lp.g)) << what;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(CostModel, BoundAgreesWithEvaluateOnBytesAndBusyTime) {
  const DerivedConfig cfg = config_named("default");
  RandomLayerSpec spec;
  spec.c = 64, spec.h = spec.w = 14, spec.k = 64, spec.kernel = 3, spec.pad = 1, spec.per_channel = true;
  const LayerProblem lp = layer_problem(random_layer(spec, 1), cfg, IsaTarget::TESSERA);
  const ScheduleSpace space(lp.g, cfg, lp.with_multipliers);
  const CostModel model(cfg);
  for (int64_t i : space.legal()) {
    const Cost b = model.bound(lp, space.at(i)), e = model.evaluate(lp, space.at(i));
    ASSERT_LE(b.lower_bound, e.cycles);
    ASSERT_EQ(b.dram_written, e.dram_written);
    ASSERT_LE(b.dram_read, e.dram_read);  // the bound leaves out the micro-op bytes
    ASSERT_EQ(b.gemm_cycles, e.gemm_cycles);
  }
}

TEST(CostModel, SlowerDramNeverHelps) {
  DerivedConfig fast = config_named("default"), slow = fast;
  slow.hw.dram_latency_cycles *= 4;
  RandomLayerSpec spec;
  spec.c = 32, spec.h = spec.w = 10, spec.k = 48, spec.kernel = 3, spec.pad = 1, spec.per_channel = true;
  const LayerProblem lp = layer_problem(random_layer(spec, 3), fast, IsaTarget::TESSERA);
  const ScheduleSpace space(lp.g, fast, lp.with_multipliers);
  for (int64_t i : space.legal()) {
    const Schedule s = space.at(i);
    ASSERT_LT(CostModel(fast).evaluate(lp, s).cycles, CostModel(slow).evaluate(lp, s).cycles) << schedule_json(s);
  }
}

}  // namespace
}  // namespace tessera::compiler::search
