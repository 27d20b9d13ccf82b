// JSON layer writer, the inverse of json_import: later layers refer to earlier outputs by name.
#include "compiler/import/json_export.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "compiler/import/import_error.h"
#include "compiler/import/layer_shapes.h"
#include "isa/npy.h"

namespace tessera::compiler {

namespace {

using json = nlohmann::json;

json tensor_json(const QTensor& t) {
  return {{"name", t.name}, {"type", elem_type_name(t.type)}, {"shape", t.shape}, {"scale", t.scale},
          {"zero_point", t.zero_point}};
}

const char* op_name(LayerKind k) {
  switch (k) {
    case LayerKind::CONV2D: return "conv2d";
    case LayerKind::DENSE: return "dense";
    case LayerKind::ADD: return "add";
    case LayerKind::MAX_POOL: return "max_pool";
    case LayerKind::GLOBAL_AVG_POOL: return "global_avg_pool";
  }
  return "";
}

// A file name made of the layer name's safe characters.
std::string file_stem(const std::string& layer_name) {
  std::string s = layer_name.empty() ? "layer" : layer_name;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return s;
}

void write_array(const NpyArray& a, const std::filesystem::path& path) {
  try {
    write_npy_file(a, path.string());
  } catch (const NpyError& e) {
    throw ImportError(e.what());
  }
}

}  // namespace

void write_layer_json(const Model& model, const std::string& json_path) {
  const std::filesystem::path dir = std::filesystem::path(json_path).parent_path();
  std::set<std::string> produced;
  json layers = json::array();
  for (const Layer& l : model.layers) {
    json j = {{"name", l.name}, {"op", op_name(l.kind)}};
    json inputs = json::array();
    for (const QTensor& t : l.inputs) inputs.push_back(produced.count(t.name) ? json(t.name) : tensor_json(t));
    j["inputs"] = inputs;
    j["output"] = tensor_json(l.output);
    const std::string stem = file_stem(l.name);
    if (l.kind == LayerKind::CONV2D || l.kind == LayerKind::DENSE) {
      const int64_t c = l.inputs.at(0).shape.at(1);
      const int64_t per_k = l.kind == LayerKind::CONV2D ? c * l.kernel_h * l.kernel_w : c;
      const int64_t k = static_cast<int64_t>(l.weights.size()) / per_k;
      NpyArray w{NpyDType::INT8, {k, c}, {l.weights.begin(), l.weights.end()}};
      if (l.kind == LayerKind::CONV2D) w.shape = {k, c, l.kernel_h, l.kernel_w};
      write_array(w, dir / (stem + "_weights.npy"));
      j["weights"] = stem + "_weights.npy";
      j["weight_scales"] = l.weight_scales;
      if (!l.bias.empty()) {
        NpyArray b{NpyDType::INT32, {static_cast<int64_t>(l.bias.size())}, {}};
        for (int32_t v : l.bias)
          for (int shift = 0; shift < 32; shift += 8) b.data.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> shift));
        write_array(b, dir / (stem + "_bias.npy"));
        j["bias"] = stem + "_bias.npy";
      }
    }
    if (l.kind == LayerKind::CONV2D || l.kind == LayerKind::MAX_POOL) {
      j["strides"] = {l.stride_h, l.stride_w};
      j["pads"] = {l.pad_top, l.pad_left, l.pad_bottom, l.pad_right};
    }
    if (l.kind == LayerKind::MAX_POOL) j["kernel"] = {l.kernel_h, l.kernel_w};
    if (l.kind == LayerKind::CONV2D || l.kind == LayerKind::DENSE || l.kind == LayerKind::ADD) j["relu"] = l.relu;
    produced.insert(l.output.name);
    layers.push_back(j);
  }
  std::ofstream f(json_path);
  f << json{{"layers", layers}}.dump(2) << "\n";
  if (!f) throw ImportError(json_path + ": cannot write file");
}

}  // namespace tessera::compiler
