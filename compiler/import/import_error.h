// The one error type of the model importers: the message names the file, node/JSON path and the reason.
#pragma once

#include <stdexcept>

namespace tessera::compiler {

class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tessera::compiler
