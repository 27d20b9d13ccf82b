// Limits and helpers the .tsp validation (program.cc) and the file format (program_file.cc) share;
// internal to the isa library.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "isa/program.h"

namespace tessera::program_detail {

constexpr int kMaxRank = 8;
constexpr size_t kMaxNameBytes = 255;
constexpr size_t kMaxAttrValueBytes = 4096;  // host operator attributes may be long lists

inline bool add_overflows(uint64_t a, uint64_t b, uint64_t* sum) { return __builtin_add_overflow(a, b, sum); }

// Names, layouts and attribute values travel through the assembly text, so they must be single
// whitespace-free tokens.
inline bool is_token(const std::string& s, size_t max_len = kMaxNameBytes) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127 && c != '#' && c != '=' && c != '"'; });
}

// "tensors[3]", "header", ...: where a validation issue lies, for error messages.
std::string issue_label(const ProgramIssue& is);

}  // namespace tessera::program_detail
