// Writes a Model as a JSON layer description (docs/layer-format.md) with its weights and biases as .npy files.
#pragma once

#include <string>

#include "compiler/layer.h"

namespace tessera::compiler {

// Writes `json_path` and, next to it, <layer>_weights.npy / <layer>_bias.npy for each layer that has them.
// Throws ImportError when a file cannot be written.
void write_layer_json(const Model& model, const std::string& json_path);

}  // namespace tessera::compiler
