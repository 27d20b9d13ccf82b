// A generated text file (name relative to the output directory) and the helper that writes it.
#pragma once

#include <string>
#include <vector>

namespace tessera::gen {

struct GeneratedFile {
  std::string name;
  std::string text;
};

// Writes each file into dir (created if missing), leaving files whose content is unchanged untouched
// so their timestamps do not trigger rebuilds. Throws std::runtime_error naming the path on failure.
void write_files(const std::string& dir, const std::vector<GeneratedFile>& files);

}  // namespace tessera::gen
