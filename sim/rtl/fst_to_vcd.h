// Converts an FST waveform to VCD, so models built with FST tracing serve --vcd as well.
#pragma once

#include <string>

namespace tessera {

// Writes the VCD equivalent of the FST file `fst_path` (header, scopes, every value change) to
// `vcd_path`. Throws std::runtime_error naming the file that cannot be read or written.
void fst_to_vcd(const std::string& fst_path, const std::string& vcd_path);

}  // namespace tessera
