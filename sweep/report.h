// Reports of a sweep's results: results.csv (one row per point), pareto.json (the front over the
// spec's objectives and the 2-D fronts of the plots) and report.html, one self-contained file (no
// network access: inline SVG plots, inline script) with the Pareto plots (latency vs LUT, DSP,
// BRAM and SRAM bytes), per-layer utilization and roofline of the front's points, and a sortable
// table of every point.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::sweep {

struct ReportSummary {
  size_t points = 0, ok = 0, front = 0;
};

ReportSummary write_reports(const std::string& dir, const std::string& title, const std::vector<std::string>& objectives,
                            const std::vector<nlohmann::ordered_json>& points);

}  // namespace tessera::sweep
