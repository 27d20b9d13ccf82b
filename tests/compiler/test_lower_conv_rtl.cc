// A subset of the lowering tests on the RTL model: same outputs as fsim, within one LSB of the reference.
#include <gtest/gtest.h>

#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler {
namespace {

struct RtlCase {
  const char* config;
  RandomLayerSpec spec;
  Schedule schedule;
};

Schedule tiles(int64_t h, int64_t w, int64_t ci, int64_t co, int64_t threads) {
  Schedule s;
  s.tile_h = h, s.tile_w = w, s.tile_ci = ci, s.tile_co = co, s.oc_nthread = threads;
  s.order = {LoopAxis::H, LoopAxis::CO, LoopAxis::W};
  return s;
}

RandomLayerSpec conv(ElemType t, int64_t c, int64_t hw, int64_t k, int kernel, int stride, int pad, bool relu) {
  RandomLayerSpec s;
  s.type = t, s.c = c, s.h = hw, s.w = hw + 1, s.k = k, s.kernel = kernel, s.stride = stride, s.pad = pad;
  s.per_channel = true, s.relu = relu;
  return s;
}

// Grouped (c == k == group: depthwise) with an optional explicit upper clamp (ReLU6 as a Clip).
RandomLayerSpec grouped(ElemType t, int64_t c, int64_t hw, int group, int kernel, int stride, bool clamp) {
  RandomLayerSpec s = conv(t, c, hw, c, kernel, stride, kernel / 2, true);
  s.group = group, s.clamp = clamp;
  return s;
}

class LowerConvRtl : public ::testing::TestWithParam<RtlCase> {};

TEST_P(LowerConvRtl, RtlMatchesFsimAndReference) {
  const RtlCase& c = GetParam();
  const DerivedConfig cfg = testing::config_named(c.config);
  const Layer l = random_layer(c.spec, 11);
  CompileOptions searched, given;
  given.schedule = c.schedule;
  for (const auto& opt : {searched, given}) {
    testing::Agreement on_rtl, on_fsim;
    RunReport report;
    testing::run_and_compare(l, cfg, opt, "rtl", 3, on_rtl, &report);
    testing::run_and_compare(l, cfg, opt, "fsim", 3, on_fsim);
    EXPECT_EQ(on_rtl.worse, 0);
    EXPECT_EQ(on_rtl.off_by_one, on_fsim.off_by_one) << "the RTL and fsim differ";
    EXPECT_LE(on_rtl.off_by_one * 1000, on_rtl.elements);
    EXPECT_GT(report.cycles, 0u);
  }
}

constexpr auto I8 = ElemType::INT8;
constexpr auto U8 = ElemType::UINT8;

INSTANTIATE_TEST_SUITE_P(Layers, LowerConvRtl,
                         ::testing::Values(RtlCase{"default", conv(U8, 19, 9, 21, 3, 2, 1, true), tiles(2, 3, 1, 1, 2)},
                                           RtlCase{"default", conv(I8, 7, 7, 33, 5, 1, 2, false), tiles(3, 4, 1, 2, 2)},
                                           RtlCase{"tiny", conv(I8, 6, 6, 9, 3, 1, 1, true), tiles(2, 2, 1, 1, 2)},
                                           RtlCase{"vta_4x8x8", conv(U8, 11, 7, 13, 1, 2, 1, false), tiles(2, 2, 1, 1, 1)}));

// Depthwise (block-diagonal tiles, each output block its own input block) and two groups of whole blocks.
INSTANTIATE_TEST_SUITE_P(Grouped, LowerConvRtl,
                         ::testing::Values(RtlCase{"default", grouped(U8, 48, 9, 48, 3, 1, true), tiles(3, 5, 1, 2, 2)},
                                           RtlCase{"default", grouped(I8, 32, 8, 32, 3, 2, false), tiles(2, 4, 1, 1, 2)},
                                           RtlCase{"default", grouped(U8, 64, 7, 2, 3, 1, false), tiles(4, 4, 1, 2, 2)}));

Schedule depthwise(Schedule s, int mode) {
  s.depthwise = mode;
  return s;
}

// The GEMM core's depthwise mode (default): blocks stored row by row (1) or rows moved first (2),
// edge tiles in both directions, a 5x5 kernel.
INSTANTIATE_TEST_SUITE_P(DepthwiseMode, LowerConvRtl,
                         ::testing::Values(RtlCase{"default", grouped(U8, 48, 9, 48, 3, 1, true), depthwise(tiles(4, 6, 1, 2, 2), 1)},
                                           RtlCase{"default", grouped(I8, 40, 11, 40, 3, 1, false), depthwise(tiles(5, 7, 1, 3, 2), 2)},
                                           RtlCase{"default", grouped(U8, 32, 8, 32, 5, 1, true), depthwise(tiles(3, 9, 1, 1, 2), 2)}));

TEST(LowerEltwiseRtl, AddAndMaxPoolMatchFsimAndReference) {
  const DerivedConfig cfg = testing::config_named("default");
  RandomLayerSpec add;
  add.kind = LayerKind::ADD, add.type = U8, add.c = 24, add.h = 9, add.w = 7, add.relu = true;
  RandomLayerSpec pool;
  pool.kind = LayerKind::MAX_POOL, pool.type = I8, pool.c = 20, pool.h = 11, pool.w = 12, pool.kernel = 3;
  pool.stride = 2, pool.pad = 1;
  for (const RandomLayerSpec& spec : {add, pool}) {
    const Layer l = random_layer(spec, 5);
    testing::Agreement on_rtl, on_fsim;
    testing::run_and_compare(l, cfg, {}, "rtl", 4, on_rtl);
    testing::run_and_compare(l, cfg, {}, "fsim", 4, on_fsim);
    EXPECT_EQ(on_rtl.worse, 0);
    EXPECT_EQ(on_rtl.off_by_one, on_fsim.off_by_one);
    EXPECT_LE(on_rtl.off_by_one * 1000, on_rtl.elements);
  }
}

TEST(LowerConvRtl, VtaTargetMatchesFsim) {
  const DerivedConfig cfg = testing::config_named("vta_4x8x8");
  Layer l = random_layer(conv(I8, 13, 8, 10, 3, 1, 1, true), 6);
  l.inputs[0].scale = 0.5, l.weight_scales = {1.0 / 32}, l.output.scale = 4.0;  // m = 2^-8 for every channel
  CompileOptions opt;
  opt.isa = IsaTarget::VTA;
  testing::Agreement on_rtl, on_fsim;
  testing::run_and_compare(l, cfg, opt, "rtl", 8, on_rtl);
  testing::run_and_compare(l, cfg, opt, "fsim", 8, on_fsim);
  EXPECT_EQ(on_rtl.worse, 0);
  EXPECT_EQ(on_rtl.off_by_one, on_fsim.off_by_one);
}

}  // namespace
}  // namespace tessera::compiler
