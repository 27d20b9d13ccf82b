// Exhaustive branch-and-bound search of a layer's schedule space under the cost model: exact within
// the model, deterministic for any thread count, optionally stopped by a time budget.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/search/cost_model.h"
#include "compiler/search/schedule_space.h"

namespace tessera::compiler::search {

enum class Objective : uint8_t { LATENCY, DRAM_TRAFFIC };
const char* objective_name(Objective o);
Objective parse_objective(const std::string& name);  // "latency" | "dram"; throws std::invalid_argument

struct SearchOptions {
  Objective objective = Objective::LATENCY;
  int threads = 1;
  double time_budget_s = 0;  // 0: no budget (always proven optimal)
  int keep_top = 5;          // the best schedules reported (the winner first)
};

struct Candidate {
  Schedule schedule;
  Cost cost;
  int64_t index = 0;  // in the space; the last tie-break
};

struct SearchResult {
  std::vector<Candidate> top;  // best first; empty when nothing is legal
  bool optimal = false;        // every schedule that could beat top.back() was evaluated
  int64_t space_size = 0, legal = 0, evaluated = 0;
  double seconds = 0;
};

// Lexicographic objective: latency = (cycles, DRAM bytes, index); traffic = (bytes, cycles, index).
bool better(const Candidate& a, const Candidate& b, Objective o);

// Why `loser` costs more than `winner`: the terms of the model that differ most, in words.
std::string explain_loss(const Cost& winner, const Cost& loser);

SearchResult search_layer(const LayerProblem& lp, const CostModel& model, const SearchOptions& opt = {});

}  // namespace tessera::compiler::search
