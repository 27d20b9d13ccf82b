// The shared workload tables (../shared/workloads/*.csv: net,idx,layer,N,C,H,W,K,R,S,stride,pad,
// groups,...) read as unique conv shapes, for the search validation, the shipped schedules and the sweep.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessera::workloads {

struct Shape {
  std::string name;
  int64_t c, hw, k, kernel, stride, pad;
  bool shrunk = false;
};

// Unique conv shapes of a workload table; `pointwise_only` keeps 1x1 ungrouped convs.
inline std::vector<Shape> read_workload(const std::string& path, bool pointwise_only, int64_t max_hw, int64_t max_c) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open workload table");
  std::string line;
  std::getline(f, line);
  std::vector<Shape> out;
  std::set<std::vector<int64_t>> seen;
  while (std::getline(f, line)) {
    std::vector<std::string> col;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) col.push_back(x);
    if (col.size() < 16) continue;
    const auto num = [&](int i) { return std::stoll(col[size_t(i)]); };
    const int64_t n = num(3), c = num(4), h = num(5), k = num(7), r = num(8), stride = num(10), pad = num(11), groups = num(12);
    if (groups != 1 || n != 1 || h == 1 || (pointwise_only && r != 1)) continue;
    Shape s{col[2], std::min(c, max_c), std::min(h, max_hw), std::min(k, max_c), r, stride, pad};
    s.shrunk = s.c != c || s.hw != h || s.k != k;
    if (seen.insert({s.c, s.hw, s.k, s.kernel, s.stride, s.pad}).second) out.push_back(s);
  }
  return out;
}

}  // namespace tessera::workloads
