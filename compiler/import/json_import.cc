// Strict JSON layer import: every key is known, typed and range-checked; shapes are cross-checked
// against the .npy files and the layer geometry.
#include "compiler/import/json_import.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "compiler/import/layer_shapes.h"
#include "compiler/import/onnx_import.h"
#include "isa/npy.h"

namespace tessera::compiler {

namespace {

using json = nlohmann::json;

// One JSON object at `path`: keys are consumed as read, and leftovers are reported by finish().
class Fields {
 public:
  Fields(const json& j, const std::string& origin, std::string path) : j_(j), origin_(origin), path_(std::move(path)) {
    if (!j_.is_object()) fail("", std::string("expected an object, got ") + j_.type_name());
  }
  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    throw ImportError(origin_ + ": " + at(key) + ": " + why);
  }
  std::string at(const std::string& key) const { return key.empty() ? (path_.empty() ? "/" : path_) : path_ + "/" + key; }
  bool has(const std::string& key) const { return j_.contains(key); }
  const json& get(const std::string& key) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) fail(key, "missing required key");
    return *it;
  }
  std::string str(const std::string& key) {
    const json& v = get(key);
    if (!v.is_string() || v.get<std::string>().empty()) fail(key, "expected a non-empty string");
    return v.get<std::string>();
  }
  int64_t integer(const std::string& key, int64_t lo, int64_t hi) { return integer_value(get(key), at(key), lo, hi); }
  int64_t integer_value(const json& v, const std::string& where, int64_t lo, int64_t hi) const {
    if (!v.is_number_integer())
      throw ImportError(origin_ + ": " + where + ": expected an integer, got " +
                        (v.is_number() ? "a fractional number" : v.type_name()));
    const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX : v.get<int64_t>();
    if (x < lo || x > hi)
      throw ImportError(origin_ + ": " + where + ": value " + std::to_string(x) + " out of range [" +
                        std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return x;
  }
  double positive(const json& v, const std::string& where) const {
    if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
      throw ImportError(origin_ + ": " + where + ": expected a positive number");
    return v.get<double>();
  }
  std::vector<int64_t> ints(const std::string& key, size_t count, int64_t lo, int64_t hi) {
    const json& v = get(key);
    if (!v.is_array() || (count && v.size() != count))
      fail(key, count ? "expected an array of " + std::to_string(count) + " integers" : "expected an array of integers");
    std::vector<int64_t> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(integer_value(v[i], at(key) + "/" + std::to_string(i), lo, hi));
    return out;
  }
  bool boolean(const std::string& key) {
    const json& v = get(key);
    if (!v.is_boolean()) fail(key, "expected true or false");
    return v.get<bool>();
  }
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) fail(it.key(), "unknown key");
  }

 private:
  const json& j_;
  const std::string& origin_;
  std::string path_;
  std::set<std::string> seen_;
};

struct Reader {
  std::string origin, base_dir;
  std::map<std::string, QTensor> produced;  // earlier layers' outputs by name

  NpyArray npy(Fields& f, const std::string& key, NpyDType dtype) {
    const std::string file = f.str(key);
    const std::string path = (std::filesystem::path(base_dir) / file).string();  // absolute `file` wins
    NpyArray a;
    try {
      a = read_npy_file(path);
    } catch (const NpyError& e) {
      f.fail(key, e.what());
    }
    if (a.dtype != dtype)
      f.fail(key, "'" + file + "' holds " + npy_dtype_name(a.dtype) + ", expected " + npy_dtype_name(dtype));
    return a;
  }

  // A tensor object, or for inputs the name of an earlier output; "shape" is required for inputs and
  // optional (then checked) for outputs.
  QTensor tensor(const json& j, const std::string& path, bool is_input) {
    if (is_input && j.is_string()) {
      auto it = produced.find(j.get<std::string>());
      if (it == produced.end())
        throw ImportError(origin + ": " + path + ": '" + j.get<std::string>() + "' is not an earlier layer's output");
      return it->second;
    }
    Fields f(j, origin, path);
    QTensor q;
    q.name = f.str("name");
    const std::string type = f.str("type");
    if (type != "int8" && type != "uint8") f.fail("type", "'" + type + "' is not supported (int8 or uint8)");
    q.type = type == "uint8" ? ElemType::UINT8 : ElemType::INT8;
    q.scale = f.positive(f.get("scale"), f.at("scale"));
    q.zero_point = static_cast<int32_t>(f.integer("zero_point", elem_min(q.type), elem_max(q.type)));
    if (is_input || f.has("shape")) q.shape = f.ints("shape", 0, 1, int64_t{1} << 24);
    if (is_input && (q.shape.empty() || q.shape.size() > 4)) f.fail("shape", "expected 1 to 4 dimensions");
    f.finish();
    return q;
  }

  // Reads weights, scales, optional bias and relu; returns the weight shape.
  std::vector<int64_t> weights(Fields& f, Layer& l, const std::vector<int64_t>& want_dims, const std::string& want_text) {
    const NpyArray w = npy(f, "weights", NpyDType::INT8);
    if (w.shape.size() != want_dims.size())
      f.fail("weights", "shape " + shape_string(w.shape) + " is not " + want_text);
    for (size_t i = 0; i < want_dims.size(); ++i)
      if (want_dims[i] >= 0 && w.shape[i] != want_dims[i])
        f.fail("weights", "shape " + shape_string(w.shape) + " does not match " + want_text);
    for (int64_t d : w.shape)
      if (d < 1) f.fail("weights", "shape " + shape_string(w.shape) + " has an empty dimension");
    l.weights.assign(w.data.begin(), w.data.end());
    const int64_t k = w.shape[0];
    const json& s = f.get("weight_scales");
    if (s.is_array()) {
      if (s.size() != 1 && static_cast<int64_t>(s.size()) != k)
        f.fail("weight_scales", "has " + std::to_string(s.size()) + " values, expected 1 or " + std::to_string(k));
      for (size_t i = 0; i < s.size(); ++i) l.weight_scales.push_back(f.positive(s[i], f.at("weight_scales") + "/" + std::to_string(i)));
    } else {
      l.weight_scales = {f.positive(s, f.at("weight_scales"))};
    }
    if (f.has("bias")) {
      const NpyArray b = npy(f, "bias", NpyDType::INT32);
      if (b.shape != std::vector<int64_t>{k}) f.fail("bias", "shape " + shape_string(b.shape) + " is not [" + std::to_string(k) + "]");
      for (size_t i = 0; i < b.data.size(); i += 4)
        l.bias.push_back(static_cast<int32_t>(uint32_t{b.data[i]} | uint32_t{b.data[i + 1]} << 8 |
                                              uint32_t{b.data[i + 2]} << 16 | uint32_t{b.data[i + 3]} << 24));
    }
    if (f.has("relu")) l.relu = f.boolean("relu");
    return w.shape;
  }

  void window(Fields& f, Layer& l) {
    if (f.has("strides")) {
      const auto s = f.ints("strides", 2, 1, 64);
      l.stride_h = static_cast<int>(s[0]);
      l.stride_w = static_cast<int>(s[1]);
    }
    if (f.has("pads")) {
      const auto p = f.ints("pads", 4, 0, 64);
      l.pad_top = static_cast<int>(p[0]);
      l.pad_left = static_cast<int>(p[1]);
      l.pad_bottom = static_cast<int>(p[2]);
      l.pad_right = static_cast<int>(p[3]);
    }
  }

  Layer layer(const json& j, const std::string& path) {
    Fields f(j, origin, path);
    Layer l;
    l.name = f.str("name");
    const std::string op = f.str("op");
    const json& inputs = f.get("inputs");
    const size_t want_inputs = op == "add" ? 2 : 1;
    if (!inputs.is_array() || inputs.size() != want_inputs)
      f.fail("inputs", "expected an array of " + std::to_string(want_inputs) + " tensor(s)");
    for (size_t i = 0; i < inputs.size(); ++i) l.inputs.push_back(tensor(inputs[i], f.at("inputs") + "/" + std::to_string(i), true));
    l.output = tensor(f.get("output"), f.at("output"), false);
    const std::vector<int64_t> declared = l.output.shape;
    const auto& in = l.inputs[0].shape;
    if (op == "conv2d") {
      l.kind = LayerKind::CONV2D;
      if (in.size() != 4) f.fail("inputs", "conv2d needs an NCHW input, got " + shape_string(in));
      const auto w = weights(f, l, {-1, in[1], -1, -1}, "[K," + std::to_string(in[1]) + ",R,S]");
      if (w[2] > 64 || w[3] > 64) f.fail("weights", "kernel " + shape_string(w) + " is larger than 64x64");
      l.kernel_h = static_cast<int>(w[2]);
      l.kernel_w = static_cast<int>(w[3]);
      window(f, l);
    } else if (op == "dense") {
      l.kind = LayerKind::DENSE;
      if (in.size() != 2) f.fail("inputs", "dense needs an NC input, got " + shape_string(in));
      weights(f, l, {-1, in[1]}, "[K," + std::to_string(in[1]) + "]");
    } else if (op == "add") {
      l.kind = LayerKind::ADD;
      if (f.has("relu")) l.relu = f.boolean("relu");
    } else if (op == "max_pool") {
      l.kind = LayerKind::MAX_POOL;
      const auto k = f.ints("kernel", 2, 1, 64);
      l.kernel_h = static_cast<int>(k[0]);
      l.kernel_w = static_cast<int>(k[1]);
      window(f, l);
      const QTensor& x = l.inputs[0];
      if (l.output.type != x.type || l.output.scale != x.scale || l.output.zero_point != x.zero_point)
        f.fail("output", "max_pool keeps its input's quantization: type, scale and zero_point must equal the input's");
    } else if (op == "global_avg_pool") {
      l.kind = LayerKind::GLOBAL_AVG_POOL;
    } else {
      f.fail("op", "'" + op + "' is not supported (conv2d, dense, add, max_pool, global_avg_pool)");
    }
    if (l.kind == LayerKind::ADD && l.output.type != l.inputs[1].type)
      f.fail("output", "add needs inputs and output of one type");
    f.finish();
    l.output.shape = layer_output_shape(l, origin + ": " + path);
    if (!declared.empty() && declared != l.output.shape)
      f.fail("output", "declared shape " + shape_string(declared) + " but the layer produces " + shape_string(l.output.shape));
    return l;
  }
};

}  // namespace

Model import_layer_json(const std::string& text, const std::string& origin, const std::string& base_dir) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ImportError(origin + ": invalid JSON: " + e.what());
  }
  Fields top(root, origin, "");
  const json& layers = top.get("layers");
  top.finish();
  if (!layers.is_array() || layers.empty()) top.fail("layers", "expected a non-empty array of layers");
  Reader r{origin, base_dir, {}};
  Model m;
  m.source = origin;
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer l = r.layer(layers[i], "/layers/" + std::to_string(i));
    if (!r.produced.emplace(l.output.name, l.output).second)
      throw ImportError(origin + ": /layers/" + std::to_string(i) + "/output: tensor '" + l.output.name + "' is produced twice");
    m.layers.push_back(std::move(l));
  }
  return m;
}

Model import_layer_json_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw ImportError(path + ": cannot open file");
  constexpr uintmax_t kMaxJsonBytes = uintmax_t{64} << 20;  // weights live in .npy files, so JSON stays small
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxJsonBytes)
    throw ImportError(path + ": " + std::to_string(size) + " bytes is larger than the " + std::to_string(kMaxJsonBytes) +
                      "-byte limit for layer descriptions");
  std::stringstream text;
  text << f.rdbuf();
  return import_layer_json(text.str(), path, std::filesystem::path(path).parent_path().string());
}

Model import_model_file(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".onnx") return import_onnx_file(path);
  if (ext == ".json") return import_layer_json_file(path);
  throw ImportError(path + ": unknown model format (expected .onnx or .json)");
}

}  // namespace tessera::compiler
