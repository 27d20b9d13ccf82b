// The golden store and the comparison of measurements with it. Goldens are data: one JSON file, one
// object per run ("id/config/backend"), one line per metric, so a cycle change is a one-line diff.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regress/runner.h"
#include "regress/suite.h"

namespace tessera::regress {

using Goldens = nlohmann::ordered_json;  // run -> {metric: value}

// A missing file is an empty store; malformed JSON is an error naming the file.
Goldens read_goldens(const std::string& path);
// One run per object, one metric per line, runs in the given order.
std::string goldens_text(const Goldens& g);
void write_goldens(const std::string& path, const Goldens& g);

// How a metric is compared, from its name: "... hash" exact (a wrong output), "... cycles" and
// "... dram_bytes" within the entry's tolerance (worse fails, better is an improvement),
// "checked_against" and "schedule" informational, anything else exact.
enum class MetricKind { HASH, CYCLES, BYTES, INFO, EXACT };
MetricKind metric_kind(const std::string& metric);

enum class Status { SAME, MOVED, IMPROVED, WORSE, WRONG, NEW, GONE, ERROR };
const char* status_name(Status s);  // "same", "moved", "improved", "WORSE", "WRONG", ...

struct Delta {
  std::string metric;
  nlohmann::ordered_json old_value, new_value;  // null when absent
  double pct = 0;                               // numeric metrics: (new - old) / old * 100
  Status status = Status::SAME;
};

struct Verdict {
  std::string run;
  bool failed = false;
  std::string failure;        // first reason: "wrong output: first differing tensor '...'", "3 metrics worse ..."
  std::vector<Delta> moved;   // every metric that is not SAME, in production order
  double seconds = 0;
  double tolerance_pct = 0;
};

// `golden` is the run's object in the store (null: none recorded).
Verdict compare(const Measurement& m, const nlohmann::ordered_json* golden, double tolerance_pct);

struct FigureCheck {
  Figure figure;
  bool checked = false, ok = true;  // not checked: its run was not part of this invocation
  double measured = 0, pct = 0;
};
std::vector<FigureCheck> check_figures(const Suite& s, const std::vector<Measurement>& ms);

}  // namespace tessera::regress
