// The host operators: the op table (attributes, operand counts, kernels) and the checked entry points.
#include "driver/host_ops.h"

#include "driver/host_kernel.h"

namespace tessera {
namespace {

using namespace host_kernel;

// ---- The op table

struct OpDef {
  std::string name;
  std::vector<std::string> attrs;
  size_t min_inputs, max_inputs;
  void (*check)(const Call&);
  NpyArray (*run)(const Call&, const Operands&);
};

constexpr size_t kManyInputs = std::numeric_limits<size_t>::max();

const std::vector<OpDef>& op_table() {
  static const std::vector<OpDef> table = {
      {"QuantizeLinear", {"axis"}, 1, 1, check_quantize, run_quantize},
      {"DequantizeLinear", {"axis"}, 1, 1, check_dequantize, run_dequantize},
      {"Softmax", {"axis"}, 1, 1, check_softmax, run_softmax},
      {"Transpose", {"perm"}, 1, 1, check_transpose, run_transpose},
      {"Reshape", {}, 1, 2, check_reshape, run_reshape},
      {"Flatten", {"axis"}, 1, 1, check_flatten, run_reshape},
      {"Squeeze", {"axes"}, 1, 2, check_squeeze, run_reshape},
      {"Unsqueeze", {"axes"}, 1, 2, check_unsqueeze, run_reshape},
      {"Identity", {}, 1, 1, check_identity, run_reshape},
      {"Concat", {"axis"}, 1, kManyInputs, check_concat, run_concat},
      {"Resize", {"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside"}, 1, 4, check_resize, run_resize},
      {"Relu", {}, 1, 1, check_clip, run_relu},
      {"Clip", {"min", "max"}, 1, 1, check_clip, run_clip},
      {"Add", {}, 2, 2, check_binary, run_add},
      {"Mul", {}, 2, 2, check_binary, run_mul},
      {"AveragePool", {"kernel_shape", "strides", "pads", "count_include_pad", "ceil_mode"}, 1, 1, check_avgpool, run_avgpool},
      {"GlobalAveragePool", {}, 1, 1, check_global_avgpool, run_global_avgpool},
      {"Im2Col", {"kernel_shape", "strides", "pads"}, 1, 1, check_im2col, run_im2col},
  };
  return table;
}

const OpDef* find_op(const std::string& op) {
  for (const OpDef& d : op_table())
    if (d.name == op) return &d;
  return nullptr;
}

void check_spec(const HostResultSpec& s, const std::string& what, const std::string& where) {
  const auto fail = [&](const std::string& why) { throw std::runtime_error(where + ": " + what + " " + why); };
  if (!valid_dtype(s.dtype)) fail("has an invalid dtype");
  int64_t n = 1;
  for (int64_t d : s.shape) {
    if (d < 0) fail("has a negative dimension in " + shape_text(s.shape));
    if (d && n > kMaxElements / d) fail("shape " + shape_text(s.shape) + " is too large");
    n *= d;
  }
  if (!quantized(s.dtype)) return;
  if (!std::isfinite(s.quant.scale) || s.quant.scale <= 0) fail("has scale " + std::to_string(s.quant.scale) + ", which is not positive");
  const auto [lo, hi] = range_of(s.dtype);
  if (s.quant.zero_point < lo || s.quant.zero_point > hi)
    fail("has zero point " + std::to_string(s.quant.zero_point) + " outside the " + dtype_text(s.dtype) + " range");
}

}  // namespace

const std::vector<std::string>& host_op_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const OpDef& d : op_table()) n.push_back(d.name);
    return n;
  }();
  return names;
}

bool is_host_op(const std::string& op) { return find_op(op) != nullptr; }

void check_host_op(const std::string& op, const HostAttrs& attrs, const std::vector<HostResultSpec>& inputs,
                   const std::vector<HostResultSpec>& outputs, const std::string& where) {
  const OpDef* def = find_op(op);
  if (!def) {
    std::string list;
    for (const auto& n : host_op_names()) list += (list.empty() ? "" : ", ") + n;
    throw std::runtime_error(where + ": '" + op + "' is not a host op (host ops: " + list + ")");
  }
  for (const auto& [name, value] : attrs)
    if (std::find(def->attrs.begin(), def->attrs.end(), name) == def->attrs.end())
      throw std::runtime_error(where + ": unknown attribute '" + name + "' for " + op);
  if (inputs.size() < def->min_inputs || inputs.size() > def->max_inputs)
    throw std::runtime_error(where + ": " + op + " takes " + std::to_string(def->min_inputs) +
                             (def->max_inputs == def->min_inputs ? ""
                              : def->max_inputs == kManyInputs ? " or more"
                                                               : " to " + std::to_string(def->max_inputs)) +
                             " inputs, got " + std::to_string(inputs.size()));
  if (outputs.size() != 1)
    throw std::runtime_error(where + ": " + op + " has 1 output, got " + std::to_string(outputs.size()) + " output specs");
  for (size_t i = 0; i < inputs.size(); ++i) check_spec(inputs[i], "input " + std::to_string(i), where);
  check_spec(outputs[0], "output 0", where);
  def->check(Call{attrs, inputs, outputs[0], where});
}

std::vector<NpyArray> run_host_op(const std::string& op, const HostAttrs& attrs, const std::vector<HostOperand>& inputs,
                                  const std::vector<HostResultSpec>& outputs, const std::string& where) {
  std::vector<HostResultSpec> specs;
  for (const HostOperand& x : inputs) specs.push_back({x.value.dtype, x.value.shape, x.quant});
  check_host_op(op, attrs, specs, outputs, where);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const size_t want = static_cast<size_t>(count(specs[i].shape) * npy_dtype_bytes(specs[i].dtype));
    if (inputs[i].value.data.size() != want)
      throw std::runtime_error(where + ": input " + std::to_string(i) + " holds " + std::to_string(inputs[i].value.data.size()) +
                               " bytes, its shape " + shape_text(specs[i].shape) + " needs " + std::to_string(want));
  }
  return {find_op(op)->run(Call{attrs, specs, outputs[0], where}, inputs)};
}

}  // namespace tessera