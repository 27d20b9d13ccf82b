// Shared by the RTL validation test and tool: a layer run with a given schedule on the RTL model,
// the cost model's view of the same run, and the error statistics (MAPE, Spearman).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/import/random_layer.h"
#include "compiler/search/cost_model.h"
#include "driver/device.h"

namespace tessera::compiler::search::testing {

struct Measured {
  double cycles = 0;
  int64_t read = 0, written = 0;  // DRAM data bytes (fetch excluded)
  std::array<uint64_t, kNumUnits> busy{}, stall{};  // per Unit (load, compute, store)
};

// Uniformly random values for every input tensor of `layer`, by name.
inline std::map<std::string, NpyArray> random_inputs(const Layer& layer, uint64_t seed) {
  std::map<std::string, NpyArray> inputs;
  for (const QTensor& x : layer.inputs) {
    NpyArray a;
    a.dtype = x.type == ElemType::UINT8 ? NpyDType::UINT8 : NpyDType::INT8;
    a.shape = x.shape;
    size_t count = 1;
    for (int64_t d : x.shape) count *= size_t(d);
    for (int32_t v : random_values(x.type, count, seed)) a.data.push_back(uint8_t(v));
    inputs[x.name] = a;
  }
  return inputs;
}

// `layer` alone compiled with schedule `s`.
inline Compiled compile_with(const Layer& layer, const DerivedConfig& cfg, const Schedule& s) {
  Model m;
  m.source = "validation";
  m.layers = {layer};
  CompileOptions opt;
  opt.schedule = s;
  return compile_model(m, cfg, opt);
}

// Compiles `layer` with schedule `s` and runs it on the RTL model with random inputs (values do not
// change timing).
inline Measured measure_on_rtl(const Layer& layer, const DerivedConfig& cfg, const Schedule& s) {
  const DeviceRun r = Device(cfg, "rtl").run(compile_with(layer, cfg, s).program, random_inputs(layer, 7));
  return {double(r.report.cycles), int64_t(r.report.bytes_read), int64_t(r.report.bytes_written), r.report.busy,
          r.report.stall};
}

// The same program and random inputs on the RTL model and the fsim: the RTL run and whether its
// output equals the fsim's.
struct CheckedRun {
  DeviceRun rtl;
  bool matches_fsim = false;
};
inline CheckedRun run_checked_on_rtl(const Layer& layer, const DerivedConfig& cfg, const Schedule& s, uint64_t seed) {
  const Compiled c = compile_with(layer, cfg, s);
  const auto inputs = random_inputs(layer, seed);
  CheckedRun r{Device(cfg, "rtl").run(c.program, inputs)};
  const DeviceRun fsim = Device(cfg, "fsim").run(c.program, inputs);
  r.matches_fsim = r.rtl.outputs.at(layer.output.name).data == fsim.outputs.at(layer.output.name).data;
  return r;
}

// Ranks with ties averaged (1-based). With rel_tol > 0, values within rel_tol of the smallest value of
// their run (in sorted order) count as tied: schedules whose cycles differ by less than that are one rank.
inline std::vector<double> ranks(const std::vector<double>& v, double rel_tol = 0) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] <= v[idx[i]] + std::abs(v[idx[i]]) * rel_tol) ++j;
    for (size_t k = i; k <= j; ++k) r[idx[k]] = double(i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

// Pearson correlation of the ranks; 1 for fewer than two points or a constant series. rel_tol as
// for ranks(), applied to both series.
inline double spearman(const std::vector<double>& a, const std::vector<double>& b, double rel_tol = 0) {
  if (a.size() < 2) return 1;
  const auto ra = ranks(a, rel_tol), rb = ranks(b, rel_tol);
  const double n = double(a.size()), ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n,
               mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb), saa += (ra[i] - ma) * (ra[i] - ma), sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  return saa == 0 || sbb == 0 ? 1 : sab / std::sqrt(saa * sbb);
}

// Mean absolute percentage error of `predicted` against `measured`, in percent.
inline double mape(const std::vector<double>& predicted, const std::vector<double>& measured) {
  double sum = 0;
  for (size_t i = 0; i < measured.size(); ++i) sum += std::abs(predicted[i] - measured[i]) / measured[i];
  return measured.empty() ? 0 : 100 * sum / double(measured.size());
}

}  // namespace tessera::compiler::search::testing
