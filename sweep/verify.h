// Verification of chosen sweep points on the cycle-accurate RTL model: for each point (the Pareto
// front over the spec's objectives, the top K by the first objective, the named ids), every network
// workload is compiled (searched schedules) and run on the fsim and on the Verilator model; measured
// cycles beside the model's prediction with the error, and whether the RTL outputs equal the
// fsim's. Only configs whose Verilator model is built into this binary (TESSERA_RTL_CONFIGS, matched
// by config hash) can run; other points are reported with that reason. Table and single-layer
// workloads are not run (model only), and verified points are not synthesized.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/spec.h"

namespace tessera::sweep {

// The points the spec asks to verify, as ids (front, then top K, then named), without duplicates.
std::vector<std::string> points_to_verify(const Spec& spec, const std::vector<nlohmann::ordered_json>& points);

// Runs the verification; one JSON object per point (appended to DIR/verify.jsonl by the caller).
nlohmann::ordered_json verify_point(const Spec& spec, const nlohmann::ordered_json& point);

// Names of the configs with a Verilator model in this binary.
std::vector<std::string> rtl_model_configs();

}  // namespace tessera::sweep
