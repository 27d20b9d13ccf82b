// Strict parsing of a sweep spec: every key known, every value checked, errors naming file and JSON path.
#include "sweep/spec.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/import/random_network.h"
#include "isa/text_file.h"

namespace tessera::sweep {
namespace {

using json = nlohmann::ordered_json;

std::string read_text(const std::string& path, const std::string& who) {
  auto text = read_text_file(path);
  if (!text) throw SpecError(who + ": cannot read " + path);
  return *text;
}

struct Ctx {
  std::string file;
  [[noreturn]] void fail(const std::string& path, const std::string& why) const {
    throw SpecError(file + ": " + (path.empty() ? "/" : path) + ": " + why);
  }
  void keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) const {
    if (!obj.is_object()) fail(path, "expected an object");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok |= it.key() == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        fail(path + "/" + it.key(), "unknown key (expected one of: " + list + ")");
      }
    }
  }
  std::string str(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "expected a string");
    return v.get<std::string>();
  }
  double num(const json& v, const std::string& path) const {
    if (!v.is_number()) fail(path, "expected a number");
    return v.get<double>();
  }
  int64_t integer(const json& v, const std::string& path) const {
    if (!v.is_number_integer() && !(v.is_number() && std::floor(v.get<double>()) == v.get<double>()))
      fail(path, "expected an integer");
    return v.get<int64_t>();
  }
};

bool is_pow2(double v) { return v >= 1 && std::floor(v) == v && (int64_t(v) & (int64_t(v) - 1)) == 0; }

std::string resolve(const std::string& dir, const std::string& p) {
  if (p.empty() || p[0] == '/' || dir.empty()) return p;
  return dir + "/" + p;
}

Axis parse_axis(const Ctx& c, const std::string& field, const json& v, const std::string& path) {
  bool pow2 = false, known = false;
  for (const auto& f : config_fields())
    if (f.first == field) known = true, pow2 = f.second;
  if (!known) {
    std::string list;
    for (const auto& f : config_fields()) list += (list.empty() ? "" : ", ") + f.first;
    c.fail(path, "unknown config field (sweepable: " + list + ")");
  }
  const bool integral = field != "clock_mhz";
  Axis a{field, {}};
  if (v.is_array()) {
    if (v.empty()) c.fail(path, "empty list of values");
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string p = path + "/" + std::to_string(i);
      const double x = integral ? double(c.integer(v[i], p)) : c.num(v[i], p);
      if (pow2 && !is_pow2(x)) c.fail(p, "must be a power of two (" + field + ")");
      if (std::find(a.values.begin(), a.values.end(), x) != a.values.end()) c.fail(p, "value listed twice");
      a.values.push_back(x);
    }
    return a;
  }
  if (!v.is_object()) c.fail(path, "expected a list of values or a range {\"from\", \"to\", \"step\"|\"times\"}");
  c.keys(v, path, {"from", "to", "step", "times"});
  if (!v.contains("from") || !v.contains("to")) c.fail(path, "a range needs \"from\" and \"to\"");
  const double from = integral ? double(c.integer(v["from"], path + "/from")) : c.num(v["from"], path + "/from");
  const double to = integral ? double(c.integer(v["to"], path + "/to")) : c.num(v["to"], path + "/to");
  if (to < from) c.fail(path + "/to", "below \"from\"");
  if (v.contains("step") && v.contains("times")) c.fail(path, "give \"step\" or \"times\", not both");
  if (pow2) {
    if (v.contains("step")) c.fail(path + "/step", field + " must be a power of two: use \"times\" (a power of two >= 2)");
    if (!is_pow2(from)) c.fail(path + "/from", "must be a power of two (" + field + ")");
    if (!is_pow2(to)) c.fail(path + "/to", "must be a power of two (" + field + ")");
  }
  if (v.contains("times") || (pow2 && !v.contains("step"))) {
    const double t = v.contains("times") ? double(c.integer(v["times"], path + "/times")) : 2;
    if (t < 2 || (pow2 && !is_pow2(t))) c.fail(path + "/times", pow2 ? "must be a power of two >= 2" : "must be >= 2");
    if (from <= 0) c.fail(path + "/from", "a geometric range starts above 0");
    for (double x = from; x <= to; x *= t) a.values.push_back(x);
  } else {
    if (!v.contains("step")) c.fail(path, "a range of " + field + " needs \"step\" (or \"times\")");
    const double s = integral ? double(c.integer(v["step"], path + "/step")) : c.num(v["step"], path + "/step");
    if (s <= 0) c.fail(path + "/step", "must be positive");
    for (double x = from; x <= to + 1e-9; x += s) a.values.push_back(x);
  }
  if (a.values.size() > 4096) c.fail(path, "more than 4096 values");
  return a;
}

}  // namespace

const std::vector<std::pair<std::string, bool>>& config_fields() {
  static const std::vector<std::pair<std::string, bool>> fields = [] {
    std::vector<std::pair<std::string, bool>> v;
#define TESSERA_CONFIG_KEY(section, key, member, type, lo, hi, flag, doc) \
  if (std::string(#type) != "STRING") v.push_back({std::string(#section).empty() ? #key : #section "." #key, std::string(#type) == "INT" && (flag)});
#include "isa/config_schema.def"
#undef TESSERA_CONFIG_KEY
    return v;
  }();
  return fields;
}

Spec parse_spec(const std::string& text, const std::string& file) {
  const Ctx c{file};
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw SpecError(file + ": invalid JSON: " + e.what());
  }
  c.keys(j, "", {"name", "description", "base", "space", "constraints", "workloads", "objectives", "search_objective",
                 "verify", "board"});
  Spec s;
  s.file = file;
  const size_t slash = file.find_last_of('/');
  s.dir = slash == std::string::npos ? "." : file.substr(0, slash);
  s.name = j.contains("name") ? c.str(j["name"], "/name") : "sweep";
  if (s.name.empty() || s.name.size() > 40 || s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
    c.fail("/name", "must match [a-z0-9_]{1,40}");
  if (j.contains("description")) c.str(j["description"], "/description");

  if (!j.contains("base")) c.fail("/base", "missing: a config file path or an inline config object");
  if (j["base"].is_string()) {
    s.base_origin = resolve(s.dir, j["base"].get<std::string>());
    try {
      s.base = json::parse(read_text(s.base_origin, file + ": /base"));
    } catch (const json::parse_error& e) {
      c.fail("/base", s.base_origin + ": invalid JSON: " + e.what());
    }
  } else if (j["base"].is_object()) {
    s.base = j["base"], s.base_origin = file + ": /base";
  } else {
    c.fail("/base", "expected a config file path or an inline config object");
  }

  if (j.contains("board")) {  // the target board's DRAM: overrides the base config's dram section
    const json& b = j["board"];
    c.keys(b, "/board", {"dram_latency_cycles", "dram_bytes_per_cycle", "dram_max_outstanding"});
    const std::pair<const char*, const char*> map[] = {{"dram_latency_cycles", "latency_cycles"},
                                                       {"dram_bytes_per_cycle", "bytes_per_cycle"},
                                                       {"dram_max_outstanding", "max_outstanding"}};
    for (const auto& m : map)
      if (b.contains(m.first)) {
        const int64_t v = c.integer(b[m.first], std::string("/board/") + m.first);
        if (v < 1) c.fail(std::string("/board/") + m.first, "must be >= 1");
        if (!s.base.contains("dram") || !s.base["dram"].is_object()) c.fail("/base", "has no dram section");
        s.base["dram"][m.second] = v;
      }
  }

  if (j.contains("space")) {
    if (!j["space"].is_object()) c.fail("/space", "expected an object of config field -> values");
    for (auto it = j["space"].begin(); it != j["space"].end(); ++it)
      s.axes.push_back(parse_axis(c, it.key(), it.value(), "/space/" + it.key()));
  }
  if (j.contains("constraints")) {
    if (!j["constraints"].is_array()) c.fail("/constraints", "expected a list of expressions");
    for (size_t i = 0; i < j["constraints"].size(); ++i) {
      const std::string p = "/constraints/" + std::to_string(i);
      const std::string t = c.str(j["constraints"][i], p);
      s.constraints.push_back({t, parse_expr(t, file + ": " + p)});
    }
  }

  if (!j.contains("workloads") || !j["workloads"].is_array() || j["workloads"].empty())
    c.fail("/workloads", "expected a non-empty list of workloads");
  std::set<std::string> names;
  for (size_t i = 0; i < j["workloads"].size(); ++i) {
    const std::string p = "/workloads/" + std::to_string(i);
    const json& w = j["workloads"][i];
    c.keys(w, p, {"name", "onnx", "model", "table", "builtin", "pointwise_only", "weight"});
    Workload wl;
    int kinds = 0;
    const std::pair<const char*, WorkloadKind> kmap[] = {{"onnx", WorkloadKind::ONNX}, {"model", WorkloadKind::MODEL},
                                                         {"table", WorkloadKind::TABLE}, {"builtin", WorkloadKind::BUILTIN}};
    for (const auto& k : kmap)
      if (w.contains(k.first)) ++kinds, wl.kind = k.second, wl.path = c.str(w[k.first], p + "/" + k.first);
    if (kinds != 1) c.fail(p, "give exactly one of \"onnx\" (a network), \"model\" (a layer .onnx/.json), \"table\" (a workload .csv), \"builtin\"");
    if (wl.kind == WorkloadKind::BUILTIN) {
      if (!compiler::network_archs().count(wl.path)) {
        std::string names;
        for (const auto& [name, arch] : compiler::network_archs()) names += (names.empty() ? "" : ", ") + name;
        c.fail(p + "/builtin", "unknown network (" + names + ": random calibrated weights)");
      }
    } else {
      wl.path = resolve(s.dir, wl.path);
      if (!std::ifstream(wl.path)) c.fail(p, "cannot read " + wl.path);
    }
    if (w.contains("pointwise_only")) {
      if (!w["pointwise_only"].is_boolean()) c.fail(p + "/pointwise_only", "expected true or false");
      if (wl.kind != WorkloadKind::TABLE) c.fail(p + "/pointwise_only", "only for \"table\" workloads");
      wl.pointwise_only = w["pointwise_only"].get<bool>();
    }
    if (w.contains("weight")) {
      wl.weight = c.num(w["weight"], p + "/weight");
      if (wl.weight <= 0) c.fail(p + "/weight", "must be positive");
    }
    std::string base = wl.path.substr(wl.path.find_last_of('/') + 1);
    base = base.substr(0, base.find('.'));
    wl.name = w.contains("name") ? c.str(w["name"], p + "/name") : base;
    if (!names.insert(wl.name).second) c.fail(p + "/name", "workload name '" + wl.name + "' used twice");
    s.workloads.push_back(wl);
  }

  const std::set<std::string> known_obj = {"latency", "throughput", "dram_bytes", "sram_bytes", "lut", "ff", "dsp", "bram"};
  if (j.contains("objectives")) {
    if (!j["objectives"].is_array() || j["objectives"].empty()) c.fail("/objectives", "expected a non-empty list");
    for (size_t i = 0; i < j["objectives"].size(); ++i) {
      const std::string o = c.str(j["objectives"][i], "/objectives/" + std::to_string(i));
      if (!known_obj.count(o))
        c.fail("/objectives/" + std::to_string(i), "unknown objective '" + o + "' (latency, throughput, dram_bytes, sram_bytes, lut, ff, dsp, bram)");
      s.objectives.push_back(o);
    }
  } else {
    s.objectives = {"latency", "lut"};
  }
  if (j.contains("search_objective")) {
    s.search_objective = c.str(j["search_objective"], "/search_objective");
    if (s.search_objective != "latency" && s.search_objective != "dram") c.fail("/search_objective", "expected \"latency\" or \"dram\"");
  }
  if (j.contains("verify")) {
    const json& v = j["verify"];
    c.keys(v, "/verify", {"pareto", "top", "points"});
    if (v.contains("pareto")) {
      if (!v["pareto"].is_boolean()) c.fail("/verify/pareto", "expected true or false");
      s.verify.pareto = v["pareto"].get<bool>();
    }
    if (v.contains("top")) {
      s.verify.top = int(c.integer(v["top"], "/verify/top"));
      if (s.verify.top < 0) c.fail("/verify/top", "must be >= 0");
    }
    if (v.contains("points")) {
      if (!v["points"].is_array()) c.fail("/verify/points", "expected a list of point ids");
      for (size_t i = 0; i < v["points"].size(); ++i) s.verify.points.push_back(c.str(v["points"][i], "/verify/points/" + std::to_string(i)));
    }
  }
  return s;
}

Spec load_spec(const std::string& path) { return parse_spec(read_text(path, "sweep"), path); }

}  // namespace tessera::sweep
