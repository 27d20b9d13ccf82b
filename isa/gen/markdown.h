// Minimal Markdown table builder shared by the doc generators.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace tessera::gen {

class MdTable {
 public:
  explicit MdTable(std::vector<std::string> header) : cols_(header.size()) { row(header, true); }
  MdTable& row(const std::vector<std::string>& cells, bool header = false) {
    os_ << "|";
    for (const auto& c : cells) os_ << " " << escape(c) << " |";
    os_ << "\n";
    if (header) {
      os_ << "|";
      for (size_t i = 0; i < cols_; ++i) os_ << "---|";
      os_ << "\n";
    }
    return *this;
  }
  std::string str() const { return os_.str() + "\n"; }

 private:
  static std::string escape(const std::string& s) {
    std::string out;
    for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return out;
  }
  size_t cols_;
  std::ostringstream os_;
};

inline std::string code(const std::string& s) { return "`" + s + "`"; }

}  // namespace tessera::gen
