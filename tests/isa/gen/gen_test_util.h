// Helpers for tests that run tessera_gen and external tools: a per-process scratch dir, run, slurp.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tessera::gen_test {

namespace fs = std::filesystem;

// This process's scratch directory, removed when the test binary exits.
inline const fs::path& scratch() {
  static const struct Scratch {
    fs::path path = fs::temp_directory_path() / ("tessera_gen_test_" + std::to_string(getpid()));
    ~Scratch() { fs::remove_all(path); }
  } s;
  return s.path;
}

struct CmdResult {
  int rc;
  std::string output;  // stdout and stderr
};
inline CmdResult run(const std::string& cmd) {
  CmdResult r{-1, ""};
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  r.rc = pclose(p);
  return r;
}

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace tessera::gen_test
