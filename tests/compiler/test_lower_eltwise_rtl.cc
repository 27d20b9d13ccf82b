// The max-pool lowering of both ISA targets on the RTL model: the same bytes as fsim (and the reference).
#include <gtest/gtest.h>

#include <cstdio>

#include "compiler/lower_eltwise.h"
#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler {
namespace {

TEST(LowerMaxPoolRtl, SeparableAndEveryTapMatchFsimOnBothTargets) {
  const DerivedConfig cfg = testing::config_named("default");
  RandomLayerSpec resnet;  // ResNet-18's max-pool
  resnet.kind = LayerKind::MAX_POOL, resnet.type = ElemType::INT8, resnet.c = 64, resnet.h = resnet.w = 112;
  resnet.kernel = 3, resnet.stride = 2, resnet.pad = 1;
  RandomLayerSpec odd = resnet;
  odd.type = ElemType::UINT8, odd.c = 20, odd.h = 13, odd.w = 10;
  RandomLayerSpec taps = odd;  // 2x2 windows: every tap per output
  taps.kernel = 2, taps.pad = 0;
  for (const RandomLayerSpec& spec : {resnet, odd, taps}) {
    const Layer l = random_layer(spec, 23);
    const QTensor& x = l.inputs[0];
    size_t count = 1;
    for (int64_t d : x.shape) count *= size_t(d);
    const std::vector<int32_t> v = random_values(x.type, count, 5);
    const std::vector<int32_t> want = reference::run_layer(l, {v});
    for (IsaTarget isa : {IsaTarget::TESSERA, IsaTarget::VTA}) {
      ProgramBuilder b(cfg);
      lower_max_pool(l, b, nullptr, isa);
      const Program p = b.finish("test", nullptr);
      const std::map<std::string, NpyArray> in{{x.name, testing::to_npy(v, x.type, x.shape)}};
      Device rtl(cfg, "rtl");
      const DeviceRun r = rtl.run(p, in);
      EXPECT_EQ(testing::from_npy(r.outputs.at(l.output.name)), want);
      std::printf("max-pool %lldx%lldx%lld k%d s%d %s: %llu RTL cycles\n", (long long)spec.c, (long long)spec.h,
                  (long long)spec.w, spec.kernel, spec.stride, isa == IsaTarget::TESSERA ? "TESSERA" : "VTA",
                  (unsigned long long)r.report.cycles);
    }
  }
}

}  // namespace
}  // namespace tessera::compiler
