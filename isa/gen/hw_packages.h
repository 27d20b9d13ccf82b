// The SystemVerilog packages (params, ISA, regs) and the C++ register header for one config.
#pragma once

#include <vector>

#include "isa/config.h"
#include "isa/gen/generated_file.h"

namespace tessera::gen {

// tessera_params_pkg.sv, tessera_isa_pkg.sv, tessera_regs_pkg.sv (in dependency order), tessera_regs.h.
// Plain localparams only: Yosys 0.23 reads neither typedefs nor `import`, so RTL writes pkg::NAME.
std::vector<GeneratedFile> hw_packages(const DerivedConfig& d);

}  // namespace tessera::gen
