// A parsed ONNX model with the lookups the pattern matchers need and checked readers for
// initializers and attributes; every failure is an ImportError naming the file and node.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "compiler/layer.h"

namespace tessera::compiler {

// Largest element count of any tensor a model may declare (keeps hostile files from sizing allocations).
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 28;
// Largest rank of any tensor.
inline constexpr int kMaxRank = 8;

// A constant tensor's values widened to double (floats) or int64 (integers), with its ONNX type.
struct ConstTensor {
  int32_t data_type = 0;  // onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  std::vector<double> reals;  // FLOAT/DOUBLE tensors
  std::vector<int64_t> ints;  // INT8/UINT8/INT32/INT64 tensors
  size_t size() const { return reals.empty() ? ints.size() : reals.size(); }
};

class OnnxGraph {
 public:
  // Parses with a size limit; garbage or truncated bytes give ImportError naming `origin`.
  OnnxGraph(const std::vector<uint8_t>& bytes, const std::string& origin);

  const std::string& origin() const { return origin_; }
  const onnx::GraphProto& graph() const { return model_.graph(); }
  // "file: node 'name' (Op)", the prefix of every message about a node.
  std::string where(const onnx::NodeProto& node) const;
  std::string name_of(const onnx::NodeProto& node) const;  // its name, or "#index" when unnamed

  // Initializers and the outputs of Constant nodes alike.
  bool is_initializer(const std::string& value) const { return initializers_.count(value) != 0; }
  const std::vector<const onnx::NodeProto*>& constant_nodes() const { return constant_nodes_; }
  bool is_graph_output(const std::string& value) const { return graph_outputs_.count(value) != 0; }
  std::vector<const onnx::NodeProto*> consumers(const std::string& value) const;
  const onnx::NodeProto* producer(const std::string& value) const;
  // The single consumer of `value` with op type `op`, or nullptr when it has other consumers or is a graph output.
  const onnx::NodeProto* sole_consumer(const std::string& value, const char* op) const;

  // Input `index` of `node` (named `role` in messages); it must be present.
  const std::string& input(const onnx::NodeProto& node, int index, const char* role) const;
  bool has_input(const onnx::NodeProto& node, int index) const;
  // The initializer feeding input `index`, read and checked against `allowed` data types.
  ConstTensor constant(const onnx::NodeProto& node, int index, const char* role,
                       const std::set<int32_t>& allowed) const;
  // A scalar (or one-element) constant.
  double scalar_real(const onnx::NodeProto& node, int index, const char* role) const;
  int64_t scalar_int(const onnx::NodeProto& node, int index, const char* role, ElemType* type) const;

  // A graph input's element type and static shape; `node` names the consumer in messages.
  QTensor graph_input(const std::string& value, const onnx::NodeProto& node) const;

  // Attributes: anything not in `known` is rejected as unsupported.
  void check_attributes(const onnx::NodeProto& node, const std::set<std::string>& known) const;
  int64_t attr_int(const onnx::NodeProto& node, const char* name, int64_t fallback) const;
  std::vector<int64_t> attr_ints(const onnx::NodeProto& node, const char* name) const;  // empty if absent
  std::string attr_string(const onnx::NodeProto& node, const char* name, const std::string& fallback) const;

  [[noreturn]] void fail(const onnx::NodeProto& node, const std::string& why) const;

 private:
  void check_structure() const;

  std::string origin_;
  onnx::ModelProto model_;
  std::map<std::string, const onnx::TensorProto*> initializers_;
  std::vector<const onnx::NodeProto*> constant_nodes_;
  std::map<std::string, const onnx::NodeProto*> producers_;
  std::map<std::string, std::vector<const onnx::NodeProto*>> consumers_;
  std::map<std::string, const onnx::ValueInfoProto*> graph_inputs_;
  std::set<std::string> graph_outputs_;
};

std::string ints_string(const std::vector<int64_t>& v);  // "[2,2]"
// A declared tensor's static shape (dimensions >= 1, at most kMaxRank of them, kMaxTensorElements in
// all); ImportError messages start with `what` ("file: graph input 'x'").
std::vector<int64_t> static_shape(const onnx::TypeProto_Tensor& tt, const std::string& what);
// An inferred output shape within the same limits, or an error naming `node` and the tensor.
void check_tensor_size(const OnnxGraph& g, const onnx::NodeProto& node, const std::string& name,
                       const std::vector<int64_t>& shape);
const char* onnx_type_name(int32_t data_type);

}  // namespace tessera::compiler
