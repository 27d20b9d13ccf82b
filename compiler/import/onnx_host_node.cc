// Host operators: ONNX semantics for the output shapes; the kernels themselves are the driver's.
#include "compiler/import/onnx_host_node.h"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "compiler/import/layer_shapes.h"

namespace tessera::compiler {
namespace {

using onnx::NodeProto;
using onnx::TensorProto;

int64_t count(const std::vector<int64_t>& s) { return std::accumulate(s.begin(), s.end(), int64_t{1}, std::multiplies<>()); }

std::string join(const std::vector<int64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

std::string real_text(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// Axis in [-rank, rank) (or [-rank-1, rank] when `inclusive`), made non-negative.
int64_t axis(const OnnxGraph& g, const NodeProto& node, int64_t a, size_t rank, bool inclusive = false) {
  const auto r = int64_t(rank) + (inclusive ? 1 : 0);
  if (a < -r || a >= r) g.fail(node, "attribute 'axis' = " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
  return a < 0 ? a + r : a;
}

// The shape given by a constant int64 input (Reshape's shape, Squeeze's axes, ...).
std::vector<int64_t> int_input(const OnnxGraph& g, const NodeProto& node, int index, const char* role) {
  return g.constant(node, index, role, {TensorProto::INT64}).ints;
}

std::vector<int64_t> reshape(const OnnxGraph& g, const NodeProto& node, const std::vector<int64_t>& in,
                             std::vector<int64_t> want) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == 0 && i < in.size()) want[i] = in[i];
    if (want[i] == -1) {
      if (infer >= 0) g.fail(node, "shape " + ints_string(want) + " has two -1 entries");
      infer = int64_t(i);
    } else if (want[i] < 1) {
      g.fail(node, "shape " + ints_string(want) + " has an invalid entry");
    } else {
      known *= want[i];
    }
  }
  if (infer >= 0) {
    if (count(in) % known) g.fail(node, "cannot reshape " + shape_string(in) + " to " + ints_string(want));
    want[size_t(infer)] = count(in) / known;
  }
  if (count(want) != count(in)) g.fail(node, "cannot reshape " + shape_string(in) + " to " + shape_string(want));
  return want;
}

std::vector<int64_t> broadcast(const OnnxGraph& g, const NodeProto& node, const std::vector<int64_t>& a,
                               const std::vector<int64_t>& b) {
  std::vector<int64_t> out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t x = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t y = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (x != y && x != 1 && y != 1) g.fail(node, "shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
    out[i] = std::max(x, y);
  }
  return out;
}

}  // namespace

std::vector<NetTensor> import_host_node(const OnnxGraph& g, const NodeProto& node,
                                        const std::vector<const NetTensor*>& in, NetNode& n) {
  const std::string& op = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    g.fail(node, "operator is not supported here: no accelerator lowering and no host kernel for domain '" +
                     node.domain() + "'");
  n.op = op;
  NetTensor out = *in.at(0);  // the usual case: same type, shape and quantization
  const auto need_inputs = [&](size_t lo, size_t hi) {
    if (in.size() < lo || in.size() > hi)
      g.fail(node, "has " + std::to_string(in.size()) + " activation (non-constant) inputs; the host takes " +
                       (lo == hi ? std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi)));
  };
  const auto require_float = [&] {
    for (const NetTensor* t : in)
      if (t->dtype != DType::FLOAT32) g.fail(node, "input '" + t->name + "' is " + dtype_name(t->dtype) + "; the host runs " + op + " on float32 only");
  };
  if (op == "QuantizeLinear") {
    g.check_attributes(node, {"axis"});
    if (in[0]->dtype != DType::FLOAT32) g.fail(node, "input '" + in[0]->name + "' must be float32");
    ElemType t;
    out.scale = g.scalar_real(node, 1, "y_scale");
    out.zero_point = int32_t(g.has_input(node, 2) ? g.scalar_int(node, 2, "y_zero_point", &t) : (t = ElemType::UINT8, 0));
    out.dtype = dtype_of(t);
  } else if (op == "DequantizeLinear") {
    g.check_attributes(node, {"axis"});
    if (!in[0]->quantized()) g.fail(node, "input '" + in[0]->name + "' is not a quantized activation");
    ElemType t;
    const double s = g.scalar_real(node, 1, "x_scale");
    const int64_t zp = g.has_input(node, 2) ? g.scalar_int(node, 2, "x_zero_point", &t) : (t = ElemType::UINT8, 0);
    if (s != in[0]->scale || zp != in[0]->zero_point || dtype_of(t) != in[0]->dtype)
      g.fail(node, "quantization (scale " + real_text(s) + ", zero point " + std::to_string(zp) + ") differs from the one '" +
                       in[0]->name + "' was produced with");
    out.dtype = DType::FLOAT32, out.scale = 1, out.zero_point = 0;
  } else if (op == "Softmax") {
    g.check_attributes(node, {"axis"});
    require_float();
    n.attrs["axis"] = std::to_string(axis(g, node, g.attr_int(node, "axis", -1), out.shape.size()));
  } else if (op == "Relu" || op == "Identity") {
    g.check_attributes(node, {});
  } else if (op == "Clip") {
    g.check_attributes(node, {});
    require_float();
    for (int i : {1, 2}) {
      if (!g.has_input(node, i)) continue;
      const char* role = i == 1 ? "min" : "max";
      const ConstTensor c = g.constant(node, i, role, {TensorProto::FLOAT});
      if (c.reals.size() != 1) g.fail(node, std::string(role) + " must be a scalar, has dims " + ints_string(c.dims));
      n.attrs[role] = real_text(c.reals[0]);
    }
  } else if (op == "Flatten") {
    g.check_attributes(node, {"axis"});
    const int64_t a = axis(g, node, g.attr_int(node, "axis", 1), out.shape.size(), true);
    const std::vector<int64_t> s = in[0]->shape;
    out.shape = {count({s.begin(), s.begin() + a}), count({s.begin() + a, s.end()})};
  } else if (op == "Reshape") {
    g.check_attributes(node, {"allowzero"});
    need_inputs(1, 1);  // the shape is a constant, not an activation
    out.shape = reshape(g, node, in[0]->shape, int_input(g, node, 1, "shape"));
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    g.check_attributes(node, {});
    std::vector<int64_t> axes = g.has_input(node, 1) ? int_input(g, node, 1, "axes") : std::vector<int64_t>{};
    const bool sq = op == "Squeeze";
    const size_t rank = sq ? out.shape.size() : out.shape.size() + axes.size();
    if (rank > size_t(kMaxRank)) g.fail(node, "the output would have " + std::to_string(rank) + " dimensions");
    for (auto& a : axes) a = axis(g, node, a, rank);
    std::vector<int64_t> sorted = axes;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      g.fail(node, "input 'axes' = " + ints_string(axes) + " repeats an axis");
    std::vector<int64_t> s;
    if (sq) {
      for (size_t i = 0; i < out.shape.size(); ++i) {
        const bool listed = std::count(axes.begin(), axes.end(), int64_t(i)) != 0;
        if (listed && out.shape[i] != 1) g.fail(node, "cannot squeeze axis " + std::to_string(i) + " of " + shape_string(out.shape));
        if (!(listed || (axes.empty() && out.shape[i] == 1))) s.push_back(out.shape[i]);
      }
    } else {
      if (axes.empty()) g.fail(node, "input 'axes' is required");
      size_t j = 0;
      for (size_t i = 0; i < rank; ++i) s.push_back(std::count(axes.begin(), axes.end(), int64_t(i)) ? 1 : out.shape.at(j++));
    }
    out.shape = s;
  } else if (op == "Transpose") {
    g.check_attributes(node, {"perm"});
    std::vector<int64_t> perm = g.attr_ints(node, "perm");
    if (perm.empty())
      for (size_t i = out.shape.size(); i-- > 0;) perm.push_back(int64_t(i));
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i)
      if (sorted.size() != out.shape.size() || sorted[i] != int64_t(i))
        g.fail(node, "attribute 'perm' = " + ints_string(perm) + " is not a permutation of the input's axes");
    std::vector<int64_t> s;
    for (int64_t p : perm) s.push_back(in[0]->shape[size_t(p)]);
    out.shape = s;
    n.attrs["perm"] = join(perm);
  } else if (op == "Concat") {
    g.check_attributes(node, {"axis"});
    require_float();
    const int64_t a = axis(g, node, g.attr_int(node, "axis", 0), out.shape.size());
    for (size_t i = 1; i < in.size(); ++i) {
      if (in[i]->shape.size() != out.shape.size()) g.fail(node, "inputs differ in rank");
      for (size_t d = 0; d < out.shape.size(); ++d)
        if (int64_t(d) != a && in[i]->shape[d] != out.shape[d])
          g.fail(node, "input '" + in[i]->name + "' has shape " + shape_string(in[i]->shape) + ", not concatenable");
      out.shape[size_t(a)] += in[i]->shape[size_t(a)];
    }
    n.attrs["axis"] = std::to_string(a);
  } else if (op == "Add" || op == "Mul") {
    g.check_attributes(node, {});
    need_inputs(2, 2);
    require_float();
    out.shape = broadcast(g, node, in[0]->shape, in[1]->shape);
  } else if (op == "GlobalAveragePool") {
    g.check_attributes(node, {});
    require_float();
    if (out.shape.size() != 4) g.fail(node, "input shape " + shape_string(out.shape) + " is not NCHW");
    out.shape[2] = out.shape[3] = 1;
  } else {
    g.fail(node, "operator is not supported here: no accelerator lowering matches it and the host has no kernel for " +
                     op + " (host operators: QuantizeLinear, DequantizeLinear, Softmax, Relu, Clip, Identity, Flatten, "
                     "Reshape, Squeeze, Unsqueeze, Transpose, Concat, Add, Mul, GlobalAveragePool)");
  }
  if (node.output_size() != 1 || node.output(0).empty()) g.fail(node, "must have exactly one output");
  out.name = node.output(0);
  n.outputs = {out.name};
  return {out};
}

}  // namespace tessera::compiler
