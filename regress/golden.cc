// Golden store I/O and the comparison rules of `tessera regress`.
#include "regress/golden.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "isa/text_file.h"

namespace tessera::regress {

using ojson = nlohmann::ordered_json;

Goldens read_goldens(const std::string& path) {
  const auto text = read_text_file(path);
  if (!text) return ojson::object();
  try {
    ojson g = ojson::parse(*text);
    if (!g.is_object()) throw std::runtime_error("expected an object of runs");
    for (const auto& [run, metrics] : g.items())
      if (!metrics.is_object()) throw std::runtime_error("run '" + run + "' is not an object of metrics");
    return g;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": malformed goldens: " + e.what());
  }
}

std::string goldens_text(const Goldens& g) {
  std::string out = "{\n";
  size_t i = 0;
  for (const auto& [run, metrics] : g.items()) {
    out += "  " + ojson(run).dump() + ": {\n";
    size_t k = 0;
    for (const auto& [name, v] : metrics.items())
      out += "    " + ojson(name).dump() + ": " + v.dump() + (++k < metrics.size() ? ",\n" : "\n");
    out += std::string("  }") + (++i < g.size() ? ",\n" : "\n");
  }
  return out + "}\n";
}

void write_goldens(const std::string& path, const Goldens& g) {
  std::ofstream f(path);
  f << goldens_text(g);
  if (!f.flush()) throw std::runtime_error(path + ": cannot write the goldens");
}

namespace {
bool ends_with(const std::string& s, const std::string& t) {
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}
}  // namespace

MetricKind metric_kind(const std::string& m) {
  if (ends_with(m, "hash")) return MetricKind::HASH;
  if (ends_with(m, "cycles")) return MetricKind::CYCLES;
  if (ends_with(m, "dram_bytes")) return MetricKind::BYTES;
  if (m == "checked_against" || m == "schedule") return MetricKind::INFO;
  return MetricKind::EXACT;
}

const char* status_name(Status s) {
  switch (s) {
    case Status::SAME: return "same";
    case Status::MOVED: return "moved";
    case Status::IMPROVED: return "improved";
    case Status::WORSE: return "WORSE";
    case Status::WRONG: return "WRONG";
    case Status::NEW: return "new";
    case Status::GONE: return "GONE";
    case Status::ERROR: return "ERROR";
  }
  return "?";
}

Verdict compare(const Measurement& m, const ojson* golden, double tol) {
  Verdict v;
  v.run = m.run, v.seconds = m.seconds, v.tolerance_pct = tol;
  if (!m.ok) {
    v.failed = true;
    v.failure = "error: " + m.error;
    return v;
  }
  if (!golden) {
    v.failed = true;
    v.failure = "no goldens recorded for this run (tessera regress --update records them)";
  }
  std::string first_wrong_tensor, wrong_metric;
  int worse = 0, gone = 0, exact = 0, later_wrong = 0;
  for (const auto& [name, now] : m.metrics.items()) {
    Delta d;
    d.metric = name, d.new_value = now;
    const MetricKind kind = metric_kind(name);
    if (!golden) continue;
    const auto it = golden->find(name);
    if (it == golden->end()) {
      d.status = kind == MetricKind::INFO ? Status::SAME : Status::NEW;
      if (d.status == Status::NEW) v.moved.push_back(d);
      continue;
    }
    d.old_value = *it;
    if (*it == now) continue;
    switch (kind) {
      case MetricKind::INFO: d.status = Status::MOVED; break;
      case MetricKind::HASH:
        d.status = Status::WRONG;
        if (name.rfind("tensor ", 0) == 0) {
          // Only the first differing tensor is listed; the ones computed from it are counted.
          if (!first_wrong_tensor.empty()) {
            ++later_wrong;
            continue;
          }
          first_wrong_tensor = name.substr(7, name.size() - 7 - 5);
        }
        if (wrong_metric.empty()) wrong_metric = name;
        break;
      case MetricKind::CYCLES:
      case MetricKind::BYTES: {
        const double o = it->is_number() ? it->get<double>() : 0, n = now.is_number() ? now.get<double>() : 0;
        d.pct = o != 0 ? 100.0 * (n - o) / o : (n != 0 ? 100.0 : 0.0);
        d.status = d.pct > tol ? Status::WORSE : d.pct < -tol ? Status::IMPROVED : Status::MOVED;
        worse += d.status == Status::WORSE;
        break;
      }
      case MetricKind::EXACT: d.status = Status::WRONG, ++exact; break;
    }
    v.moved.push_back(d);
  }
  if (golden)
    for (const auto& [name, old] : golden->items())
      if (!m.metrics.contains(name) && metric_kind(name) != MetricKind::INFO) {
        Delta d;
        d.metric = name, d.old_value = old, d.status = Status::GONE;
        v.moved.push_back(d);
        ++gone;
      }
  if (!v.failed) {
    if (!first_wrong_tensor.empty()) {
      const auto by = m.producers.find(first_wrong_tensor);
      v.failure = "wrong output: first differing tensor '" + first_wrong_tensor + "'" +
                  (by != m.producers.end() ? ", written by step '" + by->second + "'" : "") +
                  (later_wrong ? " (and " + std::to_string(later_wrong) + " tensors after it)" : "");
    }
    else if (!wrong_metric.empty()) v.failure = "wrong output: " + wrong_metric + " differs";
    else if (exact) v.failure = std::to_string(exact) + " exact metric(s) changed";
    else if (worse) {
      std::string names;
      for (const Delta& d : v.moved)
        if (d.status == Status::WORSE) {
          char pct[32];
          std::snprintf(pct, sizeof pct, " %+.2f%%", d.pct);
          names += (names.empty() ? "" : ", ") + d.metric + pct;
        }
      char t[32];
      std::snprintf(t, sizeof t, "%.2f%%", tol);
      v.failure = std::to_string(worse) + " metric(s) worse than the tolerance " + t + ": " + names;
    } else if (gone) v.failure = std::to_string(gone) + " recorded metric(s) no longer measured (steps changed?)";
    v.failed = !v.failure.empty();
  }
  return v;
}

std::vector<FigureCheck> check_figures(const Suite& s, const std::vector<Measurement>& ms) {
  std::vector<FigureCheck> out;
  for (const Figure& f : s.figures) {
    FigureCheck c;
    c.figure = f;
    for (const Measurement& m : ms)
      if (m.run == f.run && m.ok && m.metrics.contains(f.metric) && m.metrics.at(f.metric).is_number()) {
        c.checked = true;
        c.measured = m.metrics.at(f.metric).get<double>();
        c.pct = f.value != 0 ? 100.0 * (c.measured - f.value) / f.value : 0;
        c.ok = std::fabs(c.pct) <= f.tolerance_pct;
      }
    out.push_back(c);
  }
  return out;
}

}  // namespace tessera::regress
