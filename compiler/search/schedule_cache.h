// Persistent schedule database (search once per shape, keep the result): a JSON file keyed by the
// canonical layer descriptor, config hash, compiler + cost-model version and objective. Entries are
// re-checked for legality when used; a corrupt or stale file is ignored with a warning.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/search/cost_model.h"
#include "compiler/search/search.h"

namespace tessera::compiler::search {

// Changes whenever the lowering or the cost model (including its calibrated constants) changes.
std::string search_version();

class ScheduleCache {
 public:
  // Reads `path` if it exists; problems become warnings and an empty cache, never an exception.
  explicit ScheduleCache(std::string path);
  // The cached schedule, if present and still legal for this layer and config.
  std::optional<Schedule> find(const LayerProblem& lp, const DerivedConfig& cfg, Objective o);
  void put(const LayerProblem& lp, const DerivedConfig& cfg, Objective o, const Schedule& s, double cycles);
  // Writes atomically (temporary file + rename); throws std::runtime_error naming the path.
  void save() const;
  const std::vector<std::string>& warnings() const { return warnings_; }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string key;
    Schedule schedule;
    double cycles = 0;
  };
  std::string path_;
  std::vector<Entry> entries_;
  std::vector<std::string> warnings_;
};

// A search backed by the cache: a hit skips the search; a miss searches and stores the winner.
Schedule cached_search(const LayerProblem& lp, const CostModel& model, ScheduleCache* cache, const SearchOptions& opt);

// What compile_model uses when no schedule is given: the latency-optimal schedule of `layer` (a
// CONV2D/DENSE/GLOBAL_AVG_POOL), through the cache at `cache_path` unless it is empty (saved after a
// miss). Cache problems (corrupt, stale, illegal entries, a failed save) are appended to `warnings`.
Schedule searched_schedule(const Layer& layer, const DerivedConfig& cfg, IsaTarget isa, const std::string& cache_path,
                           std::vector<std::string>& warnings);

}  // namespace tessera::compiler::search
