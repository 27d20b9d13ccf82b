// Plain reference kernels for the ONNX ops that run on the host between accelerator segments, and for
// Im2Col, the compiler's packing of a conv input with few channels (attributes as ONNX Conv's).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "isa/npy.h"

namespace tessera {

// The quantization of a host operand or result (real = scale * (q - zero_point)); ignored for float32.
struct HostQuant {
  double scale = 1.0;
  int32_t zero_point = 0;
};
struct HostOperand {
  NpyArray value;  // int8/uint8/int32/float32, C order
  HostQuant quant;
};
using HostAttrs = std::map<std::string, std::string>;  // values are text: "1", "0,2,3,1", "nearest"
// What the result must be: dtype, shape and quantization (the compiler knows them from the model).
struct HostResultSpec {
  NpyDType dtype;
  std::vector<int64_t> shape;
  HostQuant quant;
};

// The operators the host can run (for error messages and the compiler's placement pass).
const std::vector<std::string>& host_op_names();
bool is_host_op(const std::string& op);
// Checks op, attributes, operand dtypes/shapes and result specs before anything runs; throws
// std::runtime_error naming `where` (e.g. "node 'softmax0' (Softmax)"), the attribute or operand, and why.
void check_host_op(const std::string& op, const HostAttrs& attrs, const std::vector<HostResultSpec>& inputs,
                   const std::vector<HostResultSpec>& outputs, const std::string& where);
// Runs it: plain loops, one result per output spec, each of exactly that dtype and shape.
std::vector<NpyArray> run_host_op(const std::string& op, const HostAttrs& attrs, const std::vector<HostOperand>& inputs,
                                  const std::vector<HostResultSpec>& outputs, const std::string& where);

}  // namespace tessera
