// Strict suite parsing: every key known, every value typed and in range, errors name the JSON path.
#include "regress/suite.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "compiler/import/random_network.h"
#include "isa/text_file.h"

namespace tessera::regress {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A JSON object being read: each key is taken once, and finish() refuses the ones nobody asked for.
class Obj {
 public:
  Obj(const json& j, std::string path, const std::string& file) : j_(j), path_(std::move(path)), file_(file) {
    if (!j.is_object()) fail(path_, "expected an object");
  }
  [[noreturn]] void fail(const std::string& path, const std::string& why) const {
    throw SuiteError(file_ + ": " + path + ": " + why);
  }
  std::string at(const std::string& key) const { return path_ + "." + key; }
  const json* get(const std::string& key) {
    seen_.insert(key);
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const json& need(const std::string& key) {
    const json* v = get(key);
    if (!v) fail(path_, "missing key '" + key + "'");
    return *v;
  }
  std::string str(const std::string& key, const std::string* dflt = nullptr) {
    const json* v = dflt ? get(key) : &need(key);
    if (!v) return *dflt;
    if (!v->is_string()) fail(at(key), "expected a string");
    return v->get<std::string>();
  }
  std::string choice(const std::string& key, const std::string& dflt, const std::vector<std::string>& allowed) {
    const std::string v = str(key, &dflt);
    std::string list;
    for (const auto& a : allowed) {
      if (a == v) return v;
      list += (list.empty() ? "" : ", ") + a;
    }
    fail(at(key), "'" + v + "' is not one of " + list);
  }
  int64_t integer(const std::string& key, int64_t dflt, int64_t lo, int64_t hi, bool required = false) {
    const json* v = required ? &need(key) : get(key);
    if (!v) return dflt;
    if (!v->is_number_integer()) fail(at(key), "expected an integer");
    const int64_t x = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX : v->get<int64_t>();
    if (x < lo || x > hi) fail(at(key), std::to_string(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
  }
  double number(const std::string& key, double dflt, double lo, double hi, bool required = false) {
    const json* v = required ? &need(key) : get(key);
    if (!v) return dflt;
    if (!v->is_number()) fail(at(key), "expected a number");
    const double x = v->get<double>();
    if (!(x >= lo && x <= hi)) fail(at(key), "value outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
  }
  bool boolean(const std::string& key, bool dflt) {
    const json* v = get(key);
    if (!v) return dflt;
    if (!v->is_boolean()) fail(at(key), "expected true or false");
    return v->get<bool>();
  }
  std::vector<std::string> strings(const std::string& key, const std::vector<std::string>& allowed) {
    const json& v = need(key);
    if (!v.is_array() || v.empty()) fail(at(key), "expected a non-empty array of strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string p = at(key) + "[" + std::to_string(i) + "]";
      if (!v[i].is_string()) fail(p, "expected a string");
      const std::string s = v[i].get<std::string>();
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(p, "'" + s + "' is not one of " + list);
      }
      if (std::find(out.begin(), out.end(), s) != out.end()) fail(p, "'" + s + "' is listed twice");
      out.push_back(s);
    }
    return out;
  }
  std::map<std::string, std::string> string_map(const std::string& key, bool required) {
    const json* v = required ? &need(key) : get(key);
    std::map<std::string, std::string> out;
    if (!v) return out;
    if (!v->is_object()) fail(at(key), "expected an object of NAME: path");
    for (const auto& [k, x] : v->items()) {
      if (!x.is_string()) fail(at(key) + "." + k, "expected a string");
      out[k] = x.get<std::string>();
    }
    return out;
  }
  // Unknown keys are errors: a misspelt key would otherwise silently fall back to a default.
  void finish() const {
    for (const auto& [k, v] : j_.items()) {
      (void)v;
      if (!seen_.count(k)) {
        std::string known;
        for (const auto& s : seen_) known += (known.empty() ? "" : ", ") + s;
        fail(path_, "unknown key '" + k + "' (known here: " + known + ")");
      }
    }
  }
  const std::string& path() const { return path_; }
  bool has(const std::string& key) const { return j_.contains(key); }

 private:
  const json& j_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> seen_;
};

const std::vector<std::string> kBackends = {"fsim", "rtl", "systemc"};

}  // namespace

const char* workload_kind_name(WorkloadKind k) {
  switch (k) {
    case WorkloadKind::NETWORK: return "network";
    case WorkloadKind::LAYER: return "layer";
    case WorkloadKind::ASM: return "asm";
    case WorkloadKind::COSIM: return "cosim";
  }
  return "?";
}

Suite parse_suite(const std::string& text, const std::string& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw SuiteError(file + ": not valid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  Suite s;
  s.file = file;
  const fs::path dir = fs::absolute(fs::path(file)).parent_path();
  Obj top(j, "$", file);
  s.name = top.str("name");
  s.root = fs::weakly_canonical(dir / top.str("root")).string();
  s.goldens = fs::weakly_canonical(dir / top.str("goldens")).string();
  s.tolerance_pct = top.number("tolerance_pct", 0.5, 0, 1000);
  if (!fs::is_directory(s.root + "/configs")) top.fail("$.root", "'" + s.root + "' has no configs/ folder");

  const json& entries = top.need("entries");
  if (!entries.is_array() || entries.empty()) top.fail("$.entries", "expected a non-empty array");
  std::set<std::string> ids;
  for (size_t i = 0; i < entries.size(); ++i) {
    Obj o(entries[i], "$.entries[" + std::to_string(i) + "]", file);
    Entry e;
    e.id = o.str("id");
    if (e.id.empty() || e.id.find_first_of("/ \t\n") != std::string::npos)
      o.fail(o.at("id"), "'" + e.id + "' must be non-empty without '/' or whitespace");
    if (!ids.insert(e.id).second) o.fail(o.at("id"), "duplicate id '" + e.id + "'");
    e.configs = o.strings("configs", {});
    for (size_t c = 0; c < e.configs.size(); ++c)
      if (!fs::exists(config_path(s, e.configs[c])))
        o.fail(o.at("configs") + "[" + std::to_string(c) + "]", "no config '" + e.configs[c] + "' in " + s.root + "/configs");
    e.backends = o.strings("backends", kBackends);
    e.tolerance_pct = o.number("tolerance_pct", s.tolerance_pct, 0, 1000);
    int kinds = 0;
    if (o.has("network") + o.has("layer") + o.has("asm") + o.has("cosim") != 1)
      o.fail(o.path(), "needs exactly one workload: network, layer, asm or cosim");
    if (const json* w = o.get("network")) {
      ++kinds, e.kind = WorkloadKind::NETWORK;
      Obj n(*w, o.at("network"), file);
      std::vector<std::string> archs;
      for (const auto& [name, arch] : compiler::network_archs()) archs.push_back(name);
      e.network.arch = n.choice("arch", "resnet18", archs);
      e.network.form = n.choice("form", "qoperator", {"qoperator", "qdq"});
      e.network.type = n.choice("type", "uint8", {"uint8", "int8"});
      e.network.input_size = int(n.integer("input_size", 224, 8, 1024));
      e.network.classes = int(n.integer("classes", 1000, 1, 100000));
      e.network.seed = uint64_t(n.integer("seed", 2026, 0, INT64_MAX));
      n.finish();
    }
    if (const json* w = o.get("layer")) {
      ++kinds, e.kind = WorkloadKind::LAYER;
      Obj l(*w, o.at("layer"), file);
      e.layer.kind = l.choice("kind", "conv2d", {"conv2d", "dense"});
      e.layer.type = l.choice("type", "uint8", {"uint8", "int8"});
      e.layer.c = l.integer("c", 0, 1, 1 << 16, true);
      e.layer.k = l.integer("k", 0, 1, 1 << 16, true);
      const bool dense = e.layer.kind == "dense";
      e.layer.hw = l.integer("hw", 1, 1, 4096, !dense);
      e.layer.kernel = int(l.integer("kernel", 1, 1, 64, !dense));
      e.layer.stride = int(l.integer("stride", 1, 1, 64));
      e.layer.pad = int(l.integer("pad", 0, 0, 64));
      e.layer.per_channel = l.boolean("per_channel", true);
      e.layer.relu = l.boolean("relu", true);
      e.layer.seed = uint64_t(l.integer("seed", 1, 0, INT64_MAX));
      l.finish();
    }
    if (const json* w = o.get("asm")) {
      ++kinds, e.kind = WorkloadKind::ASM;
      Obj a(*w, o.at("asm"), file);
      e.asm_program.program = a.str("program");
      e.asm_program.inputs = a.string_map("inputs", false);
      e.asm_program.expect = a.string_map("expect", false);
      for (const auto& p : {e.asm_program.program})
        if (!fs::exists(s.root + "/" + p)) a.fail(a.at("program"), "no file " + s.root + "/" + p);
      for (const auto* m : {&e.asm_program.inputs, &e.asm_program.expect})
        for (const auto& [name, p] : *m)
          if (!fs::exists(s.root + "/" + p)) a.fail(a.path() + "." + name, "no file " + s.root + "/" + p);
      a.finish();
    }
    if (const json* w = o.get("cosim")) {
      ++kinds, e.kind = WorkloadKind::COSIM;
      Obj c(*w, o.at("cosim"), file);
      e.cosim.seed = uint64_t(c.integer("seed", 1, 0, INT64_MAX));
      e.cosim.count = c.integer("count", 100, 1, 10000000);
      e.cosim.style = c.choice("style", "mixed", {"random", "pipeline", "mixed"});
      c.finish();
      if (e.backends != std::vector<std::string>{"rtl"})
        o.fail(o.at("backends"), "a cosim entry runs the RTL in lockstep with the fsim: backends must be [\"rtl\"]");
    }
    if (kinds != 1) o.fail(o.path(), "needs exactly one workload: network, layer, asm or cosim");
    o.finish();
    s.entries.push_back(std::move(e));
  }
  if (const json* f = top.get("figures")) {
    if (!f->is_array()) top.fail("$.figures", "expected an array");
    for (size_t i = 0; i < f->size(); ++i) {
      Obj o((*f)[i], "$.figures[" + std::to_string(i) + "]", file);
      Figure fig;
      fig.name = o.str("figure");
      fig.run = o.str("run");
      fig.metric = o.str("metric");
      fig.value = o.number("value", 0, -1e18, 1e18, true);
      fig.tolerance_pct = o.number("tolerance_pct", 1, 0, 1000);
      o.finish();
      bool known = false;
      for (const auto& r : expand_runs(s)) known |= r.id() == fig.run;
      if (!known) o.fail(o.at("run"), "'" + fig.run + "' is not a run of this suite (id/config/backend)");
      s.figures.push_back(fig);
    }
  }
  top.finish();
  return s;
}

Suite load_suite(const std::string& file) {
  const auto text = read_text_file(file);
  if (!text) throw SuiteError(file + ": cannot open the suite");
  return parse_suite(*text, file);
}

std::vector<Run> expand_runs(const Suite& s, const std::string& filter) {
  std::vector<Run> out;
  for (const Entry& e : s.entries)
    for (const auto& c : e.configs)
      for (const auto& b : e.backends) {
        Run r{&e, c, b};
        if (filter.empty() || r.id().find(filter) != std::string::npos) out.push_back(r);
      }
  return out;
}

std::string config_path(const Suite& s, const std::string& config) { return s.root + "/configs/" + config + ".json"; }

}  // namespace tessera::regress
