// Non-dominated sorting of sweep points (see pareto.h).
#include "sweep/pareto.h"

#include <algorithm>

namespace tessera::sweep {

using json = nlohmann::ordered_json;

bool objective_value(const json& p, const std::string& o, double& v) {
  if (p.value("status", "") != "ok") return false;
  const auto get = [&](const json& j, const char* k) {
    if (!j.is_object() || !j.contains(k) || !j[k].is_number()) return false;
    v = j[k].get<double>();
    return true;
  };
  const json area = p.value("area", json());
  if (o == "latency") return get(p, "cycles");
  if (o == "throughput") return get(p, "throughput") && (v = -v, true);
  if (o == "dram_bytes") return get(p, "dram_bytes");
  if (o == "sram_bytes") return get(p, "sram_bytes");
  if (o == "lut") return get(area, "luts");
  if (o == "ff") return get(area, "ffs");
  if (o == "dsp") return get(area, "dsp48e1");
  if (o == "bram") return get(area, "bram36");
  return false;
}

std::vector<size_t> pareto_front(const std::vector<json>& points, const std::vector<std::string>& objectives) {
  std::vector<std::vector<double>> f;
  std::vector<size_t> idx;
  for (size_t i = 0; i < points.size(); ++i) {
    std::vector<double> v(objectives.size());
    bool ok = true;
    for (size_t k = 0; k < objectives.size() && ok; ++k) ok = objective_value(points[i], objectives[k], v[k]);
    if (ok) f.push_back(v), idx.push_back(i);
  }
  std::vector<size_t> order(f.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Lexicographic; equal points keep their input order, so ties resolve the same way for any objective order.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return f[a] < f[b]; });
  std::vector<size_t> front;  // positions in f
  for (size_t i : order) {
    bool dominated = false;
    for (size_t j : front) {  // earlier in lexicographic order: only they can dominate
      bool all_le = true, equal = true;
      for (size_t k = 0; k < f[i].size(); ++k) all_le &= f[j][k] <= f[i][k], equal &= f[j][k] == f[i][k];
      if (all_le && !equal) { dominated = true; break; }
      if (equal) { dominated = true; break; }  // duplicates: keep the first
    }
    if (!dominated) front.push_back(i);
  }
  std::vector<size_t> out;
  for (size_t i : front) out.push_back(idx[i]);
  return out;
}

}  // namespace tessera::sweep
