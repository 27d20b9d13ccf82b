// Running a sweep (or one shard of it) on this machine: --jobs threads share one Evaluator (and so
// its memoised schedule searches), each finished point is appended to DIR/results.jsonl, --resume
// skips the points already there. A progress bar with rate and ETA on a terminal, plain log lines
// otherwise.
#pragma once

#include <cstdint>
#include <string>

#include "sweep/evaluate.h"

namespace tessera::sweep {

struct RunOptions {
  std::string out;
  int jobs = 1;
  bool resume = false;
  int64_t begin = 0, end = -1;  // the slice of the full product (a shard); -1: to the end
  bool quiet = false;
};

struct RunSummary {
  int64_t points = 0;    // meeting the constraints, in the slice
  int64_t resumed = 0;   // already in the results
  int64_t evaluated = 0, illegal = 0;
  double seconds = 0;
  LayerSearchStats search;
};

// What identifies the results a spec produces (base config, workloads, search objective): --resume
// and merge refuse results with another fingerprint.
std::string spec_fingerprint(const Spec& spec);

RunSummary run_sweep(const Spec& spec, Evaluator& ev, const RunOptions& opt);

}  // namespace tessera::sweep
