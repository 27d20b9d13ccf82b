// Generated reference docs: docs/isa.md, docs/params.md and docs/regs.md.
#pragma once

#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/gen/generated_file.h"

namespace tessera::gen {

// `configs` are every shipped config in file-name order; one must be named "default" (layouts are
// shown at that config). The result depends on nothing else, so committed docs can be checked.
std::vector<GeneratedFile> reference_docs(const std::vector<DerivedConfig>& configs);

GeneratedFile isa_doc(const std::vector<DerivedConfig>& configs, const DerivedConfig& dflt);
GeneratedFile params_doc(const std::vector<DerivedConfig>& configs);
GeneratedFile regs_doc();

}  // namespace tessera::gen
