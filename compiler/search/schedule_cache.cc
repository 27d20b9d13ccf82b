// Schedule cache: strict reading (any malformed entry invalidates the file), legality re-check on use.
#include "compiler/search/schedule_cache.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "compiler/compile_error.h"
#include "isa/text_file.h"

namespace tessera::compiler::search {
namespace {

constexpr const char* kFormat = "tessera-schedule-cache";
constexpr int kLowering = 2;  // bump when lower_conv or lower_block changes the instruction stream
constexpr int kModel = 2;     // bump when the cost model's formulas change

std::string key_of(const LayerProblem& lp, const DerivedConfig& cfg, Objective o) {
  return lp.descriptor() + "|" + cfg.hash_hex() + "|" + objective_name(o);
}

// A block's layers as their own problems (what its lowering depends on: shapes and epilogues); block
// searches minimize latency.
std::string block_key(const ConvBlock& blk, const DerivedConfig& cfg) {
  std::string d = "block";
  for (const Layer* l : blk.layers()) d += " " + layer_problem(*l, cfg, IsaTarget::TESSERA).descriptor() + ";";
  return d + "|" + cfg.hash_hex() + "|" + objective_name(Objective::LATENCY);
}

BlockSchedule parse_block_schedule(const nlohmann::json& j) {
  BlockSchedule s;
  s.tile_h = j.at("tile_h").get<int64_t>(), s.tile_w = j.at("tile_w").get<int64_t>();
  s.tile_e = j.at("tile_e").get<int64_t>(), s.bufs = j.at("bufs").get<int64_t>();
  s.overlap = j.at("overlap").get<int64_t>();
  if (j.size() != 5) throw std::runtime_error("block schedule " + j.dump() + " has fields other than tile_h, tile_w, tile_e, bufs, overlap");
  return s;
}

}  // namespace

std::string search_version() {
  const CostParams& p = kCalibrated;
  char buf[256];
  std::snprintf(buf, sizeof buf, "lowering %d, model %d, params %g %g %g %g %g %g %g", kLowering, kModel, p.load_insn,
                p.load_row, p.store_insn, p.store_row, p.compute_insn, p.drain, p.start);
  return buf;
}

ScheduleCache::ScheduleCache(std::string path, std::string kind) : path_(std::move(path)), kind_(std::move(kind)) {
  const auto text = read_text_file(path_);
  if (!text) return;  // no cache yet
  try {
    const auto j = nlohmann::json::parse(*text);
    if (!j.is_object() || j.value("format", "") != kFormat) throw std::runtime_error("not a " + std::string(kFormat) + " file");
    if (j.value("version", "") != search_version()) {
      warnings_.push_back(path_ + ": stale " + kind_ + " (written by '" + j.value("version", "?") + "', this is '" +
                          search_version() + "'); ignored");
      return;
    }
    std::vector<Entry> entries;
    for (const auto& e : j.at("entries")) {
      Entry en;
      en.key = e.at("key").get<std::string>();
      if (e.contains("block")) en.block = parse_block_schedule(e.at("block"));
      else en.schedule = parse_schedule(e.at("schedule").dump(), path_ + " entry '" + en.key + "'");
      en.cycles = e.at("cycles").get<double>();
      entries.push_back(std::move(en));
    }
    entries_ = std::move(entries);
  } catch (const std::exception& e) {
    warnings_.push_back(path_ + ": corrupt " + kind_ + " ignored: " + e.what());
  }
}

ScheduleCache::Entry* ScheduleCache::entry(const std::string& key) {
  for (auto& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

std::optional<Schedule> ScheduleCache::find(const LayerProblem& lp, const DerivedConfig& cfg, Objective o) {
  const std::string key = key_of(lp, cfg, o);
  const Entry* e = entry(key);
  if (!e) return std::nullopt;
  const auto issues = schedule_issues(lp.g, e->schedule, cfg, lp.with_multipliers);
  if (issues.empty() && CostModel(cfg).evaluate(lp, e->schedule).uop_fits) return e->schedule;
  warnings_.push_back(path_ + ": cached schedule for '" + key + "' is illegal (" +
                      (issues.empty() ? std::string("micro-op buffer") : issues[0]) + "); searching again");
  return std::nullopt;
}

void ScheduleCache::put(const LayerProblem& lp, const DerivedConfig& cfg, Objective o, const Schedule& s, double cycles) {
  const std::string key = key_of(lp, cfg, o);
  if (Entry* e = entry(key)) e->schedule = s, e->cycles = cycles;
  else entries_.push_back({key, s, std::nullopt, cycles});
}

std::optional<BlockChoice> ScheduleCache::find_block(const ConvBlock& blk, const DerivedConfig& cfg) {
  const std::string key = block_key(blk, cfg);
  const Entry* e = entry(key);
  if (!e || !e->block) return std::nullopt;
  std::vector<std::string> issues;
  plan_block(blk, *e->block, cfg, &issues);
  if (issues.empty()) return BlockChoice{*e->block, e->cycles};
  warnings_.push_back(path_ + ": cached schedule for '" + key + "' is illegal (" + issues[0] + "); searching again");
  return std::nullopt;
}

void ScheduleCache::put_block(const ConvBlock& blk, const DerivedConfig& cfg, const BlockChoice& c) {
  const std::string key = block_key(blk, cfg);
  if (Entry* e = entry(key)) e->block = c.schedule, e->cycles = c.cycles;
  else entries_.push_back({key, {}, c.schedule, c.cycles});
}

void ScheduleCache::save() const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["version"] = search_version();
  j["entries"] = nlohmann::ordered_json::array();
  for (const auto& e : entries_)
    j["entries"].push_back({{"key", e.key},
                            {e.block ? "block" : "schedule",
                             nlohmann::ordered_json::parse(e.block ? block_schedule_json(*e.block) : schedule_json(e.schedule))},
                            {"cycles", e.cycles}});
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream f(tmp);
    if (!(f << j.dump(1) << "\n")) throw std::runtime_error(path_ + ": cannot write schedule cache");
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) throw std::runtime_error(path_ + ": cannot replace schedule cache");
}

std::string shipped_database_path(const std::string& config_file) {
  const size_t slash = config_file.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : config_file.substr(0, slash + 1);
  std::string name = config_file.substr(dir.size());
  if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) name.resize(name.size() - 5);
  return dir + "schedules/" + name + ".json";
}

std::optional<CacheHit> find_cached(const LayerProblem& lp, const DerivedConfig& cfg, Objective o,
                                    std::initializer_list<ScheduleCache*> caches) {
  for (ScheduleCache* c : caches)
    if (c)
      if (auto s = c->find(lp, cfg, o)) return CacheHit{*s, c->label()};
  return std::nullopt;
}

Schedule cached_search(const LayerProblem& lp, const CostModel& model, ScheduleCache* cache, const SearchOptions& opt,
                       ScheduleCache* shipped, std::string* origin) {
  if (auto hit = find_cached(lp, model.config(), opt.objective, {cache, shipped})) {
    if (origin) *origin = hit->origin;
    return hit->schedule;
  }
  const SearchResult r = search_layer(lp, model, opt);
  if (r.top.empty()) throw CompileError("no legal schedule in the search space (" + std::to_string(r.space_size) + " points)");
  if (cache) cache->put(lp, model.config(), opt.objective, r.top[0].schedule, r.top[0].cost.cycles);
  if (origin) *origin = "search";
  return r.top[0].schedule;
}

namespace {

// Opens the user's cache and the shipped database (an empty path: none) for `lookup` (a cached
// search), collects their warnings and saves the cache when `lookup` searched (a new or replaced entry).
template <class Lookup>
auto through_caches(const std::string& cache_path, const std::string& shipped_path, std::vector<std::string>& warnings,
                    std::string* origin, Lookup lookup) {
  std::optional<ScheduleCache> cache, shipped;
  if (!cache_path.empty()) cache.emplace(cache_path);
  if (!shipped_path.empty()) shipped.emplace(shipped_path, "shipped database");
  std::string from;
  auto result = lookup(cache ? &*cache : nullptr, shipped ? &*shipped : nullptr, &from);
  for (const auto* c : {&cache, &shipped})
    if (*c) warnings.insert(warnings.end(), (*c)->warnings().begin(), (*c)->warnings().end());
  if (cache && from == "search") {
    try {
      cache->save();
    } catch (const std::exception& e) {
      warnings.push_back(e.what());
    }
  }
  if (origin) *origin = from;
  return result;
}

}  // namespace

Schedule searched_schedule(const Layer& layer, const DerivedConfig& cfg, IsaTarget isa, const std::string& cache_path,
                           std::vector<std::string>& warnings, const std::string& shipped_path, std::string* origin) {
  const LayerProblem lp = layer_problem(layer, cfg, isa);
  const CostModel model(cfg);
  return through_caches(cache_path, shipped_path, warnings, origin,
                        [&](ScheduleCache* cache, ScheduleCache* shipped, std::string* from) {
                          return cached_search(lp, model, cache, {}, shipped, from);
                        });
}

BlockChoice cached_block_search(const ConvBlock& blk, const DerivedConfig& cfg, ScheduleCache* cache,
                                ScheduleCache* shipped, std::string* origin) {
  for (ScheduleCache* c : {cache, shipped})
    if (c)
      if (auto hit = c->find_block(blk, cfg)) {
        if (origin) *origin = c->label();
        return *hit;
      }
  const BlockChoice best = search_block(blk, cfg);
  if (cache) cache->put_block(blk, cfg, best);
  if (origin) *origin = "search";
  return best;
}

BlockChoice searched_block(const ConvBlock& blk, const DerivedConfig& cfg, const std::string& cache_path,
                           std::vector<std::string>& warnings, const std::string& shipped_path, std::string* origin) {
  return through_caches(cache_path, shipped_path, warnings, origin,
                        [&](ScheduleCache* cache, ScheduleCache* shipped, std::string* from) {
                          return cached_block_search(blk, cfg, cache, shipped, from);
                        });
}

}  // namespace tessera::compiler::search
