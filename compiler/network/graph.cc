// Network graph lookups and names.
#include "compiler/network/graph.h"

#include <algorithm>

#include "compiler/compile_error.h"

namespace tessera::compiler {

QTensor NetTensor::qtensor() const {
  QTensor q;
  q.name = name;
  q.type = dtype == DType::UINT8 ? ElemType::UINT8 : ElemType::INT8;
  q.shape = shape;
  q.scale = scale;
  q.zero_point = zero_point;
  return q;
}

const char* placement_name(Placement p) {
  switch (p) {
    case Placement::ACCEL: return "accelerator";
    case Placement::ALIAS: return "alias";
    case Placement::HOST: return "host";
    case Placement::UNPLACED: break;
  }
  return "unplaced";
}

const NetTensor& Network::tensor(const std::string& name) const {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw CompileError(source + ": tensor '" + name + "' is not defined");
  return it->second;
}

bool Network::is_input(const std::string& name) const { return std::count(inputs.begin(), inputs.end(), name) != 0; }
bool Network::is_output(const std::string& name) const { return std::count(outputs.begin(), outputs.end(), name) != 0; }

std::string layer_kind_label(LayerKind k) {
  switch (k) {
    case LayerKind::CONV2D: return "conv";
    case LayerKind::DENSE: return "dense";
    case LayerKind::ADD: return "add";
    case LayerKind::MAX_POOL: return "max_pool";
    case LayerKind::GLOBAL_AVG_POOL: return "avg_pool";
  }
  return "layer";
}

}  // namespace tessera::compiler
