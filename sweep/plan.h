// Sweeps on a cluster through existing engines: `plan` splits the full product into index ranges
// (shards) and writes a GNU parallel job list (one `tessera sweep --range` command per line) and a
// Slurm job-array script (`sbatch --array=0-N-1`); every shard writes its own results directory and
// resumes like a local run. `merge` combines shard results (same spec fingerprint required, points
// deduplicated by id) into one results.jsonl.
#pragma once

#include <string>
#include <vector>

#include "sweep/spec.h"

namespace tessera::sweep {

struct Plan {
  int shards = 0;
  int64_t points = 0;  // the full product
  std::string job_list, slurm_script;
};

// `tessera` is the binary the jobs run (an absolute path); `jobs` the threads per shard.
Plan write_plan(const std::string& spec_path, const Spec& spec, const std::string& out_dir, int shards,
                const std::string& tessera, int jobs);

// Returns the number of distinct points written to out_dir/results.jsonl.
size_t merge_results(const std::vector<std::string>& dirs, const std::string& out_dir);

}  // namespace tessera::sweep
