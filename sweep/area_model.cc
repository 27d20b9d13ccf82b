// Least-squares area model per resource (see area_model.h).
#include "sweep/area_model.h"

#include <dirent.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tessera::sweep {

using json = nlohmann::ordered_json;

namespace {

double macs(const DerivedConfig& c) { return double(c.hw.batch) * c.hw.block_in * c.hw.block_out; }
double lanes(const DerivedConfig& c) { return double(c.hw.batch) * c.hw.block_out; }
double sram_bits(const DerivedConfig& c) {
  return 8.0 * double(c.hw.uop_bytes + c.hw.inp_bytes + c.hw.wgt_bytes + c.hw.acc_bytes);
}

// Features per resource: logic grows with the array and the ALU lanes (and the bus for LUTs), DSPs
// are one per MAC plus the lanes' multipliers, block RAM with the SRAM bits.
std::vector<double> lut_features(const DerivedConfig& c) { return {1, macs(c), lanes(c), double(c.hw.dram_bus_bits)}; }
std::vector<double> ff_features(const DerivedConfig& c) { return {1, macs(c), lanes(c)}; }
std::vector<double> dsp_features(const DerivedConfig& c) { return {1, macs(c), lanes(c)}; }
std::vector<double> bram_features(const DerivedConfig& c) { return {1, sram_bits(c) / 36864.0}; }

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

AreaModel::AreaModel(const std::vector<AreaSample>& samples) {
  if (samples.size() < 4) throw std::runtime_error("area model: needs at least 4 calibration configs");
  std::vector<std::vector<double>> xl, xf, xd, xb;
  std::vector<double> yl, yf, yd, yb;
  for (const AreaSample& s : samples) {
    xl.push_back(lut_features(s.cfg)), xf.push_back(ff_features(s.cfg)), xd.push_back(dsp_features(s.cfg));
    xb.push_back(bram_features(s.cfg));
    yl.push_back(s.measured.luts), yf.push_back(s.measured.ffs), yd.push_back(s.measured.dsps), yb.push_back(s.measured.bram36);
  }
  lut_ = fit(xl, yl), ff_ = fit(xf, yf), dsp_ = fit(xd, yd), bram_ = fit(xb, yb);
}

AreaFigures AreaModel::predict(const DerivedConfig& c) const {
  return {dot(lut_, lut_features(c)), dot(ff_, ff_features(c)), std::round(dot(dsp_, dsp_features(c))),
          std::ceil(dot(bram_, bram_features(c)))};
}

json AreaModel::to_json(const DerivedConfig& c) const {
  const AreaFigures a = predict(c);
  return {{"luts", std::round(a.luts)}, {"ffs", std::round(a.ffs)}, {"dsp48e1", a.dsps}, {"bram36", a.bram36}, {"source", "model"}};
}

std::vector<AreaModel::Held> AreaModel::leave_one_out(const std::vector<AreaSample>& samples) {
  std::vector<Held> out;
  for (size_t i = 0; i < samples.size(); ++i) {
    std::vector<AreaSample> rest;
    for (size_t j = 0; j < samples.size(); ++j)
      if (j != i) rest.push_back(samples[j]);
    out.push_back({samples[i].name, samples[i].measured, AreaModel(rest).predict(samples[i].cfg)});
  }
  return out;
}

std::vector<AreaSample> load_area_samples(const std::string& file, const std::string& root, const std::string& cache_dir) {
  std::ifstream f(file);
  if (!f) throw std::runtime_error(file + ": cannot read the area calibration");
  std::stringstream ss;
  ss << f.rdbuf();
  const json j = json::parse(ss.str());
  std::vector<AreaSample> out;
  const auto figures = [](const json& a) {
    return AreaFigures{a.at("luts").get<double>(), a.at("ffs").get<double>(), a.at("dsp48e1").get<double>(),
                       a.at("ramb36e1").get<double>() + a.at("ramb18e1").get<double>() / 2};
  };
  for (const json& c : j.at("configs")) {
    const std::string path = root + "/" + c.at("config").get<std::string>();
    out.push_back({c.at("config").get<std::string>(), load_derived(path), figures(c)});
  }
  if (!cache_dir.empty())
    if (DIR* d = ::opendir(cache_dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string dir = cache_dir + "/" + e->d_name;
        std::ifstream a(dir + "/area.json"), cf(dir + "/config.json");
        if (e->d_name[0] == '.' || !a || !cf) continue;
        std::stringstream as, cs;
        as << a.rdbuf(), cs << cf.rdbuf();
        const DerivedConfig cfg = derive(parse_config(cs.str(), dir + "/config.json"));
        bool dup = false;
        for (const AreaSample& s : out) dup |= s.cfg.hash == cfg.hash;
        if (!dup) out.push_back({cfg.hw.name, cfg, figures(json::parse(as.str()))});
      }
      ::closedir(d);
    }
  return out;
}

}  // namespace tessera::sweep
