// JSON layer descriptions (docs/layer-format.md): conv2d, dense, add, max_pool, global_avg_pool with
// weights and biases in .npy files, checked as strictly as the config loader.
#pragma once

#include <string>

#include "compiler/import/import_error.h"
#include "compiler/layer.h"

namespace tessera::compiler {

// `base_dir` resolves relative .npy paths; errors name `origin` and the JSON pointer of the culprit.
Model import_layer_json(const std::string& text, const std::string& origin, const std::string& base_dir);
Model import_layer_json_file(const std::string& path);

// Picks the importer by extension: .onnx or .json.
Model import_model_file(const std::string& path);

}  // namespace tessera::compiler
