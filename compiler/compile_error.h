// The one error type of the lowering: the message names the layer and the field or limit involved.
#pragma once

#include <stdexcept>

namespace tessera::compiler {

class CompileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tessera::compiler
