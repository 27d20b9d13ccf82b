// Whole-file reads of the project's text inputs (configs, schedules, suites, specs, JSON results).
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace tessera {

// The file's bytes, or nullopt when it cannot be opened; callers name the file in their own error.
inline std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace tessera
