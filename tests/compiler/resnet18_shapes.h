// ResNet-18's unique conv shapes and its FC layer (from the shared workload table resnet18.csv).
#pragma once

#include "compiler/import/random_layer.h"

namespace tessera::compiler::testing {

struct NamedShape {
  const char* name;
  RandomLayerSpec spec;
};

inline RandomLayerSpec resnet_conv(int64_t c, int64_t hw, int64_t k, int kernel, int stride, int pad) {
  RandomLayerSpec s;
  s.kind = LayerKind::CONV2D, s.type = ElemType::UINT8, s.c = c, s.h = hw, s.w = hw, s.k = k;
  s.kernel = kernel, s.stride = stride, s.pad = pad, s.per_channel = true, s.relu = true;
  return s;
}

inline std::vector<NamedShape> resnet18_layers() {
  RandomLayerSpec fc;
  fc.kind = LayerKind::DENSE, fc.type = ElemType::UINT8, fc.c = 512, fc.k = 1000, fc.per_channel = true;
  return {{"conv1", resnet_conv(3, 224, 64, 7, 2, 3)},
          {"layer1.conv", resnet_conv(64, 56, 64, 3, 1, 1)},
          {"layer2.0.conv1", resnet_conv(64, 56, 128, 3, 2, 1)},
          {"layer2.conv", resnet_conv(128, 28, 128, 3, 1, 1)},
          {"layer2.0.downsample", resnet_conv(64, 56, 128, 1, 2, 0)},
          {"layer3.0.conv1", resnet_conv(128, 28, 256, 3, 2, 1)},
          {"layer3.conv", resnet_conv(256, 14, 256, 3, 1, 1)},
          {"layer3.0.downsample", resnet_conv(128, 28, 256, 1, 2, 0)},
          {"layer4.0.conv1", resnet_conv(256, 14, 512, 3, 2, 1)},
          {"layer4.conv", resnet_conv(512, 7, 512, 3, 1, 1)},
          {"layer4.0.downsample", resnet_conv(256, 14, 512, 1, 2, 0)},
          {"fc", fc}};
}

}  // namespace tessera::compiler::testing
