// Converts an FST waveform to VCD, so models built with FST tracing serve --vcd as well.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

// Writes the VCD equivalent of the FST file `fst_path` (header, scopes, every value change) to
// `vcd_path`. Throws std::runtime_error naming the file that cannot be read or written.
void fst_to_vcd(const std::string& fst_path, const std::string& vcd_path);

// Writes to `out_fst` the times [from, to] of the FST files `segments`, which record consecutive
// stretches of one run with the same signals (the harness's rotating segments for "the last N cycles"):
// every signal's value at `from` first, then each change up to `to`. Throws std::runtime_error.
void fst_cut(const std::vector<std::string>& segments, uint64_t from, uint64_t to, const std::string& out_fst);

// Every scope of an FST file as a dotted path ("tessera.tessera_top.u_compute"); throws when unreadable.
std::vector<std::string> fst_scopes(const std::string& fst_path);

// Signals declared in an FST file (0 when it cannot be read).
uint64_t fst_var_count(const std::string& fst_path);

}  // namespace tessera
