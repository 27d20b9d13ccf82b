// Write-if-changed output for the generator.
#include "isa/gen/generated_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tessera::gen {

void write_files(const std::string& dir, const std::vector<GeneratedFile>& files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create directory: " + ec.message());
  for (const auto& f : files) {
    const fs::path path = fs::path(dir) / f.name;
    {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream old;
      if (in && (old << in.rdbuf(), old.str() == f.text)) continue;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << f.text;
    out.close();
    if (!out) throw std::runtime_error(path.string() + ": cannot write file");
  }
}

}  // namespace tessera::gen
