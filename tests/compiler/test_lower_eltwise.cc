// Max-pool lowering called directly for each ISA target (the single-layer driver takes the default):
// bit-exact against the reference on fsim, no ALU reset anywhere, no tessera extension on VTA.
#include <gtest/gtest.h>

#include "compiler/lower_eltwise.h"
#include "compiler/search/eltwise_cost.h"
#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler {
namespace {

RandomLayerSpec pool(ElemType t, int64_t n, int64_t c, int64_t h, int64_t w, int kernel, int stride, int pad) {
  RandomLayerSpec s;
  s.kind = LayerKind::MAX_POOL, s.type = t, s.n = n, s.c = c, s.h = h, s.w = w, s.kernel = kernel, s.stride = stride;
  s.pad = pad;
  return s;
}

struct PoolCase {
  const char* config;
  RandomLayerSpec spec;
  bool separable;
};

class LowerMaxPool : public ::testing::TestWithParam<PoolCase> {};

TEST_P(LowerMaxPool, ExactOnBothIsaTargetsWithoutAluReset) {
  const PoolCase& c = GetParam();
  const DerivedConfig cfg = testing::config_named(c.config);
  const Layer l = random_layer(c.spec, 17);
  EXPECT_EQ(plan_max_pool(l, cfg).separable, c.separable);
  for (IsaTarget isa : {IsaTarget::TESSERA, IsaTarget::VTA}) {
    SCOPED_TRACE(isa == IsaTarget::TESSERA ? "TESSERA" : "VTA");
    ProgramBuilder b(cfg);
    lower_max_pool(l, b, nullptr, isa);
    const Program p = b.finish("test", nullptr);
    bool mov = false;
    for (const Insn& in : p.insns) {
      if (Opcode(in[Field::OPCODE]) != Opcode::ALU) continue;
      EXPECT_EQ(in[Field::RESET], 0) << "ALU reset (ignored by VTA, issue #10)";
      mov |= AluOp(in[Field::ALU_OPCODE]) == AluOp::MOV;
    }
    EXPECT_EQ(mov, isa == IsaTarget::TESSERA);
    const QTensor& x = l.inputs[0];
    size_t count = 1;
    for (int64_t d : x.shape) count *= size_t(d);
    const std::vector<int32_t> v = random_values(x.type, count, 3);
    Device dev(cfg, "fsim");
    const DeviceRun r = dev.run(p, {{x.name, testing::to_npy(v, x.type, x.shape)}});
    EXPECT_EQ(testing::from_npy(r.outputs.at(l.output.name)), reference::run_layer(l, {v}));
  }
}

constexpr auto I8 = ElemType::INT8;
constexpr auto U8 = ElemType::UINT8;

INSTANTIATE_TEST_SUITE_P(
    Pools, LowerMaxPool,
    ::testing::Values(PoolCase{"default", pool(I8, 1, 64, 112, 112, 3, 2, 1), true},   // ResNet-18's: 2 planes of bands
                      PoolCase{"default", pool(U8, 1, 20, 11, 12, 3, 2, 1), true},     // odd rows, even columns
                      PoolCase{"default", pool(I8, 1, 7, 10, 9, 3, 2, 0), true},       // unpadded, one band
                      PoolCase{"default", pool(U8, 1, 33, 3, 3, 3, 2, 1), true},       // one output row per band
                      PoolCase{"tiny", pool(I8, 1, 9, 23, 17, 3, 2, 1), true},         // small ACC: many bands
                      PoolCase{"vta_4x8x8", pool(U8, 3, 10, 8, 8, 3, 2, 1), true},     // batch blocks
                      PoolCase{"default", pool(I8, 1, 7, 9, 9, 2, 2, 0), false},       // other windows: every tap
                      PoolCase{"tiny", pool(I8, 1, 9, 24, 12, 3, 1, 1), false}));

// The estimate never beats what the segment must do: its DRAM bytes at the bus rate (loads and
// stores of one unit alone), its ALU issue slots; and it grows with the work.
TEST(EltwiseCost, RespectsTheDramAndAluBounds) {
  const DerivedConfig cfg = testing::config_named("default");
  RandomLayerSpec add;
  add.kind = LayerKind::ADD, add.type = U8, add.c = 64, add.h = add.w = 28;
  RandomLayerSpec gap = add;
  gap.kind = LayerKind::GLOBAL_AVG_POOL, gap.c = 40, gap.h = gap.w = 7;
  double previous = 0;
  for (const RandomLayerSpec& s : {pool(I8, 1, 17, 9, 11, 3, 2, 1), pool(I8, 1, 64, 56, 56, 3, 2, 1),
                                   pool(I8, 1, 64, 112, 112, 3, 2, 1)}) {
    const search::SegmentCost c = search::eltwise_cost(random_layer(s, 1), nullptr, cfg);
    EXPECT_GE(c.cycles, double(c.dram_read) / cfg.hw.dram_bytes_per_cycle);
    EXPECT_GE(c.cycles, c.alu_slots);
    EXPECT_GT(c.cycles, previous);
    previous = c.cycles;
  }
  for (const RandomLayerSpec& s : {add, gap}) {
    Layer l = random_layer(s, 2);
    if (l.output.shape.size() == 2) l.output.shape = {l.output.shape[0], l.output.shape[1], 1, 1};
    const search::SegmentCost c = search::eltwise_cost(l, nullptr, cfg);
    EXPECT_GE(c.cycles, c.memory_bound * 0.5);  // reads and writes overlap at most fully
    EXPECT_GE(c.cycles, double(c.dram_read) / cfg.hw.dram_bytes_per_cycle);
    EXPECT_GE(c.cycles, c.alu_slots);
    EXPECT_GT(c.dram_written, 0);
  }
  // The VTA max-pool does one more pass (MIN, then MAX instead of MOV).
  const Layer l = random_layer(pool(I8, 1, 64, 56, 56, 3, 2, 1), 3);
  EXPECT_GT(search::eltwise_cost(l, nullptr, cfg, IsaTarget::VTA).cycles, search::eltwise_cost(l, nullptr, cfg).cycles);
  ActBuffer none{0, 4, 8, 8};
  EXPECT_EQ(search::fill_halo_cost(none, cfg).cycles, 0);
  ActBuffer halo = none;
  halo.top = halo.left = halo.bottom = halo.right = 1;
  const search::SegmentCost h = search::fill_halo_cost(halo, cfg);
  EXPECT_EQ(h.dram_written, (halo.elements() - 4 * 8 * 8) * cfg.elem_bytes(int(MemType::OUT)));
  EXPECT_GE(h.cycles, double(h.dram_written) / cfg.hw.dram_bytes_per_cycle);
}

}  // namespace
}  // namespace tessera::compiler
