// The network graph the compiler's passes work on: named tensors and nodes in execution order.
//
// import (ONNX) -> Network -> passes (placement, halo planning, memory planning) -> lowering.
// A node stands for one or more ONNX nodes: an accelerator-lowerable layer (conv, dense, add,
// max-pool, average pool), a quantized reshape that changes no byte, or a host operator.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/conv_block.h"
#include "compiler/layer.h"
#include "isa/program.h"

namespace tessera::compiler {

struct NetTensor {
  std::string name;
  DType dtype = DType::INT8;  // INT8/UINT8 quantized activations, FLOAT32 at the host boundary
  std::vector<int64_t> shape;
  double scale = 1.0;
  int32_t zero_point = 0;
  bool quantized() const { return dtype == DType::INT8 || dtype == DType::UINT8; }
  QTensor qtensor() const;  // as a layer sees it (quantized tensors only)
};

// Where a node runs, decided by the placement pass.
enum class Placement : uint8_t { UNPLACED, ACCEL, ALIAS, HOST };
const char* placement_name(Placement p);

struct NetNode {
  std::string name;                     // the anchor ONNX node's name
  std::string op;                       // ONNX op of the anchor (QLinearConv, Conv, MaxPool, Softmax, ...)
  std::vector<std::string> onnx_nodes;  // every ONNX node it stands for (the anchor first)
  std::optional<Layer> layer;           // the accelerator form, when there is one
  std::optional<ConvBlock> block;       // a fused inverted-residual block (fuse_blocks.cc) instead of a layer
  BlockSchedule block_schedule;         // ... and the schedule the pass searched for it
  std::string block_schedule_origin = "search";  // or the schedule database it came from
  bool reshape = false;                 // Flatten/Reshape/Squeeze of a quantized tensor (same bytes if 1x1)
  std::map<std::string, std::string> attrs;  // host operator attributes (text, as the driver reads them)
  std::vector<std::string> inputs, outputs;
  Placement placement = Placement::UNPLACED;
};

struct Network {
  std::string source;
  std::map<std::string, NetTensor> tensors;
  std::vector<NetNode> nodes;  // topological (ONNX) order
  std::vector<std::string> inputs, outputs;
  std::vector<std::string> warnings;  // from the passes, e.g. a schedule database they ignored
  const NetTensor& tensor(const std::string& name) const;
  bool is_input(const std::string& name) const;
  bool is_output(const std::string& name) const;
};

std::string layer_kind_label(LayerKind k);  // "conv", "dense", "add", "max_pool", "avg_pool"

}  // namespace tessera::compiler
