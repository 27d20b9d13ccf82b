// Shared test harness: compile a layer, run it on a backend, compare with the plain-loop reference.
#pragma once

#include <cstdlib>
#include <gtest/gtest.h>
#include <map>
#include <string>

#include "compiler/compile.h"
#include "compiler/import/random_layer.h"
#include "driver/device.h"
#include "isa/config.h"
#include "tests/reference/quantized_ops.h"

namespace tessera::compiler::testing {

inline DerivedConfig config_named(const std::string& name) {
  return load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + name + ".json");
}

inline NpyArray to_npy(const std::vector<int32_t>& v, ElemType t, const std::vector<int64_t>& shape) {
  NpyArray a;
  a.dtype = t == ElemType::UINT8 ? NpyDType::UINT8 : NpyDType::INT8;
  a.shape = shape;
  for (int32_t x : v) a.data.push_back(uint8_t(x));
  return a;
}

inline std::vector<int32_t> from_npy(const NpyArray& a) {
  std::vector<int32_t> v;
  for (uint8_t b : a.data) v.push_back(a.dtype == NpyDType::UINT8 ? int32_t(b) : int32_t(int8_t(b)));
  return v;
}

// Element mismatches against the reference; every mismatch must be within one LSB.
struct Agreement {
  int64_t elements = 0, off_by_one = 0, worse = 0;
  void add(const std::vector<int32_t>& got, const std::vector<int32_t>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      const int32_t d = std::abs(got[i] - want[i]);
      off_by_one += d == 1;
      worse += d > 1;
    }
    elements += int64_t(got.size());
  }
};

// Compiles `layer` with `opt`, runs it on `backend` and returns the output next to the reference.
inline void run_and_compare(const Layer& layer, const DerivedConfig& cfg, const CompileOptions& opt,
                            const std::string& backend, uint64_t seed, Agreement& agree, RunReport* report = nullptr) {
  Model m;
  m.source = "test";
  m.layers = {layer};
  const Compiled c = compile_model(m, cfg, opt);
  std::map<std::string, NpyArray> inputs;
  std::vector<std::vector<int32_t>> values;
  for (const QTensor& x : layer.inputs) {
    size_t count = 1;
    for (int64_t d : x.shape) count *= size_t(d);
    values.push_back(random_values(x.type, count, seed + values.size()));
    inputs[x.name] = to_npy(values.back(), x.type, x.shape);
  }
  Device dev(cfg, backend);
  const DeviceRun r = dev.run(c.program, inputs);
  if (report) *report = r.report;
  const std::vector<int32_t> want = reference::run_layer(layer, values);
  agree.add(from_npy(r.outputs.at(layer.output.name)), want);
}

}  // namespace tessera::compiler::testing
