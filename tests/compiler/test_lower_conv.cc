// Conv/dense lowering on the functional simulator against the plain-loop reference, many schedules.
#include <gtest/gtest.h>

#include <random>

#include "compiler/compile_error.h"
#include "compiler/conv_geometry.h"
#include "isa/asm.h"
#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler {
namespace {

using testing::Agreement;

// Up to `want` distinct legal schedules drawn from the knob grid (the default always first).
std::vector<Schedule> some_schedules(const Layer& l, const DerivedConfig& cfg, size_t want, uint64_t seed) {
  const ConvGeometry g = conv_geometry(as_gemm_layer(l), cfg);
  std::vector<Schedule> out{default_schedule(g, cfg, true)};
  std::mt19937_64 rng(seed);
  const auto pick = [&](int64_t hi) { return int64_t(rng() % uint64_t(hi)) + 1; };
  const std::array<LoopAxis, 3> orders[] = {{LoopAxis::CO, LoopAxis::H, LoopAxis::W},
                                            {LoopAxis::H, LoopAxis::W, LoopAxis::CO},
                                            {LoopAxis::W, LoopAxis::CO, LoopAxis::H}};
  for (int tries = 0; tries < 400 && out.size() < want; ++tries) {
    Schedule s;
    s.tile_h = pick(g.oh), s.tile_w = pick(g.ow), s.tile_ci = pick(g.cbg), s.tile_co = pick(g.kb);
    s.oc_nthread = pick(2), s.h_nthread = pick(2);
    if (s.oc_nthread * s.h_nthread > 2) s.h_nthread = 1;
    s.order = orders[rng() % 3];
    if (g.dw_max) s.depthwise = int(rng() % 3);  // the depthwise mode, where the layer allows it
    if (schedule_issues(g, s, cfg, true).empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

struct Case {
  const char* config;
  RandomLayerSpec spec;
};

class LowerConv : public ::testing::TestWithParam<Case> {};

TEST_P(LowerConv, MatchesReferenceUnderSeveralSchedules) {
  const Case& c = GetParam();
  const DerivedConfig cfg = testing::config_named(c.config);
  Agreement agree;
  for (uint64_t seed = 1; seed <= 2; ++seed) {
    const Layer l = random_layer(c.spec, seed * 7919);
    for (const Schedule& s : some_schedules(l, cfg, 4, seed)) {
      SCOPED_TRACE("schedule " + schedule_json(s));
      CompileOptions opt;
      opt.schedule = s;
      testing::run_and_compare(l, cfg, opt, "fsim", seed, agree);
    }
  }
  EXPECT_EQ(agree.worse, 0) << "elements off by more than one LSB";
  EXPECT_LE(agree.off_by_one * 1000, agree.elements) << agree.off_by_one << " of " << agree.elements << " off by one";
}

RandomLayerSpec conv(ElemType t, int64_t c, int64_t hw, int64_t k, int kernel, int stride, int pad, bool per_channel,
                     bool relu) {
  RandomLayerSpec s;
  s.kind = LayerKind::CONV2D, s.type = t, s.c = c, s.h = hw, s.w = hw + 2, s.k = k;
  s.kernel = kernel, s.stride = stride, s.pad = pad, s.per_channel = per_channel, s.relu = relu;
  return s;
}
// Grouped conv: `group` channel groups (c == k == group: depthwise); `clamp`: a Clip's max below the range's.
RandomLayerSpec grouped(ElemType t, int64_t c, int64_t hw, int64_t k, int group, int kernel, int stride, int pad,
                        bool relu, bool clamp) {
  RandomLayerSpec s = conv(t, c, hw, k, kernel, stride, pad, true, relu);
  s.group = group, s.clamp = clamp;
  return s;
}
RandomLayerSpec gap(ElemType t, int64_t c, int64_t h, int64_t w) {
  RandomLayerSpec s;
  s.kind = LayerKind::GLOBAL_AVG_POOL, s.type = t, s.c = c, s.h = h, s.w = w;
  return s;
}
RandomLayerSpec dense(ElemType t, int64_t n, int64_t c, int64_t k, bool per_channel) {
  RandomLayerSpec s;
  s.kind = LayerKind::DENSE, s.type = t, s.n = n, s.c = c, s.k = k, s.per_channel = per_channel;
  return s;
}

constexpr auto I8 = ElemType::INT8;
constexpr auto U8 = ElemType::UINT8;

INSTANTIATE_TEST_SUITE_P(
    Layers, LowerConv,
    ::testing::Values(Case{"default", conv(I8, 3, 9, 5, 3, 1, 1, false, false)},
                      Case{"default", conv(U8, 17, 11, 20, 3, 2, 2, true, true)},
                      Case{"default", conv(I8, 20, 7, 33, 1, 1, 0, true, false)},
                      Case{"default", conv(U8, 5, 13, 7, 5, 2, 3, false, true)},
                      Case{"default", conv(I8, 16, 15, 16, 7, 2, 3, true, false)},
                      Case{"default", conv(U8, 33, 6, 17, 1, 2, 1, true, false)},
                      Case{"default", dense(I8, 1, 100, 37, true)},
                      Case{"default", dense(U8, 3, 48, 10, false)},
                      Case{"default", gap(U8, 40, 7, 7)},
                      Case{"default", gap(I8, 17, 5, 9)},
                      Case{"tiny", conv(I8, 9, 9, 6, 3, 1, 1, true, true)},
                      Case{"tiny", conv(U8, 5, 8, 11, 5, 2, 2, false, false)},
                      Case{"vta_4x8x8", conv(U8, 11, 9, 13, 3, 1, 1, true, true)},
                      Case{"vta_4x8x8", dense(I8, 6, 30, 9, true)},
                      Case{"batch2_2x16x16", conv(I8, 7, 7, 18, 3, 2, 1, true, false)},
                      Case{"large_1x32x32", conv(U8, 40, 9, 36, 3, 1, 1, true, true)},
                      Case{"rect_1x16x32", conv(I8, 21, 8, 19, 3, 1, 2, false, false)}));

// Grouped and depthwise convs (MobileNet): block-diagonal weight tiles when a group is smaller than
// a block, independent groups of whole blocks otherwise; explicit clamps (ReLU6 as Clip).
INSTANTIATE_TEST_SUITE_P(
    Grouped, LowerConv,
    ::testing::Values(Case{"default", grouped(U8, 32, 9, 32, 32, 3, 1, 1, true, true)},     // depthwise, 2 blocks
                      Case{"default", grouped(I8, 20, 11, 20, 20, 3, 2, 1, false, false)},  // depthwise, partial block
                      Case{"default", grouped(U8, 48, 8, 48, 48, 5, 1, 2, true, false)},    // depthwise 5x5
                      Case{"default", grouped(I8, 64, 6, 64, 2, 3, 1, 1, true, false)},     // 2 groups of 2 blocks
                      Case{"default", grouped(U8, 64, 7, 96, 4, 1, 1, 0, false, true)},     // 16 -> 24 per group
                      Case{"default", grouped(I8, 24, 7, 36, 3, 3, 1, 1, false, false)},    // 8 -> 12 per group
                      Case{"default", grouped(U8, 40, 6, 40, 10, 3, 2, 1, true, false)},    // 4 -> 4, partial last
                      Case{"default", grouped(I8, 32, 6, 16, 16, 1, 1, 0, false, false)},   // 2 -> 1 per group
                      Case{"tiny", grouped(U8, 24, 8, 24, 24, 3, 1, 1, true, true)},
                      Case{"vta_4x8x8", grouped(I8, 20, 7, 20, 20, 3, 1, 1, true, false)},
                      Case{"rect_1x16x32", grouped(U8, 48, 7, 48, 48, 3, 1, 1, true, true)},
                      Case{"rect_1x16x32", grouped(I8, 64, 6, 64, 4, 3, 1, 1, false, false)},
                      Case{"large_1x32x32", grouped(U8, 64, 7, 64, 64, 3, 2, 1, true, false)},
                      Case{"batch2_2x16x16", grouped(I8, 16, 7, 16, 16, 3, 1, 1, false, true)}));

// The GEMM core's depthwise mode (default): stride-1 depthwise convs as groups of 16 output vectors
// (partial blocks, groups across output rows, edge tiles, 5x5); strided ones keep block-diagonal tiles.
INSTANTIATE_TEST_SUITE_P(
    DepthwiseMode, LowerConv,
    ::testing::Values(Case{"default", grouped(U8, 32, 9, 32, 32, 3, 1, 1, true, true)},
                      Case{"default", grouped(I8, 20, 11, 20, 20, 3, 1, 1, false, false)},
                      Case{"default", grouped(U8, 48, 8, 48, 48, 5, 1, 2, true, false)},
                      Case{"default", grouped(I8, 40, 13, 40, 40, 3, 1, 0, true, true)},
                      Case{"default", grouped(U8, 24, 7, 24, 24, 3, 2, 1, false, false)},
                      Case{"default", conv(I8, 21, 8, 19, 3, 1, 1, true, false)}));

RandomLayerSpec eltwise(LayerKind kind, ElemType t, int64_t n, int64_t c, int64_t h, int64_t w, int kernel, int stride,
                        int pad, bool relu) {
  RandomLayerSpec s;
  s.kind = kind, s.type = t, s.n = n, s.c = c, s.h = h, s.w = w, s.kernel = kernel, s.stride = stride, s.pad = pad;
  s.relu = relu;
  return s;
}

class LowerEltwise : public ::testing::TestWithParam<Case> {};

TEST_P(LowerEltwise, MatchesReferenceOnBothIsaTargets) {
  const DerivedConfig cfg = testing::config_named(GetParam().config);
  Agreement agree;
  for (uint64_t seed = 1; seed <= 3; ++seed)
    for (IsaTarget isa : {IsaTarget::TESSERA, IsaTarget::VTA}) {
      CompileOptions opt;
      opt.isa = isa;
      testing::run_and_compare(random_layer(GetParam().spec, seed * 31), cfg, opt, "fsim", seed, agree);
    }
  EXPECT_EQ(agree.worse, 0);
  EXPECT_LE(agree.off_by_one * 1000, agree.elements) << agree.off_by_one << " of " << agree.elements;
}

INSTANTIATE_TEST_SUITE_P(
    Layers, LowerEltwise,
    ::testing::Values(Case{"default", eltwise(LayerKind::ADD, U8, 1, 20, 7, 9, 1, 1, 0, true)},
                      Case{"default", eltwise(LayerKind::ADD, I8, 2, 64, 14, 14, 1, 1, 0, false)},
                      Case{"tiny", eltwise(LayerKind::ADD, I8, 1, 5, 31, 33, 1, 1, 0, false)},
                      Case{"default", eltwise(LayerKind::MAX_POOL, U8, 1, 20, 11, 12, 3, 2, 1, false)},
                      Case{"default", eltwise(LayerKind::MAX_POOL, I8, 1, 7, 9, 9, 2, 2, 0, false)},
                      Case{"tiny", eltwise(LayerKind::MAX_POOL, I8, 1, 9, 24, 12, 3, 1, 1, false)},
                      Case{"vta_4x8x8", eltwise(LayerKind::MAX_POOL, U8, 3, 10, 8, 8, 3, 2, 1, false)},
                      Case{"batch2_2x16x16", eltwise(LayerKind::ADD, U8, 3, 17, 5, 5, 1, 1, 0, true)}));

TEST(LowerConvErrors, IllegalScheduleNamesEveryBrokenLimit) {
  const DerivedConfig cfg = testing::config_named("default");
  const Layer l = random_layer(conv(I8, 64, 56, 64, 3, 1, 1, false, false), 1);
  Schedule s;
  s.tile_h = 56, s.tile_w = 56, s.tile_ci = 4, s.tile_co = 4, s.oc_nthread = 2;
  Model m;
  m.layers = {l};
  CompileOptions opt;
  opt.schedule = s;
  try {
    compile_model(m, cfg, opt);
    FAIL() << "an oversized schedule compiled";
  } catch (const CompileError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("INP SRAM"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ACC SRAM"), std::string::npos) << msg;
    EXPECT_NE(msg.find("over by"), std::string::npos) << msg;
  }
  s = Schedule{};
  s.tile_h = 57;
  opt.schedule = s;
  EXPECT_THROW(compile_model(m, cfg, opt), CompileError);
}

TEST(LowerConvErrors, InconsistentLayersNameTheLayerAndTheProblem) {
  const DerivedConfig cfg = testing::config_named("default");
  const Layer good = random_layer(conv(I8, 5, 8, 6, 3, 1, 1, true, false), 2);
  const auto message = [&](const Layer& l) {
    Model m;
    m.layers = {l};
    try {
      compile_model(m, cfg);
    } catch (const CompileError& e) {
      return std::string(e.what());
    }
    return std::string("compiled");
  };
  Layer l = good;
  l.weights.pop_back();
  EXPECT_NE(message(l).find("layer 'layer': 269 weights are not a multiple of C*R*S = 45"), std::string::npos) << message(l);
  l = good;
  l.bias.resize(5);
  EXPECT_NE(message(l).find("bias has 5 entries for 6 output channels"), std::string::npos) << message(l);
  l = good;
  l.output.shape[3] += 1;
  EXPECT_NE(message(l).find("output shape does not match"), std::string::npos) << message(l);
  l = good;
  l.weight_scales = {0.1, 0.2};
  EXPECT_NE(message(l).find("weight_scales must have 1 or K = 6 entries"), std::string::npos) << message(l);
  l = good;
  l.output.scale = 1e-9;  // a scale far above 1 is a binary32 like any other
  EXPECT_EQ(message(l), "compiled");
  l.output.scale = 1e-300;  // 0 in binary32: the scale is infinite
  EXPECT_NE(message(l).find("requantization scale of channel 0 is not a normal binary32"), std::string::npos) << message(l);
  l = random_layer(eltwise(LayerKind::MAX_POOL, I8, 1, 9, 24, 12, 3, 1, 1, false), 2);
  l.output.zero_point += 1;
  EXPECT_NE(message(l).find("must keep the input's type, scale and zero point"), std::string::npos) << message(l);
  Model two;
  two.source = "net.onnx";
  two.layers = {good, good};
  EXPECT_THROW(compile_model(two, cfg), CompileError);
}

TEST(LowerConvErrors, VtaTargetRejectsScalesThatAreNotPowersOfTwo) {
  const DerivedConfig cfg = testing::config_named("default");
  Model m;
  m.layers = {random_layer(conv(I8, 3, 8, 4, 3, 1, 1, false, false), 3)};
  CompileOptions opt;
  opt.isa = IsaTarget::VTA;
  try {
    compile_model(m, cfg, opt);
    FAIL() << "a non-power-of-two scale compiled for --isa vta";
  } catch (const CompileError& e) {
    EXPECT_NE(std::string(e.what()).find("power of two"), std::string::npos) << e.what();
  }
}

TEST(LowerConvVta, PowerOfTwoScalesUseOnlyVtaOpsAndMatchTheReference) {
  const DerivedConfig cfg = testing::config_named("default");
  Layer l = random_layer(conv(I8, 19, 9, 21, 3, 2, 1, false, true), 5);
  l.inputs[0].scale = 0.25, l.weight_scales = {1.0 / 64}, l.output.scale = 1.0;  // m = 2^-8
  Model m;
  m.layers = {l};
  CompileOptions opt;
  opt.isa = IsaTarget::VTA;
  const Compiled c = compile_model(m, cfg, opt);
  for (const Insn& i : c.program.insns) {
    if (i.opcode() == Opcode::ALU) {
      EXPECT_FALSE(alu_ops()[size_t(i[Field::ALU_OPCODE])].extension);
    }
    if (i.opcode() == Opcode::ALU || i.opcode() == Opcode::GEMM) {
      EXPECT_EQ(i[Field::OVERLAP], 0);
    }
  }
  Agreement agree;
  testing::run_and_compare(l, cfg, opt, "fsim", 9, agree);
  EXPECT_EQ(agree.worse, 0);
  // Ties round half up here and half to even in ONNX: only ties may differ, by one.
  EXPECT_LE(agree.off_by_one * 50, agree.elements);
}

// Two tile buffers on the TESSERA ISA: epilogues carry the overlap flag (the fsim, which checks the
// flag's rule, runs them in MatchesReferenceUnderSeveralSchedules); one buffer: none.
TEST(LowerConvOverlap, FlagsOnlyWithTwoBuffers) {
  const DerivedConfig cfg = testing::config_named("default");
  const Layer l = random_layer(conv(I8, 32, 12, 32, 3, 1, 1, true, false), 3);
  const auto flags = [&](int64_t bufs, IsaTarget isa, int64_t* gemm, int64_t* alu) {
    Model m;
    m.layers = {l};
    CompileOptions opt;
    opt.isa = isa;
    Schedule s;
    s.tile_h = 3, s.tile_w = 12, s.tile_ci = 1, s.tile_co = 1, s.oc_nthread = bufs;
    opt.schedule = s;
    *gemm = *alu = 0;
    for (const Insn& i : compile_model(m, cfg, opt).program.insns) {
      if (i.opcode() == Opcode::GEMM) *gemm += i[Field::OVERLAP];
      if (i.opcode() == Opcode::ALU) *alu += i[Field::OVERLAP];
    }
  };
  int64_t gemm = 0, alu = 0;
  flags(2, IsaTarget::TESSERA, &gemm, &alu);
  // 16 tiles (2 channel blocks x 4 row tiles x 2 column tiles) x 2 reduction steps: every GEMM after
  // the first tile's; per tile after the first a bias MOV, and nothing else (REQ, the only epilogue
  // instruction here, waits for its tile's GEMMs).
  EXPECT_EQ(gemm, 15 * 2);
  EXPECT_EQ(alu, 15);
  flags(1, IsaTarget::TESSERA, &gemm, &alu);
  EXPECT_EQ(gemm + alu, 0);
}

TEST(LowerConvListing, ListingAssemblesToTheSameProgramAndNamesTiles) {
  const DerivedConfig cfg = testing::config_named("default");
  Model m;
  m.layers = {random_layer(conv(I8, 20, 9, 20, 3, 1, 1, true, false), 4)};
  const Compiled c = compile_model(m, cfg);
  const std::string text = listing(c, cfg);
  EXPECT_NE(text.find("# [1] layer 'layer': per-channel biases"), std::string::npos);
  EXPECT_NE(text.find("tile 0 (n 0, co blocks 0.."), std::string::npos) << text.substr(0, 2000);
  EXPECT_EQ(assemble(text, cfg, "listing"), c.program);
}

}  // namespace
}  // namespace tessera::compiler
