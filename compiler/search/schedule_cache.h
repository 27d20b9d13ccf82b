// Persistent schedule database (search once per shape, keep the result): a JSON file keyed by the
// canonical layer descriptor (a fused block's: its layers' descriptors), config hash, compiler +
// cost-model version and objective. Entries are re-checked for legality when used; a corrupt or stale
// file is ignored with a warning. Configs in configs/ ship a read-only database (configs/schedules/),
// consulted after the user's cache.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "compiler/conv_block.h"
#include "compiler/search/block_search.h"
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
  // A fused block's searched schedule and predicted cycles (latency), if present and still legal.
  std::optional<BlockChoice> find_block(const ConvBlock& blk, const DerivedConfig& cfg);
  void put_block(const ConvBlock& blk, const DerivedConfig& cfg, const BlockChoice& c);
  // Writes atomically (temporary file + rename); throws std::runtime_error naming the path.
  void save() const;
  const std::vector<std::string>& warnings() const { return warnings_; }
  size_t size() const { return entries_.size(); }
  std::string label() const { return kind_ + " " + path_; }

 private:
  struct Entry {
    std::string key;
    Schedule schedule;                  // a layer's entry
    std::optional<BlockSchedule> block;  // or a fused block's
    double cycles = 0;
  };
  // The entry under `key`, or null.
  Entry* entry(const std::string& key);
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

// A block search backed by caches, as cached_search is for layers (search_block on a miss).
BlockChoice cached_block_search(const ConvBlock& blk, const DerivedConfig& cfg, ScheduleCache* cache,
                                ScheduleCache* shipped = nullptr, std::string* origin = nullptr);

// What compile_model uses when no schedule is given: the latency-optimal schedule of `layer` (a
// CONV2D/DENSE/GLOBAL_AVG_POOL), through the cache at `cache_path` unless it is empty (saved after a
// miss), then the shipped database at `shipped_path` unless it is empty. Cache problems (corrupt,
// stale, illegal entries, a failed save) are appended to `warnings`; `origin` as for cached_search.
Schedule searched_schedule(const Layer& layer, const DerivedConfig& cfg, IsaTarget isa, const std::string& cache_path,
                           std::vector<std::string>& warnings, const std::string& shipped_path = "",
                           std::string* origin = nullptr);
// The same for a fused block (the network compiler's fusion pass): the fastest schedule and its cycles.
BlockChoice searched_block(const ConvBlock& blk, const DerivedConfig& cfg, const std::string& cache_path,
                           std::vector<std::string>& warnings, const std::string& shipped_path = "",
                           std::string* origin = nullptr);

}  // namespace tessera::compiler::search
