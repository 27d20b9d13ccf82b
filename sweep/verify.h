// Verification of chosen sweep points on the cycle-accurate RTL model: for each point (the Pareto
// front over the spec's objectives, the top K by the first objective, the named ids), every network
// workload is compiled (searched schedules) and run on the fsim and on the Verilator model; measured
// cycles beside the model's prediction with the error, and whether the RTL outputs equal the
// fsim's. A config whose Verilator model is built into this binary (TESSERA_RTL_CONFIGS, matched by
// config hash) runs in this process; any other gets an on-demand model (sweep/heavy.h: a shared
// library built once per config hash under BUILD/sweep/rtl/) that tessera_sweep_rtl_runner loads and
// runs as a subprocess. Each verified point is also synthesized (Yosys, cached per hash under
// BUILD/sweep/area/) and the area model's figures are reported beside Yosys'. Table and single-layer
// workloads are not run (model only).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/heavy.h"
#include "sweep/spec.h"

namespace tessera::sweep {

// The points the spec asks to verify, as ids (front, then top K, then named), without duplicates.
std::vector<std::string> points_to_verify(const Spec& spec, const std::vector<nlohmann::ordered_json>& points);

struct VerifyOptions {
  bool build_models = true;  // build an on-demand model for a config this binary has none of
  bool synthesize = true;    // synthesize the point (Yosys) and compare with the area model
  bool cached_only = false;  // use cached models and synth runs only (a build budget is spent)
  HeavyPaths paths = HeavyPaths::defaults();
};

// Runs the verification; one JSON object per point (appended to DIR/verify/results.jsonl by the caller).
nlohmann::ordered_json verify_point(const Spec& spec, const nlohmann::ordered_json& point, const VerifyOptions& opt = {});

// Names of the configs with a Verilator model in this binary.
std::vector<std::string> rtl_model_configs();

}  // namespace tessera::sweep
