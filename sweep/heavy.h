// The sweep's heavy steps, cached per config hash under the build tree and run one at a time: Yosys
// synthesis of a point's config (scripts/synth.sh, BUILD/sweep/area/<key>/) and an on-demand
// Verilator model of it (a small CMake project giving a shared library, BUILD/sweep/rtl/<key>/model.so)
// that tessera_sweep_rtl_runner loads to run a network on. Both hold an exclusive flock(2) on one
// lock file while they run (TESSERA_SWEEP_LOCK, default BUILD/sweep/heavy.lock), so concurrent
// sweeps (or a shared machine's builds, given the same lock file) never run two at once.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/config.h"
#include "sweep/area_model.h"

namespace tessera::sweep {

struct HeavyPaths {
  std::string source_dir;  // the tessera tree (scripts/synth.sh, hw/, sim/rtl/)
  std::string build_dir;   // the configured build tree (caches live in BUILD/sweep/)
  std::string gen_tool;    // tessera_gen (SV packages of a config)
  std::string lock;        // the lock file held while Yosys or a model build runs
  static HeavyPaths defaults();
};

// Runs argv (no shell) with stdout and stderr appended to `log`; holds an exclusive flock on `lock`
// (when not empty) for the run. Returns the exit status (128 + signal when killed, 127 exec failure).
int run_logged(const std::vector<std::string>& argv, const std::string& log, const std::string& lock = "");

// What the cached synthesis runs and models are made from: a hash of the RTL, its primitives, the
// tables that generate its packages and the synthesis script, so an RTL change never reuses a
// stale result. Cache directories are named <config hash>-<this>.
std::string rtl_fingerprint(const std::string& source_dir);
// The cache directory name of a config: <config hash hex>-<rtl_fingerprint>.
std::string cache_key(const DerivedConfig& cfg, const HeavyPaths& p = HeavyPaths::defaults());

// A config's directory in a cache: <cache>/<cache_key>/ with config.json (the config's text) and the
// generated SV packages in gen/cfg/. Made on first use.
std::string prepare_config_dir(const nlohmann::ordered_json& config, const std::string& cache, const HeavyPaths& p);

struct SynthRun {
  bool ok = false, cached = false;
  AreaFigures figures;
  double seconds = 0;  // Yosys wall time (as synth.sh measured it)
  std::string dir, error;
};
// Yosys synth_xilinx of the config (scripts/synth.sh), cached: BUILD/sweep/area/<key>/area.json.
SynthRun synthesize(const nlohmann::ordered_json& config, const HeavyPaths& p = HeavyPaths::defaults());
// The cached run of this config, if any (never synthesizes).
SynthRun cached_synth(const DerivedConfig& cfg, const HeavyPaths& p = HeavyPaths::defaults());

struct ModelBuild {
  bool ok = false, cached = false;
  std::string so, dir, error;
  double seconds = 0;            // this build's wall time, lock held (0 when cached)
  double lock_wait_seconds = 0;  // time spent waiting for the lock before it
};
// The Verilator model of the config as a shared library, cached: BUILD/sweep/rtl/<key>/model.so.
ModelBuild build_rtl_model(const nlohmann::ordered_json& config, const HeavyPaths& p = HeavyPaths::defaults());

// tessera_sweep_rtl_runner, the program that runs a point's networks on such a library.
std::string rtl_runner_path(const HeavyPaths& p = HeavyPaths::defaults());

}  // namespace tessera::sweep
