// Persistent schedule database (search once per shape, keep the result): a JSON file keyed by the
// canonical layer descriptor, config hash, compiler + cost-model version and objective. Entries are
// re-checked for legality when used; a corrupt or stale file is ignored with a warning. Configs in
// configs/ ship a read-only database (configs/schedules/), consulted after the user's cache.
#pragma once

#include <initializer_list>
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
  // `kind` names the file in reports ("schedule cache", "shipped database").
  explicit ScheduleCache(std::string path, std::string kind = "schedule cache");
  // The cached schedule, if present and still legal for this layer and config.
  std::optional<Schedule> find(const LayerProblem& lp, const DerivedConfig& cfg, Objective o);
  void put(const LayerProblem& lp, const DerivedConfig& cfg, Objective o, const Schedule& s, double cycles);
  // Writes atomically (temporary file + rename); throws std::runtime_error naming the path.
  void save() const;
  const std::vector<std::string>& warnings() const { return warnings_; }
  size_t size() const { return entries_.size(); }
  std::string label() const { return kind_ + " " + path_; }

 private:
  struct Entry {
    std::string key;
    Schedule schedule;
    double cycles = 0;
  };
  std::string path_, kind_;
  std::vector<Entry> entries_;
  std::vector<std::string> warnings_;
};

// The read-only schedule database shipped for a config file: schedules/<name>.json next to it
// (configs/default.json -> configs/schedules/default.json). Written by scripts/ship_schedules.sh.
std::string shipped_database_path(const std::string& config_file);

// A schedule found in the first of `caches` (null ones skipped) that has a legal entry, with the
// label of the file it came from.
struct CacheHit {
  Schedule schedule;
  std::string origin;
};
std::optional<CacheHit> find_cached(const LayerProblem& lp, const DerivedConfig& cfg, Objective o,
                                    std::initializer_list<ScheduleCache*> caches);

// A search backed by caches: a hit in `cache`, then in `shipped` (read only), skips the search; a
// miss searches and stores the winner in `cache`. `origin`, if given, receives where it came from
// ("search" or a cache's label).
Schedule cached_search(const LayerProblem& lp, const CostModel& model, ScheduleCache* cache, const SearchOptions& opt,
                       ScheduleCache* shipped = nullptr, std::string* origin = nullptr);

// What compile_model uses when no schedule is given: the latency-optimal schedule of `layer` (a
// CONV2D/DENSE/GLOBAL_AVG_POOL), through the cache at `cache_path` unless it is empty (saved after a
// miss), then the shipped database at `shipped_path` unless it is empty. Cache problems (corrupt,
// stale, illegal entries, a failed save) are appended to `warnings`; `origin` as for cached_search.
Schedule searched_schedule(const Layer& layer, const DerivedConfig& cfg, IsaTarget isa, const std::string& cache_path,
                           std::vector<std::string>& warnings, const std::string& shipped_path = "",
                           std::string* origin = nullptr);

}  // namespace tessera::compiler::search
