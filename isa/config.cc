// Strict JSON config loading (no defaults, no aliases), derivation of all parameters, canonical hash.
#include "isa/config.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "isa/text_file.h"

namespace tessera {
namespace {

using json = nlohmann::json;

bool is_pow2(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }
int log2_exact(int64_t v) {
  int l = 0;
  while ((int64_t{1} << l) < v) ++l;
  return l;
}

[[noreturn]] void fail(const std::string& origin, const std::string& path, const std::string& why) {
  throw ConfigError(origin + ": " + (path.empty() ? "/" : path) + ": " + why);
}

// Walks one JSON object, checking that exactly the expected keys exist with the right types.
class StrictObject {
 public:
  StrictObject(const json& j, std::string origin, std::string path)
      : j_(j), origin_(std::move(origin)), path_(std::move(path)) {
    if (!j_.is_object()) fail(origin_, path_, "expected an object, got " + std::string(j_.type_name()));
  }
  const json& get(const std::string& key) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) fail(origin_, path_ + "/" + key, "missing required key");
    return *it;
  }
  std::string str(const std::string& key, bool identifier) {
    const json& v = get(key);
    if (!v.is_string()) fail(origin_, path_ + "/" + key, "expected a string, got " + std::string(v.type_name()));
    std::string x = v.get<std::string>();
    if (identifier && (x.empty() || x.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos))
      fail(origin_, path_ + "/" + key, "must be a non-empty identifier of [a-z0-9_] (it names generated files)");
    return x;
  }
  int64_t integer(const std::string& key, int64_t lo, int64_t hi, bool pow2) {
    const json& v = get(key);
    const std::string p = path_ + "/" + key;
    if (!v.is_number_integer())
      fail(origin_, p, "expected an integer, got " + std::string(v.is_number() ? "a fractional number" : v.type_name()));
    const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX : v.get<int64_t>();
    if (x < lo || x > hi)
      fail(origin_, p, "value " + std::to_string(x) + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    if (pow2 && !is_pow2(x)) fail(origin_, p, "must be a power of two (got " + std::to_string(x) + ")");
    return x;
  }
  double number(const std::string& key, double lo, double hi) {
    const json& v = get(key);
    const std::string p = path_ + "/" + key;
    if (!v.is_number()) fail(origin_, p, "expected a number, got " + std::string(v.type_name()));
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) {
      std::ostringstream os;
      os << "value " << x << " out of range [" << lo << ", " << hi << "]";
      fail(origin_, p, os.str());
    }
    return x;
  }
  StrictObject child(const std::string& key) { return StrictObject(get(key), origin_, path_ + "/" + key); }
  // Call after reading every key: anything left over is an unknown key.
  void finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) fail(origin_, path_ + "/" + it.key(), "unknown key");
  }

 private:
  const json& j_;
  std::string origin_, path_;
  std::set<std::string> seen_;
};

// Opens each section of the schema when its first key is read and checks it for unknown keys as soon
// as the table moves on, so the first error reported is the first one in file order.
class SectionCursor {
 public:
  explicit SectionCursor(StrictObject& root) : root_(root) {}
  StrictObject& at(const std::string& section) {
    if (open_ && name_ != section) close();
    if (section.empty()) return root_;
    if (!open_) {
      open_.emplace(root_.child(section));
      name_ = section;
    }
    return *open_;
  }
  void close() {
    if (open_) open_->finish();
    open_.reset();
  }

 private:
  StrictObject& root_;
  std::optional<StrictObject> open_;
  std::string name_;
};

// One reader per schema type (the TYPE column of isa/config_schema.def).
void read_STRING(StrictObject& o, const char* key, int, int, bool identifier, std::string& out) {
  out = o.str(key, identifier);
}
template <typename T>
void read_INT(StrictObject& o, const char* key, int64_t lo, int64_t hi, bool pow2, T& out) {
  out = static_cast<T>(o.integer(key, lo, hi, pow2));
}
void read_NUMBER(StrictObject& o, const char* key, double lo, double hi, bool, double& out) {
  out = o.number(key, lo, hi);
}

json parse_json_text(const std::string& text, const std::string& origin) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann reports a byte offset; turn it into line:column for humans.
    size_t line = 1, col = 1;
    for (size_t i = 0; i < text.size() && i + 1 < e.byte; ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    std::string msg = e.what();
    const auto p = msg.find("parse error");
    throw ConfigError(origin + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON: " +
                      (p == std::string::npos ? msg : msg.substr(p)));
  } catch (const json::exception& e) {  // e.g. out_of_range 406: a number literal beyond double's range
    throw ConfigError(origin + ": invalid JSON: " + e.what());
  }
}

std::string read_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) throw ConfigError(path + ": cannot open file");
  return *text;
}

// Insertion-ordered so written configs keep the configs/ key order. Strings are labels, not hardware.
nlohmann::ordered_json hw_json(const HwConfig& c, bool include_names) {
  nlohmann::ordered_json j;
  auto put = [&j](const char* section, const char* key, const auto& value) { (*section ? j[section] : j)[key] = value; };
#define TESSERA_CONFIG_KEY(SEC, KEY, MEMBER, TYPE, LO, HI, FLAG, DOC) \
  if (include_names || std::string(#TYPE) != "STRING") put(#SEC, #KEY, c.MEMBER);
#include "isa/config_schema.def"
#undef TESSERA_CONFIG_KEY
  return j;
}

SramGeometry geometry(const std::string& origin, const char* key, int64_t bytes, int64_t elem_bytes) {
  SramGeometry g;
  g.elem_bytes = elem_bytes;
  if (bytes < 2 * elem_bytes)
    fail(origin, std::string("/sram_bytes/") + key,
         std::to_string(bytes) + " bytes hold fewer than two " + std::to_string(elem_bytes) +
             "-byte elements; the buffer cannot hold one tile plus its double buffer");
  g.depth = bytes / elem_bytes;
  g.idx_bits = log2_exact(g.depth);
  return g;
}

}  // namespace

HwConfig parse_config(const std::string& json_text, const std::string& origin) {
  const json j = parse_json_text(json_text, origin);
  HwConfig c;
  StrictObject root(j, origin, "");
  SectionCursor in(root);
#define TESSERA_CONFIG_KEY(SEC, KEY, MEMBER, TYPE, LO, HI, FLAG, DOC) read_##TYPE(in.at(#SEC), #KEY, LO, HI, FLAG, c.MEMBER);
#include "isa/config_schema.def"
#undef TESSERA_CONFIG_KEY
  in.close();
  root.finish();

  // Rules across keys (listed as TESSERA_CONFIG_RULE in the schema for the docs).
  if (c.dram_bytes_per_cycle > c.dram_bus_bits / 8)
    fail(origin, "/dram/bytes_per_cycle",
         std::to_string(c.dram_bytes_per_cycle) + " exceeds the bus width of " + std::to_string(c.dram_bus_bits / 8) +
             " bytes per cycle");
  return c;
}

HwConfig load_config_file(const std::string& path) { return parse_config(read_file(path), path); }

DerivedConfig derive(const HwConfig& c, const std::string& origin) {
  DerivedConfig d;
  d.hw = c;
  d.out_bits = c.inp_bits;
  d.inp = geometry(origin, "inp", c.inp_bytes, int64_t(c.batch) * c.block_in * c.inp_bits / 8);
  d.wgt = geometry(origin, "wgt", c.wgt_bytes, int64_t(c.block_out) * c.block_in * c.wgt_bits / 8);
  d.acc = geometry(origin, "acc", c.acc_bytes, int64_t(c.batch) * c.block_out * c.acc_bits / 8);
  d.out = d.acc;
  d.out.elem_bytes = int64_t(c.batch) * c.block_out * d.out_bits / 8;
  d.acc8 = d.acc;
  d.acc8.elem_bytes = int64_t(c.batch) * c.block_out;  // int8 in DRAM, sign-extended into the acc SRAM

  // The micro-op width follows from the data buffers' index widths, and the micro-op buffer's
  // depth from that width, so the layout is computed once for the width and once in full.
  if (c.depthwise && c.block_in != c.block_out)
    fail(origin, "/gemm/depthwise",
         "the depthwise mode needs block_in = block_out (a weight row holds one tap of BLOCK_IN channels); got " +
             std::to_string(c.block_in) + " x " + std::to_string(c.block_out));
  if (c.depthwise && d.inp.depth < c.block_out)
    fail(origin, "/gemm/depthwise",
         "the depthwise mode reads BLOCK_OUT = " + std::to_string(c.block_out) + " input elements at once; the input "
             "buffer holds only " + std::to_string(d.inp.depth));

  IndexWidths idx{0, d.inp.idx_bits, d.wgt.idx_bits, d.acc.idx_bits, c.depthwise};
  const int uop_bits = compute_layout(idx).uop_bits;
  d.uop = geometry(origin, "uop", c.uop_bytes, uop_bits / 8);
  idx.uop = d.uop.idx_bits;
  d.layout = compute_layout(idx);

  // Bus beats must carry whole elements or whole fractions of one, so DMA never splits a beat.
  const int64_t bus_bytes = c.dram_bus_bits / 8;
  for (const auto* g : {&d.inp, &d.wgt, &d.acc, &d.out, &d.acc8, &d.uop}) {
    if (g->elem_bytes % bus_bytes != 0 && bus_bytes % g->elem_bytes != 0)
      fail(origin, "/dram/bus_bits", "bus of " + std::to_string(bus_bytes) + " bytes and SRAM element of " +
                                         std::to_string(g->elem_bytes) + " bytes are not multiples of each other");
  }
  if (int64_t(c.dram_max_burst_beats) * bus_bytes > 4096)
    fail(origin, "/dram/max_burst_beats", "a burst of " + std::to_string(c.dram_max_burst_beats * bus_bytes) +
                                              " bytes would cross AXI4's 4 KiB boundary rule");
  d.hash = 14695981039346656037ull;  // FNV-1a 64 over the canonical hardware description
  for (unsigned char ch : canonical_json(c, false)) d.hash = (d.hash ^ ch) * 1099511628211ull;
  return d;
}

DerivedConfig load_derived(const std::string& path) { return derive(load_config_file(path), path); }

int64_t DerivedConfig::elem_bytes(int mem_type) const { return sram(mem_type).elem_bytes; }

const SramGeometry& DerivedConfig::sram(int mem_type) const {
  switch (static_cast<MemType>(mem_type)) {
    case MemType::UOP: return uop;
    case MemType::WGT: return wgt;
    case MemType::INP: return inp;
    case MemType::ACC: return acc;
    case MemType::OUT: return out;
    case MemType::ACC_8BIT: return acc8;
    case MemType::OUT_TO_INP: return inp;  // the destination, which dram_base counts in
  }
  throw std::out_of_range("memory type " + std::to_string(mem_type) + " is not in the ISA table");
}

std::string DerivedConfig::hash_hex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

std::string canonical_json(const HwConfig& cfg, bool include_names) {
  nlohmann::ordered_json j = hw_json(cfg, include_names);
  // The hardware description leaves out an optional unit that is absent (depthwise 0), so configs
  // written before the unit existed keep their hash and their artifacts.
  if (!include_names && !cfg.depthwise) j["gemm"].erase("depthwise");
  return json(j).dump();  // json sorts keys: canonical
}

std::string to_json(const HwConfig& cfg) { return hw_json(cfg, true).dump(2) + "\n"; }

HwConfig import_vta_config(const std::string& text, const std::string& origin) {
  const json j = parse_json_text(text, origin);
  if (!j.is_object()) fail(origin, "", "expected a JSON object of VTA's LOG_* keys");
  auto log_key = [&](const char* key, int lo, int hi) -> int {
    auto it = j.find(key);
    if (it == j.end()) fail(origin, std::string("/") + key, "missing required VTA key");
    if (!it->is_number_integer()) fail(origin, std::string("/") + key, "expected an integer");
    const int v = it->get<int>();
    if (v < lo || v > hi)
      fail(origin, std::string("/") + key,
           "value " + std::to_string(v) + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  };
  // VTA's format: TARGET, HW_VER and the LOG_* sizes; LOG_BLOCK or the LOG_BLOCK_IN/OUT pair.
  static const std::set<std::string> known = {"TARGET", "HW_VER", "LOG_INP_WIDTH", "LOG_WGT_WIDTH", "LOG_ACC_WIDTH",
                                               "LOG_BATCH", "LOG_BLOCK", "LOG_BLOCK_IN", "LOG_BLOCK_OUT",
                                               "LOG_UOP_BUFF_SIZE", "LOG_INP_BUFF_SIZE", "LOG_WGT_BUFF_SIZE",
                                               "LOG_ACC_BUFF_SIZE"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key())) fail(origin, "/" + it.key(), "unknown VTA config key");
  HwConfig c;
  std::string target = j.contains("TARGET") && j["TARGET"].is_string() ? j["TARGET"].get<std::string>() : "vta";
  for (auto& ch : target) ch = std::isalnum(static_cast<unsigned char>(ch)) ? char(std::tolower(ch)) : '_';
  c.name = "vta_" + target;
  c.description = "Imported from VTA config " + origin;
  c.inp_bits = 1 << log_key("LOG_INP_WIDTH", 0, 6);
  c.wgt_bits = 1 << log_key("LOG_WGT_WIDTH", 0, 6);
  c.acc_bits = 1 << log_key("LOG_ACC_WIDTH", 0, 6);
  c.batch = 1 << log_key("LOG_BATCH", 0, 6);
  if (j.contains("LOG_BLOCK")) {
    if (j.contains("LOG_BLOCK_IN") || j.contains("LOG_BLOCK_OUT"))
      fail(origin, "/LOG_BLOCK", "give either LOG_BLOCK or LOG_BLOCK_IN/LOG_BLOCK_OUT, not both");
    c.block_in = c.block_out = 1 << log_key("LOG_BLOCK", 1, 8);
  } else {
    c.block_in = 1 << log_key("LOG_BLOCK_IN", 1, 8);
    c.block_out = 1 << log_key("LOG_BLOCK_OUT", 1, 8);
  }
  c.uop_bytes = int64_t{1} << log_key("LOG_UOP_BUFF_SIZE", 3, 26);
  c.inp_bytes = int64_t{1} << log_key("LOG_INP_BUFF_SIZE", 3, 26);
  c.wgt_bytes = int64_t{1} << log_key("LOG_WGT_BUFF_SIZE", 3, 26);
  c.acc_bytes = int64_t{1} << log_key("LOG_ACC_BUFF_SIZE", 3, 26);
  // VTA's config has no DRAM or queue model; use the values of configs/default.json (a pynq-class board).
  c.dram_bus_bits = 64;
  c.dram_bytes_per_cycle = 8;
  c.dram_latency_cycles = 64;
  c.dram_max_outstanding = 8;
  c.dram_max_burst_beats = 16;
  c.command_queue_depth = 512;
  c.token_queue_depth = 8;
  c.clock_mhz = 100;
  // Round-trip through the strict parser so an imported config obeys every rule a hand-written one does.
  return parse_config(to_json(c), origin + " (imported)");
}

}  // namespace tessera
