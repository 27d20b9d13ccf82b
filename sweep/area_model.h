// Analytic FPGA area per config (Xilinx 7-series as Yosys 0.23 synth_xilinx maps tessera_top,
// scripts/synth.sh).
//
// Block RAM is computed, not fitted: every memory of tessera_top (the five SRAMs, the three command
// queues and the small FIFOs) is mapped as Yosys' memory_libmap maps it for xc7 (brams_xc4v.txt,
// lutrams_xc5v.txt): each block-RAM mode (RAMB18: 1x16384 .. 18x1024 true dual port, 36x512 simple
// dual port, cost 129; RAMB36: 1x32768 .. 36x1024, 72x512, cost 257) needs ceil(W / width) x
// ceil(D / depth) blocks; the cheapest wins, a tie goes to the mode listed first (RAMB36 before RAMB18
// at equal cost since 2 x 129 > 257); distributed RAM (RAM32M: 6 bits x 32, RAM64M: 3 bits x 64, cost
// 8 per cell) is taken when it is cheaper than the best block RAM. The rule reproduces every measured
// run (standalone tessera_sram grids and whole tops, docs/sweep.md).
//
// LUT, FF and DSP are least-squares linear models over structural features (MACs =
// BATCH*BLOCK_IN*BLOCK_OUT, vector-ALU lanes = BATCH*BLOCK_OUT, DRAM bus bits), fitted on the
// calibration configs marked "fit" and measured on the ones marked "held_out" (and on any other
// synthesized config in the cache). FPGA only; an ASIC (gate/um^2) model is not done.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/config.h"

namespace tessera::sweep {

struct AreaFigures {
  double luts = 0, ffs = 0, dsps = 0, ramb36 = 0, ramb18 = 0;
  double bram36() const { return ramb36 + ramb18 / 2; }  // RAMB36 equivalents
};

// One memory array of tessera_top and how Yosys maps it.
struct MemoryMapping {
  std::string name;
  int width = 0;
  int64_t depth = 0;
  int instances = 1;
  int ramb36 = 0, ramb18 = 0, lutram = 0;  // per instance
  std::string mode;                        // "RAMB18 9x2048", "LUTRAM", ...
};
// Maps one W x D memory (exposed for the tests and the docs).
MemoryMapping map_memory(int width, int64_t depth);
// Every memory of tessera_top for the config, mapped: of the current RTL, or of the RTL the
// calibration file was synthesized from (one micro-op SRAM, unbanked accumulator and output SRAMs).
std::vector<MemoryMapping> memory_mappings(const DerivedConfig& cfg, bool calibration_rtl = false);

struct AreaSample {
  std::string name;
  std::string role;  // "fit", "held_out" (calibration file) or "cached" (a synth run in the cache)
  DerivedConfig cfg;
  AreaFigures measured;
};

// What the RTL gained since the calibration runs, per vector-ALU lane and in total (the calibration
// file's "since_calibration": measured by synthesizing the current RTL, not fitted).
struct LaneDelta {
  double luts = 0, ffs = 0, dsps = 0;  // per lane
  double luts_fixed = 0, ffs_fixed = 0;
  // The GEMM core's depthwise mode (gemm.depthwise), measured against the same config without it:
  // logic per MAC (operand muxes, unsummed products, local accumulators); its banked input SRAM is in
  // the memory map.
  double dw_luts_fixed = 0, dw_luts_per_mac = 0, dw_ffs_fixed = 0, dw_ffs_per_mac = 0;
};
LaneDelta load_lane_delta(const std::string& file);

class AreaModel {
 public:
  // Fits on the samples whose role is "fit" (at least 4), which describe the calibration RTL.
  explicit AreaModel(const std::vector<AreaSample>& samples, LaneDelta since = {});
  // The current RTL: the fit plus the measured per-lane delta.
  AreaFigures predict(const DerivedConfig& cfg) const;
  // The RTL the calibration file was synthesized from (what its fit and held-out samples measure).
  AreaFigures predict_calibration_rtl(const DerivedConfig& cfg) const;
  nlohmann::ordered_json to_json(const DerivedConfig& cfg) const;
  size_t fit_size() const { return fit_size_; }

 private:
  AreaFigures fitted(const DerivedConfig& cfg, bool calibration_rtl) const;
  std::vector<double> lut_, ff_, dsp_;
  LaneDelta since_;
  size_t fit_size_ = 0;
};

// The calibration set: `file` (sweep/area_calibration.json: each entry a config path relative to
// `root` or an inline config, its role and Yosys' figures) plus every full synth run cached under
// `cache_dir` (<key>/area.json with config.json beside it) of the current RTL whose config is not in the file.
std::vector<AreaSample> load_area_samples(const std::string& file, const std::string& root, const std::string& cache_dir = "");

}  // namespace tessera::sweep
