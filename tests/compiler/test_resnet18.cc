// ResNet-18's conv shapes and FC layer at full size, default schedules, on fsim against the reference.
#include <gtest/gtest.h>

#include "tests/compiler/lowering_harness.h"
#include "tests/compiler/resnet18_shapes.h"

namespace tessera::compiler {
namespace {

class ResNet18 : public ::testing::TestWithParam<testing::NamedShape> {};

TEST_P(ResNet18, FullSizeLayerMatchesReferenceOnFsim) {
  const DerivedConfig cfg = testing::config_named("default");
  const Layer l = random_layer(GetParam().spec, 18);
  testing::Agreement agree;
  RunReport report;
  testing::run_and_compare(l, cfg, {}, "fsim", 1, agree, &report);
  EXPECT_EQ(agree.worse, 0);
  EXPECT_LE(agree.off_by_one * 1000, agree.elements) << agree.off_by_one << " of " << agree.elements;
  int64_t macs = l.weights.size();
  for (size_t d = 2; d < l.output.shape.size(); ++d) macs *= l.output.shape[d];
  EXPECT_GE(int64_t(report.macs), macs) << "the accelerator did every MAC (and padded-channel ones)";
}

INSTANTIATE_TEST_SUITE_P(Shapes, ResNet18, ::testing::ValuesIn(testing::resnet18_layers()),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace tessera::compiler
