// ONNX model parsing under size limits, graph indices, and checked constant/attribute readers.
#include "compiler/import/onnx_graph.h"

#include <cctype>
#include <cstring>
#include <limits>

#include <google/protobuf/io/coded_stream.h>

#include "compiler/import/import_error.h"
#include "compiler/import/layer_shapes.h"

namespace tessera::compiler {

namespace {

constexpr int64_t kMaxModelBytes = int64_t{1} << 30;  // protobuf's own hard limit is 2 GiB

using onnx::TensorProto;

int element_bytes(int32_t t) {
  switch (t) {
    case TensorProto::INT8:
    case TensorProto::UINT8: return 1;
    case TensorProto::INT32:
    case TensorProto::FLOAT: return 4;
    case TensorProto::INT64:
    case TensorProto::DOUBLE: return 8;
    default: return 0;
  }
}

template <typename T>
T load_le(const std::string& raw, size_t i) {
  T v;
  std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
  return v;
}

}  // namespace

std::string ints_string(const std::vector<int64_t>& v) { return shape_string(v); }

const char* onnx_type_name(int32_t t) {
  if (!TensorProto::DataType_IsValid(t)) return "an unknown type";
  static std::string names[TensorProto::DataType_ARRAYSIZE];
  std::string& n = names[t];
  if (n.empty()) {
    n = TensorProto::DataType_Name(static_cast<TensorProto::DataType>(t));
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return n.c_str();
}

OnnxGraph::OnnxGraph(const std::vector<uint8_t>& bytes, const std::string& origin) : origin_(origin) {
  if (static_cast<int64_t>(bytes.size()) > kMaxModelBytes)
    throw ImportError(origin + ": " + std::to_string(bytes.size()) + " bytes is larger than the " +
                      std::to_string(kMaxModelBytes) + "-byte limit");
  google::protobuf::io::CodedInputStream in(bytes.data(), static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(static_cast<int>(kMaxModelBytes));
  in.SetRecursionLimit(64);
  if (!model_.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
    throw ImportError(origin + ": not a valid ONNX model (protobuf parsing failed; truncated or corrupt file?)");
  if (!model_.has_graph() || model_.graph().node_size() == 0)
    throw ImportError(origin + ": the model has no graph nodes");
  const auto& g = model_.graph();
  for (const auto& t : g.initializer())
    if (!initializers_.emplace(t.name(), &t).second)
      throw ImportError(origin + ": initializer '" + t.name() + "' is declared twice");
  for (const auto& vi : g.input())
    if (!initializers_.count(vi.name()) && !graph_inputs_.emplace(vi.name(), &vi).second)
      throw ImportError(origin + ": graph input '" + vi.name() + "' is declared twice");
  for (const auto& vi : g.output())
    if (!graph_outputs_.insert(vi.name()).second)
      throw ImportError(origin + ": graph output '" + vi.name() + "' is declared twice");
  for (const auto& node : g.node()) {
    if (node.output_size() == 0 || node.output(0).empty()) fail(node, "has no output");
    if (node.op_type() == "Constant" && (node.domain().empty() || node.domain() == "ai.onnx")) {
      // Some exporters give scales and weights as Constant nodes; they read like initializers.
      if (node.attribute_size() != 1 || node.attribute(0).name() != "value" ||
          node.attribute(0).type() != onnx::AttributeProto::TENSOR)
        fail(node, "only a 'value' tensor attribute is supported");
      if (!initializers_.emplace(node.output(0), &node.attribute(0).t()).second)
        fail(node, "output '" + node.output(0) + "' is also an initializer");
      constant_nodes_.push_back(&node);
    }
    for (const auto& in_name : node.input())
      if (!in_name.empty()) consumers_[in_name].push_back(&node);
    for (const auto& out_name : node.output()) {
      if (out_name.empty()) continue;
      if (const auto* other = producer(out_name))
        fail(node, "output '" + out_name + "' is also produced by node '" + name_of(*other) + "' (" + other->op_type() + ")");
      if (graph_inputs_.count(out_name)) fail(node, "output '" + out_name + "' is also a graph input");
      if (initializers_.count(out_name) && node.op_type() != "Constant")
        fail(node, "output '" + out_name + "' is also an initializer");
      producers_.emplace(out_name, &node);
    }
  }
  check_structure();
}

// Every input is an initializer, a graph input or an earlier node's output (ONNX's topological
// order; a later producer is reported as a cycle when it depends on the node itself), and every
// graph output is produced.
void OnnxGraph::check_structure() const {
  std::set<std::string> available;
  for (const auto& [name, t] : initializers_) available.insert(name);
  for (const auto* c : constant_nodes_) available.erase(c->output(0));  // available once the node ran
  for (const auto& [name, vi] : graph_inputs_) available.insert(name);
  const auto& nodes = graph().node();
  for (const auto& node : nodes) {
    for (const auto& in_name : node.input()) {
      if (in_name.empty() || available.count(in_name)) continue;
      const onnx::NodeProto* p = producer(in_name);
      if (!p)
        fail(node, "input '" + in_name + "' is not produced by any node and is neither an initializer nor a graph input");
      // Does the later producer depend on this node? Walk back from it over producers of its inputs.
      std::vector<const onnx::NodeProto*> todo = {p};
      std::set<const onnx::NodeProto*> seen = {p};
      while (!todo.empty()) {
        const onnx::NodeProto* n = todo.back();
        todo.pop_back();
        if (n == &node)
          fail(node, "is on a cycle: its input '" + in_name + "' comes from node '" + name_of(*p) + "' (" + p->op_type() +
                         "), which depends on this node's output");
        for (const auto& i : n->input())
          if (const onnx::NodeProto* q = producer(i); q && seen.insert(q).second) todo.push_back(q);
      }
      fail(node, "input '" + in_name + "' is produced by node '" + name_of(*p) + "' (" + p->op_type() +
                     "), which comes later: the nodes are not in topological order");
    }
    for (const auto& out_name : node.output()) available.insert(out_name);
  }
  for (const auto& vi : graph().output())
    if (!producer(vi.name()) && !graph_inputs_.count(vi.name()))
      throw ImportError(origin_ + ": graph output '" + vi.name() + "' is not produced by any node");
}

std::string OnnxGraph::name_of(const onnx::NodeProto& node) const {
  if (!node.name().empty()) return node.name();
  return "#" + std::to_string(&node - &graph().node().Get(0));
}

std::string OnnxGraph::where(const onnx::NodeProto& node) const {
  return origin_ + ": node '" + name_of(node) + "' (" + node.op_type() + ")";
}

void OnnxGraph::fail(const onnx::NodeProto& node, const std::string& why) const {
  throw ImportError(where(node) + ": " + why);
}

std::vector<const onnx::NodeProto*> OnnxGraph::consumers(const std::string& value) const {
  auto it = consumers_.find(value);
  return it == consumers_.end() ? std::vector<const onnx::NodeProto*>{} : it->second;
}

const onnx::NodeProto* OnnxGraph::producer(const std::string& value) const {
  auto it = producers_.find(value);
  return it == producers_.end() ? nullptr : it->second;
}

const onnx::NodeProto* OnnxGraph::sole_consumer(const std::string& value, const char* op) const {
  const auto users = consumers(value);
  if (users.size() != 1 || is_graph_output(value) || users[0]->op_type() != op) return nullptr;
  return users[0];
}

bool OnnxGraph::has_input(const onnx::NodeProto& node, int index) const {
  return index < node.input_size() && !node.input(index).empty();
}

const std::string& OnnxGraph::input(const onnx::NodeProto& node, int index, const char* role) const {
  if (!has_input(node, index)) fail(node, std::string("input ") + std::to_string(index) + " (" + role + ") is missing");
  return node.input(index);
}

ConstTensor OnnxGraph::constant(const onnx::NodeProto& node, int index, const char* role,
                                const std::set<int32_t>& allowed) const {
  const std::string& name = input(node, index, role);
  auto it = initializers_.find(name);
  if (it == initializers_.end())
    fail(node, std::string(role) + " '" + name + "' must be an initializer (a constant)");
  const TensorProto& t = *it->second;
  const std::string what = std::string(role) + " '" + name + "'";
  if (!allowed.count(t.data_type())) {
    std::string want;
    for (int32_t a : allowed) want += std::string(want.empty() ? "" : " or ") + onnx_type_name(a);
    fail(node, what + " has type " + onnx_type_name(t.data_type()) + " (expected " + want + ")");
  }
  if (t.data_location() == TensorProto::EXTERNAL) fail(node, what + " uses external data, which is not supported");
  ConstTensor c;
  c.data_type = t.data_type();
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > kMaxTensorElements || count * d > kMaxTensorElements)
      fail(node, what + " has invalid dims " + ints_string({t.dims().begin(), t.dims().end()}));
    count *= d;
    c.dims.push_back(d);
  }
  const std::string& raw = t.raw_data();
  const int eb = element_bytes(t.data_type());
  int64_t stored = 0;
  if (t.has_raw_data()) {
    stored = static_cast<int64_t>(raw.size()) / eb;
    if (static_cast<int64_t>(raw.size()) != count * eb)
      fail(node, what + " holds " + std::to_string(raw.size()) + " raw bytes for " + std::to_string(count) +
                     " elements of " + onnx_type_name(t.data_type()));
  } else {
    switch (t.data_type()) {
      case TensorProto::FLOAT: stored = t.float_data_size(); break;
      case TensorProto::DOUBLE: stored = t.double_data_size(); break;
      case TensorProto::INT64: stored = t.int64_data_size(); break;
      default: stored = t.int32_data_size(); break;  // ONNX keeps int8/uint8/int32 in int32_data
    }
    if (stored != count)
      fail(node, what + " holds " + std::to_string(stored) + " values for dims " + ints_string(c.dims));
  }
  for (int64_t i = 0; i < count; ++i) {
    const bool r = t.has_raw_data();
    switch (t.data_type()) {
      case TensorProto::FLOAT: c.reals.push_back(r ? load_le<float>(raw, i) : t.float_data(i)); break;
      case TensorProto::DOUBLE: c.reals.push_back(r ? load_le<double>(raw, i) : t.double_data(i)); break;
      case TensorProto::INT64: c.ints.push_back(r ? load_le<int64_t>(raw, i) : t.int64_data(i)); break;
      case TensorProto::INT32: c.ints.push_back(r ? load_le<int32_t>(raw, i) : t.int32_data(i)); break;
      case TensorProto::INT8: c.ints.push_back(r ? load_le<int8_t>(raw, i) : t.int32_data(i)); break;
      case TensorProto::UINT8: c.ints.push_back(r ? load_le<uint8_t>(raw, i) : t.int32_data(i)); break;
      default: fail(node, what + " has unsupported type " + onnx_type_name(t.data_type()));
    }
  }
  const int64_t lo = t.data_type() == TensorProto::INT8 ? -128 : t.data_type() == TensorProto::UINT8 ? 0 : INT32_MIN;
  const int64_t hi = t.data_type() == TensorProto::INT8 ? 127 : t.data_type() == TensorProto::UINT8 ? 255 : INT32_MAX;
  if (t.data_type() != TensorProto::INT64)
    for (int64_t v : c.ints)
      if (v < lo || v > hi) fail(node, what + " holds " + std::to_string(v) + ", out of range for its type");
  for (double v : c.reals)
    if (!(v == v) || v == std::numeric_limits<double>::infinity() || v == -std::numeric_limits<double>::infinity())
      fail(node, what + " holds a non-finite value");
  return c;
}

double OnnxGraph::scalar_real(const onnx::NodeProto& node, int index, const char* role) const {
  ConstTensor c = constant(node, index, role, {TensorProto::FLOAT});
  if (c.reals.size() != 1) fail(node, std::string(role) + " must be a scalar, has dims " + ints_string(c.dims));
  if (!(c.reals[0] > 0)) fail(node, std::string(role) + " must be positive, is " + std::to_string(c.reals[0]));
  return c.reals[0];
}

int64_t OnnxGraph::scalar_int(const onnx::NodeProto& node, int index, const char* role, ElemType* type) const {
  ConstTensor c = constant(node, index, role, {TensorProto::INT8, TensorProto::UINT8});
  if (c.ints.size() != 1) fail(node, std::string(role) + " must be a scalar, has dims " + ints_string(c.dims));
  if (type) *type = c.data_type == TensorProto::UINT8 ? ElemType::UINT8 : ElemType::INT8;
  return c.ints[0];
}

QTensor OnnxGraph::graph_input(const std::string& value, const onnx::NodeProto& node) const {
  auto it = graph_inputs_.find(value);
  if (it == graph_inputs_.end()) fail(node, "input '" + value + "' is neither a graph input nor a supported layer's output");
  const onnx::ValueInfoProto& vi = *it->second;
  if (!vi.type().has_tensor_type()) fail(node, "graph input '" + value + "' is not a tensor");
  const auto& tt = vi.type().tensor_type();
  QTensor q;
  q.name = value;
  if (tt.elem_type() == TensorProto::INT8) q.type = ElemType::INT8;
  else if (tt.elem_type() == TensorProto::UINT8) q.type = ElemType::UINT8;
  else fail(node, "graph input '" + value + "' has type " + onnx_type_name(tt.elem_type()) + " (expected int8 or uint8)");
  q.shape = static_shape(tt, where(node) + ": graph input '" + value + "'");
  return q;
}

std::vector<int64_t> static_shape(const onnx::TypeProto_Tensor& tt, const std::string& what) {
  if (!tt.has_shape()) throw ImportError(what + " has no shape; a static shape is required");
  if (tt.shape().dim_size() > kMaxRank)
    throw ImportError(what + " has " + std::to_string(tt.shape().dim_size()) + " dimensions (at most " +
                      std::to_string(kMaxRank) + ")");
  std::vector<int64_t> shape;
  int64_t elements = 1;
  for (const auto& d : tt.shape().dim()) {
    if (!d.has_dim_value())
      throw ImportError(what + " has symbolic dimension '" + d.dim_param() + "'; a static shape is required");
    if (d.dim_value() < 1 || d.dim_value() > kMaxTensorElements / elements)
      throw ImportError(what + " has dimension " + std::to_string(d.dim_value()) + " (at most " +
                        std::to_string(kMaxTensorElements) + " elements in all)");
    elements *= d.dim_value();
    shape.push_back(d.dim_value());
  }
  return shape;
}

void check_tensor_size(const OnnxGraph& g, const onnx::NodeProto& node, const std::string& name,
                       const std::vector<int64_t>& shape) {
  if (static_cast<int64_t>(shape.size()) > kMaxRank)
    g.fail(node, "output '" + name + "' would have " + std::to_string(shape.size()) + " dimensions (at most " +
                     std::to_string(kMaxRank) + ")");
  int64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 1 || d > kMaxTensorElements / elements)
      g.fail(node, "output '" + name + "' would have shape " + ints_string(shape) + " (at most " +
                       std::to_string(kMaxTensorElements) + " elements)");
    elements *= d;
  }
}

void OnnxGraph::check_attributes(const onnx::NodeProto& node, const std::set<std::string>& known) const {
  for (const auto& a : node.attribute())
    if (!known.count(a.name())) fail(node, "attribute '" + a.name() + "' is not supported");
}

int64_t OnnxGraph::attr_int(const onnx::NodeProto& node, const char* name, int64_t fallback) const {
  for (const auto& a : node.attribute())
    if (a.name() == name) {
      if (a.type() != onnx::AttributeProto::INT) fail(node, std::string("attribute '") + name + "' must be an int");
      return a.i();
    }
  return fallback;
}

std::vector<int64_t> OnnxGraph::attr_ints(const onnx::NodeProto& node, const char* name) const {
  for (const auto& a : node.attribute())
    if (a.name() == name) {
      if (a.type() != onnx::AttributeProto::INTS) fail(node, std::string("attribute '") + name + "' must be a list of ints");
      return {a.ints().begin(), a.ints().end()};
    }
  return {};
}

std::string OnnxGraph::attr_string(const onnx::NodeProto& node, const char* name, const std::string& fallback) const {
  for (const auto& a : node.attribute())
    if (a.name() == name) {
      if (a.type() != onnx::AttributeProto::STRING) fail(node, std::string("attribute '") + name + "' must be a string");
      return a.s();
    }
  return fallback;
}

}  // namespace tessera::compiler
