// Output shapes of quantized layers: the one place the importers compute them.
#include "compiler/import/layer_shapes.h"

#include "compiler/import/import_error.h"

namespace tessera::compiler {

int64_t window_output_extent(int64_t in, int kernel, int stride, int pad_begin, int pad_end) {
  const int64_t span = in + pad_begin + pad_end - kernel;
  if (span < 0 || stride <= 0) return 0;
  return span / stride + 1;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

const char* elem_type_name(ElemType t) { return t == ElemType::UINT8 ? "uint8" : "int8"; }
int32_t elem_min(ElemType t) { return t == ElemType::UINT8 ? 0 : -128; }
int32_t elem_max(ElemType t) { return t == ElemType::UINT8 ? 255 : 127; }

namespace {

void require(bool ok, const std::string& where, const std::string& why) {
  if (!ok) throw ImportError(where + ": " + why);
}

std::vector<int64_t> windowed_shape(const Layer& l, int64_t out_channels, const std::string& where) {
  const auto& in = l.inputs.at(0).shape;
  require(in.size() == 4, where, "input shape " + shape_string(in) + " is not NCHW");
  require(l.kernel_h >= 1 && l.kernel_w >= 1, where, "kernel size must be >= 1");
  require(l.stride_h >= 1 && l.stride_w >= 1, where, "stride must be >= 1");
  require(l.pad_top >= 0 && l.pad_left >= 0 && l.pad_bottom >= 0 && l.pad_right >= 0, where,
          "padding must be >= 0");
  // ONNX pools pad with -inf, so a window made only of padding has no value.
  if (l.kind == LayerKind::MAX_POOL)
    require(l.pad_top < l.kernel_h && l.pad_bottom < l.kernel_h && l.pad_left < l.kernel_w &&
                l.pad_right < l.kernel_w,
            where, "max-pool padding must be smaller than the kernel");
  const int64_t oh = window_output_extent(in[2], l.kernel_h, l.stride_h, l.pad_top, l.pad_bottom);
  const int64_t ow = window_output_extent(in[3], l.kernel_w, l.stride_w, l.pad_left, l.pad_right);
  require(oh > 0 && ow > 0, where,
          "the " + std::to_string(l.kernel_h) + "x" + std::to_string(l.kernel_w) + " window does not fit input " +
              shape_string(in) + " with its padding");
  return {in[0], out_channels, oh, ow};
}

}  // namespace

std::vector<int64_t> layer_output_shape(const Layer& l, const std::string& where) {
  const size_t want_inputs = l.kind == LayerKind::ADD ? 2 : 1;
  require(l.inputs.size() == want_inputs, where, "expects " + std::to_string(want_inputs) + " input(s)");
  constexpr int64_t kMaxElements = int64_t{1} << 31;  // keeps every size and offset computation in range
  for (const auto& t : l.inputs) {
    int64_t elements = 1;
    for (int64_t d : t.shape) {
      require(d >= 1 && d <= kMaxElements && elements * d <= kMaxElements, where,
              "input '" + t.name + "' has shape " + shape_string(t.shape) + " (1 to 2^31 elements allowed)");
      elements *= d;
    }
  }
  const auto& in = l.inputs[0].shape;
  switch (l.kind) {
    case LayerKind::CONV2D: {
      require(in.size() == 4, where, "input shape " + shape_string(in) + " is not NCHW");
      require(l.group >= 1 && in[1] % l.group == 0, where,
              "group " + std::to_string(l.group) + " does not divide the " + std::to_string(in[1]) + " input channels");
      const int64_t kernel_elems = int64_t{l.kernel_h} * l.kernel_w * (in[1] / l.group);
      require(kernel_elems > 0 && !l.weights.empty() && l.weights.size() % kernel_elems == 0, where,
              "weights hold " + std::to_string(l.weights.size()) + " values, not a multiple of " +
                  (l.group == 1 ? "C*R*S = " : "C/group*R*S = ") +
                  std::to_string(kernel_elems));
      const int64_t k = static_cast<int64_t>(l.weights.size()) / kernel_elems;
      require(k % l.group == 0, where,
              "group " + std::to_string(l.group) + " does not divide the " + std::to_string(k) + " output channels");
      return windowed_shape(l, k, where);
    }
    case LayerKind::DENSE:
      require(in.size() == 2, where, "input shape " + shape_string(in) + " is not NC");
      require(!l.weights.empty() && l.weights.size() % in[1] == 0, where,
              "weights hold " + std::to_string(l.weights.size()) + " values, not a multiple of C = " +
                  std::to_string(in[1]));
      return {in[0], static_cast<int64_t>(l.weights.size()) / in[1]};
    case LayerKind::ADD:
      require(l.inputs[1].shape == in, where,
              "inputs have different shapes " + shape_string(in) + " and " + shape_string(l.inputs[1].shape));
      return in;
    case LayerKind::MAX_POOL:
      return windowed_shape(l, in.size() == 4 ? in[1] : 0, where);
    case LayerKind::GLOBAL_AVG_POOL:
      require(in.size() == 4, where, "input shape " + shape_string(in) + " is not NCHW");
      return {in[0], in[1], 1, 1};
  }
  throw ImportError(where + ": unknown layer kind");
}

}  // namespace tessera::compiler
