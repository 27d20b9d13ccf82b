// Analytic FPGA area per config (Xilinx 7-series as Yosys synth_xilinx maps tessera_top), fitted by
// least squares on calibration configs synthesized with scripts/synth.sh: per resource a linear
// model over structural features (MACs = BATCH*BLOCK_IN*BLOCK_OUT, vector-ALU lanes =
// BATCH*BLOCK_OUT, DRAM bus bits, SRAM bits). Block RAM is counted in RAMB36 equivalents
// (RAMB36 + RAMB18 / 2). The fit's error is measured leave-one-out: each calibration config
// predicted by the model fitted on the others. FPGA only; an ASIC (gate/um^2) model is not done.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/config.h"

namespace tessera::sweep {

struct AreaFigures {
  double luts = 0, ffs = 0, dsps = 0, bram36 = 0;  // bram36: RAMB36 + RAMB18 / 2
};

struct AreaSample {
  std::string name;
  DerivedConfig cfg;
  AreaFigures measured;
};

class AreaModel {
 public:
  // Fits on `samples` (at least 4).
  explicit AreaModel(const std::vector<AreaSample>& samples);
  AreaFigures predict(const DerivedConfig& cfg) const;
  nlohmann::ordered_json to_json(const DerivedConfig& cfg) const;
  // Leave-one-out: per sample, the model fitted on the others against the measurement.
  struct Held {
    std::string name;
    AreaFigures measured, predicted;
  };
  static std::vector<Held> leave_one_out(const std::vector<AreaSample>& samples);

 private:
  std::vector<double> lut_, ff_, dsp_, bram_;
};

// The calibration set: `file` (sweep/area_calibration.json format; config paths relative to
// `root`) plus every BUILD/sweep/area/<hash>/area.json under `cache_dir` (scripts/synth.sh output
// with a config.json beside it).
std::vector<AreaSample> load_area_samples(const std::string& file, const std::string& root, const std::string& cache_dir = "");

}  // namespace tessera::sweep
