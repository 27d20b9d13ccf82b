// Least-squares area model per resource (see area_model.h).
#include "sweep/area_model.h"

#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "isa/text_file.h"
#include "sweep/heavy.h"

namespace tessera::sweep {

using json = nlohmann::ordered_json;

namespace {

double macs(const DerivedConfig& c) { return double(c.hw.batch) * c.hw.block_in * c.hw.block_out; }
double lanes(const DerivedConfig& c) { return double(c.hw.batch) * c.hw.block_out; }

// Beat-to-element selection logic: for each data SRAM (inp, wgt, acc, out) whose element is narrower
// than a bus beat, the DMA picks one of bus/element positions: bus bits x log2(bus / element).
double narrow_bits(const DerivedConfig& c) {
  double n = 0;
  for (const int64_t bytes : {c.inp.elem_bytes, c.wgt.elem_bytes, c.acc.elem_bytes, c.out.elem_bytes})
    if (bytes * 8 < c.hw.dram_bus_bits) n += c.hw.dram_bus_bits * std::log2(double(c.hw.dram_bus_bits) / double(bytes * 8));
  return n;
}

// Features per resource: logic grows with the array, the ALU lanes, the bus and the selection of
// elements narrower than a beat; DSPs are one per MAC plus the lanes' multipliers.
std::vector<double> lut_features(const DerivedConfig& c) {
  return {1, macs(c), lanes(c), double(c.hw.dram_bus_bits), narrow_bits(c)};
}
std::vector<double> ff_features(const DerivedConfig& c) { return lut_features(c); }
std::vector<double> dsp_features(const DerivedConfig& c) { return {1, macs(c), lanes(c)}; }

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Solves min |X b - y|^2 by the normal equations with a tiny ridge (Gaussian elimination).
std::vector<double> fit(const std::vector<std::vector<double>>& x, const std::vector<double>& y) {
  const size_t n = x.at(0).size();
  std::vector<std::vector<double>> a(n, std::vector<double>(n + 1, 0));
  for (size_t r = 0; r < x.size(); ++r)
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) a[i][j] += x[r][i] * x[r][j];
      a[i][n] += x[r][i] * y[r];
    }
  for (size_t i = 0; i < n; ++i) a[i][i] += 1e-9 * (a[i][i] + 1);
  for (size_t i = 0; i < n; ++i) {
    size_t p = i;
    for (size_t r = i + 1; r < n; ++r)
      if (std::fabs(a[r][i]) > std::fabs(a[p][i])) p = r;
    std::swap(a[i], a[p]);
    for (size_t r = 0; r < n; ++r) {
      if (r == i || a[i][i] == 0) continue;
      const double f = a[r][i] / a[i][i];
      for (size_t c = i; c <= n; ++c) a[r][c] -= f * a[i][c];
    }
  }
  std::vector<double> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = a[i][i] == 0 ? 0 : a[i][n] / a[i][i];
  return b;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

MemoryMapping map_memory(int width, int64_t depth) {
  struct Mode {
    bool ramb36;
    int width;
    int64_t depth;
  };
  // brams_xc4v.txt (used for xc7): RAMB36 ("FULL", cost 257) true dual port 1..36 bits, simple dual
  // port 72 bits; RAMB18 ("HALF", cost 129) 1..18 and 36 bits.
  static const Mode modes[] = {{true, 1, 32768}, {true, 2, 16384}, {true, 4, 8192}, {true, 9, 4096}, {true, 18, 2048},
                               {true, 36, 1024}, {true, 72, 512},  {false, 1, 16384}, {false, 2, 8192}, {false, 4, 4096},
                               {false, 9, 2048}, {false, 18, 1024}, {false, 36, 512}};
  MemoryMapping m;
  m.width = width, m.depth = depth;
  double best = 0;
  for (const Mode& md : modes) {
    const int64_t n = ceil_div(width, md.width) * ceil_div(depth, md.depth);
    // a depth cascade needs read multiplexers: a little more than the blocks alone
    const double cost = double(n) * (md.ramb36 ? 257 : 129) + (depth > md.depth ? 0.5 : 0);
    if (best == 0 || cost < best) {
      best = cost;
      m.ramb36 = md.ramb36 ? int(n) : 0, m.ramb18 = md.ramb36 ? 0 : int(n);
      m.mode = std::string(md.ramb36 ? "RAMB36 " : "RAMB18 ") + std::to_string(md.width) + "x" + std::to_string(md.depth);
    }
  }
  // lutrams_xc5v.txt: simple dual port RAM32M (6 bits x 32) or RAM64M (3 bits x 64, cascaded in depth), cost 8.
  const int64_t cells = depth <= 32 ? ceil_div(width, 6) : ceil_div(width, 3) * ceil_div(depth, 64);
  if (8.0 * double(cells) < best) m.ramb36 = m.ramb18 = 0, m.lutram = int(cells), m.mode = "LUTRAM";
  return m;
}

std::vector<MemoryMapping> memory_mappings(const DerivedConfig& c, bool calibration_rtl) {
  const auto add = [](std::vector<MemoryMapping>& v, const std::string& name, int64_t width, int64_t depth, int n) {
    MemoryMapping m = map_memory(int(width), depth);
    m.name = name, m.instances = n;
    v.push_back(m);
  };
  std::vector<MemoryMapping> v;
  const int64_t lanes_out = int64_t(c.hw.batch) * c.hw.block_out;
  // With the depthwise mode the input SRAM is BLOCK_OUT interleaved banks (one wide read).
  const int inp_banks = c.hw.depthwise && !calibration_rtl ? c.hw.block_out : 1;
  add(v, "inp", c.inp.elem_bytes * 8, c.inp.depth / inp_banks, inp_banks);
  add(v, "wgt", c.wgt.elem_bytes * 8, c.wgt.depth, 1);
  // The current compute unit: a micro-op copy per pipeline, accumulators and outputs in two banks.
  const int copies = calibration_rtl ? 1 : 2;
  add(v, "uop", c.layout.uop_bits, c.uop.depth, copies);
  add(v, "acc", lanes_out * c.hw.acc_bits, c.acc.depth / copies, copies);
  add(v, "out", lanes_out * c.out_bits, c.acc.depth / copies, copies);
  add(v, "command queues", c.layout.insn_bits + 32, c.hw.command_queue_depth, 3);
  add(v, "fetch beats", c.hw.dram_bus_bits, 2 * int64_t(c.hw.dram_max_burst_beats), 1);
  add(v, "store elements", c.out.elem_bytes * 8, 4, 1);
  int64_t lens = 2;
  while (lens < c.hw.dram_max_outstanding) lens *= 2;
  add(v, "store burst lengths", 9, lens, 1);
  return v;
}

AreaModel::AreaModel(const std::vector<AreaSample>& samples, LaneDelta since) : since_(since) {
  std::vector<std::vector<double>> xl, xf, xd;
  std::vector<double> yl, yf, yd;
  for (const AreaSample& s : samples) {
    if (s.role != "fit") continue;
    xl.push_back(lut_features(s.cfg)), xf.push_back(ff_features(s.cfg)), xd.push_back(dsp_features(s.cfg));
    yl.push_back(s.measured.luts), yf.push_back(s.measured.ffs), yd.push_back(s.measured.dsps);
  }
  fit_size_ = xl.size();
  if (fit_size_ < 4) throw std::runtime_error("area model: needs at least 4 calibration configs with role \"fit\"");
  lut_ = fit(xl, yl), ff_ = fit(xf, yf), dsp_ = fit(xd, yd);
}

AreaFigures AreaModel::fitted(const DerivedConfig& c, bool calibration_rtl) const {
  AreaFigures a{dot(lut_, lut_features(c)), dot(ff_, ff_features(c)), std::round(dot(dsp_, dsp_features(c))), 0, 0};
  for (const MemoryMapping& m : memory_mappings(c, calibration_rtl))
    a.ramb36 += m.ramb36 * m.instances, a.ramb18 += m.ramb18 * m.instances;
  return a;
}

AreaFigures AreaModel::predict_calibration_rtl(const DerivedConfig& c) const { return fitted(c, true); }

AreaFigures AreaModel::predict(const DerivedConfig& c) const {
  AreaFigures a = fitted(c, false);
  a.luts += since_.luts_fixed + since_.luts * lanes(c), a.ffs += since_.ffs_fixed + since_.ffs * lanes(c);
  a.dsps += std::round(since_.dsps * lanes(c));
  if (c.hw.depthwise) {
    a.luts += since_.dw_luts_fixed + since_.dw_luts_per_mac * macs(c);
    a.ffs += since_.dw_ffs_fixed + since_.dw_ffs_per_mac * macs(c);
  }
  return a;
}

LaneDelta load_lane_delta(const std::string& file) {
  const auto text = read_text_file(file);
  if (!text) throw std::runtime_error(file + ": cannot read the area calibration");
  const json j = json::parse(*text);
  LaneDelta d;
  if (!j.contains("since_calibration")) return d;
  const json& s = j.at("since_calibration");
  d.luts = s.at("luts_per_lane").get<double>(), d.ffs = s.at("ffs_per_lane").get<double>(),
  d.dsps = s.at("dsp48e1_per_lane").get<double>();
  d.luts_fixed = s.value("luts_fixed", 0.0), d.ffs_fixed = s.value("ffs_fixed", 0.0);
  if (j.contains("depthwise_mode")) {
    const json& m = j.at("depthwise_mode");
    d.dw_luts_fixed = m.at("luts_fixed").get<double>(), d.dw_luts_per_mac = m.at("luts_per_mac").get<double>();
    d.dw_ffs_fixed = m.at("ffs_fixed").get<double>(), d.dw_ffs_per_mac = m.at("ffs_per_mac").get<double>();
  }
  return d;
}

json AreaModel::to_json(const DerivedConfig& c) const {
  const AreaFigures a = predict(c);
  return {{"luts", std::round(a.luts)}, {"ffs", std::round(a.ffs)}, {"dsp48e1", a.dsps}, {"ramb36e1", a.ramb36},
          {"ramb18e1", a.ramb18}, {"bram36", a.bram36()}, {"source", "model"}};
}

std::vector<AreaSample> load_area_samples(const std::string& file, const std::string& root, const std::string& cache_dir) {
  const auto text = read_text_file(file);
  if (!text) throw std::runtime_error(file + ": cannot read the area calibration");
  const json j = json::parse(*text);
  std::vector<AreaSample> out;
  const auto figures = [](const json& a) {
    return AreaFigures{a.at("luts").get<double>(), a.at("ffs").get<double>(), a.at("dsp48e1").get<double>(),
                       a.at("ramb36e1").get<double>(), a.at("ramb18e1").get<double>()};
  };
  for (const json& c : j.at("configs")) {
    const json& cj = c.at("config");
    const std::string role = c.value("role", std::string("fit"));
    if (role != "fit" && role != "held_out") throw std::runtime_error(file + ": role must be fit or held_out, not " + role);
    DerivedConfig cfg = cj.is_string() ? load_derived(root + "/" + cj.get<std::string>())
                                       : derive(parse_config(cj.dump(), file + ": " + c.value("name", std::string("?"))));
    const std::string name = c.value("name", cj.is_string() ? cj.get<std::string>() : cfg.hw.name);
    out.push_back({name, role, cfg, figures(c)});
  }
  const std::string current = "-" + rtl_fingerprint(root);  // runs of older RTL measure something else
  if (!cache_dir.empty())
    if (DIR* d = ::opendir(cache_dir.c_str())) {
      std::vector<std::string> names;
      while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n[0] != '.' && n.size() > current.size() && n.compare(n.size() - current.size(), current.size(), current) == 0)
          names.push_back(n);
      }
      ::closedir(d);
      std::sort(names.begin(), names.end());
      for (const std::string& n : names) {
        const std::string dir = cache_dir + "/" + n;
        const auto area = read_text_file(dir + "/area.json"), config = read_text_file(dir + "/config.json");
        if (!area || !config) continue;
        const json aj = json::parse(*area);
        if (aj.value("quick", false)) continue;
        const DerivedConfig cfg = derive(parse_config(*config, dir + "/config.json"));
        bool dup = false;
        for (const AreaSample& s : out) dup |= s.cfg.hash == cfg.hash;
        if (!dup) out.push_back({cfg.hw.name, "cached", cfg, figures(aj)});
      }
    }
  return out;
}

}  // namespace tessera::sweep
