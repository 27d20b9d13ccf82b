// Pareto fronts over sweep results: every objective minimized (throughput maximized), on the points
// whose status is "ok" and that have every objective's figure.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::sweep {

// The figure of `objective` for a point (minimized: throughput is negated); false if it has none.
bool objective_value(const nlohmann::ordered_json& point, const std::string& objective, double& value);

// Indices into `points` of the non-dominated ones, ordered by the first objective.
std::vector<size_t> pareto_front(const std::vector<nlohmann::ordered_json>& points, const std::vector<std::string>& objectives);

}  // namespace tessera::sweep
