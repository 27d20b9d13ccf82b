// Enumeration of sweep points: mixed-radix decoding of the axes, constraints, config overrides.
#include "sweep/space.h"

#include <cmath>
#include <algorithm>
#include <cstdio>

namespace tessera::sweep {

std::string hash_hex(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

Space::Space(const Spec& spec) : spec_(spec) {
  for (const Axis& a : spec.axes) {
    if (size_ > (int64_t{1} << 40) / int64_t(a.values.size()))
      throw SpecError(spec.file + ": /space: more than 2^40 points");
    size_ *= int64_t(a.values.size());
  }
}

std::optional<Point> Space::at(int64_t index) const {
  Point p;
  p.index = index;
  p.values.resize(spec_.axes.size());
  int64_t rest = index;
  for (size_t i = spec_.axes.size(); i-- > 0;) {
    const auto n = int64_t(spec_.axes[i].values.size());
    p.values[i] = {spec_.axes[i].field, spec_.axes[i].values[size_t(rest % n)]};
    rest /= n;
  }
  if (!spec_.constraints.empty()) {
    // Constraints see every field: the swept value, or the base config's.
    std::vector<std::pair<std::string, double>> vars = p.values;
    for (const auto& f : config_fields()) {
      bool swept = false;
      for (const auto& v : p.values) swept |= v.first == f.first;
      if (swept) continue;
      const size_t dot = f.first.find('.');
      const auto& node = dot == std::string::npos ? spec_.base.value(f.first, nlohmann::ordered_json())
                                                  : spec_.base.value(f.first.substr(0, dot), nlohmann::ordered_json::object())
                                                        .value(f.first.substr(dot + 1), nlohmann::ordered_json());
      if (node.is_number()) vars.push_back({f.first, node.get<double>()});
    }
    for (const Constraint& c : spec_.constraints)
      if (eval_constraint(*c.expr, vars) == 0) return std::nullopt;
  }
  std::vector<std::string> parts;  // sorted: the id does not depend on the order of the axes
  p.config = spec_.base;
  for (const auto& [field, value] : p.values) {
    const size_t dot = field.find('.');
    nlohmann::ordered_json v = field == "clock_mhz" ? nlohmann::ordered_json(value) : nlohmann::ordered_json(int64_t(value));
    if (dot == std::string::npos) p.config[field] = v;
    else p.config[field.substr(0, dot)][field.substr(dot + 1)] = v;
    parts.push_back(field + "=" + v.dump());
  }
  std::sort(parts.begin(), parts.end());
  std::string canon;
  for (const std::string& s : parts) canon += s + ";";
  p.id = hash_hex(canon);
  p.config["name"] = spec_.name + "_" + p.id.substr(0, 8);
  p.config["description"] = "sweep " + spec_.name + " point " + canon;
  return p;
}

std::vector<Point> Space::points(int64_t begin, int64_t end) const {
  std::vector<Point> out;
  for (int64_t i = begin; i < end && i < size_; ++i)
    if (auto p = at(i)) out.push_back(std::move(*p));
  return out;
}

}  // namespace tessera::sweep
