// Token-balance check: simulates the three units over unbounded token queues.
#include "isa/tokens.h"

#include <algorithm>
#include <array>
#include <deque>

namespace tessera {
namespace {

enum Queue { L2G, G2L, G2S, S2G };
constexpr int kNone = -1;

// The dependency flags in header order, and the queue each one uses on each unit (VTA's wiring).
constexpr Field kFlags[4] = {Field::POP_PREV, Field::POP_NEXT, Field::PUSH_PREV, Field::PUSH_NEXT};
constexpr bool kIsPop[4] = {true, true, false, false};
constexpr int kQueueOf[kNumUnits][4] = {
    /* load    */ {kNone, G2L, kNone, L2G},
    /* compute */ {L2G, S2G, G2L, G2S},
    /* store   */ {G2S, kNone, S2G, kNone},
};

std::string describe(const std::vector<Insn>& insns, size_t i) {
  const Unit u = route(insns[i]);
  const OpcodeInfo* op = find_opcode(int(insns[i].opcode()));
  return "instruction " + std::to_string(i) + " (" + (op ? op->name : "?") + ", " + unit_name(u) + " unit)";
}

}  // namespace

const char* token_queue_label(int queue) {
  static constexpr const char* kNames[] = {"l2g (load->compute)", "g2l (compute->load)", "g2s (compute->store)",
                                           "s2g (store->compute)"};
  return queue >= 0 && queue < kNumTokenQueues ? kNames[queue] : "?";
}

std::vector<TokenIssue> check_token_balance(const std::vector<Insn>& insns) {
  std::vector<TokenIssue> issues;
  std::array<std::vector<size_t>, kNumUnits> order;  // each unit's instructions, in program order
  for (size_t i = 0; i < insns.size(); ++i) {
    if (!find_opcode(int(insns[i].opcode()))) {
      issues.push_back({int64_t(i), "instruction " + std::to_string(i) + " has an undefined opcode"});
      continue;
    }
    const int u = int(route(insns[i]));
    for (int k = 0; k < 4; ++k)
      if (insns[i][kFlags[k]] != 0 && kQueueOf[u][k] == kNone)
        issues.push_back({int64_t(i), describe(insns, i) + " sets " + field_info(kFlags[k]).asm_name + ", but the " +
                                          unit_name(Unit(u)) + " unit has no such token queue"});
    order[u].push_back(i);
  }

  // Greedy execution is exact here: with unbounded queues, running a unit never blocks another.
  std::array<int64_t, kNumTokenQueues> tokens{};
  std::array<std::deque<size_t>, kNumTokenQueues> pushers;  // instructions whose tokens are still queued
  std::array<size_t, kNumUnits> next{};
  auto ready = [&](size_t i, int u) {
    for (int k = 0; k < 4; ++k)
      if (kIsPop[k] && insns[i][kFlags[k]] != 0 && kQueueOf[u][k] != kNone && tokens[kQueueOf[u][k]] == 0) return false;
    return true;
  };
  for (bool progress = true; progress;) {
    progress = false;
    for (int u = 0; u < kNumUnits; ++u) {
      for (; next[u] < order[u].size() && ready(order[u][next[u]], u); ++next[u], progress = true) {
        const size_t i = order[u][next[u]];
        for (int k = 0; k < 4; ++k) {
          const int q = kQueueOf[u][k];
          if (q == kNone || insns[i][kFlags[k]] == 0) continue;
          if (kIsPop[k]) {
            --tokens[q];
            pushers[q].pop_front();
          } else {
            ++tokens[q];
            pushers[q].push_back(i);
          }
        }
      }
    }
  }

  bool deadlocked = false;
  for (int u = 0; u < kNumUnits; ++u) {
    if (next[u] == order[u].size()) continue;
    deadlocked = true;
    const size_t i = order[u][next[u]];
    std::string waits;
    for (int k = 0; k < 4; ++k) {
      const int q = kQueueOf[u][k];
      if (kIsPop[k] && q != kNone && insns[i][kFlags[k]] != 0 && tokens[q] == 0)
        waits += std::string(waits.empty() ? "" : " and ") + token_queue_label(q);
    }
    issues.push_back({int64_t(i), describe(insns, i) + " can never execute: it pops " + waits +
                                      ", which no schedule of the other units ever fills (deadlock)"});
  }
  if (!deadlocked) {
    for (int q = 0; q < kNumTokenQueues; ++q)
      if (tokens[q] > 0)
        issues.push_back({int64_t(pushers[q].front()),
                          std::to_string(tokens[q]) + " token(s) pushed into " + token_queue_label(q) +
                              " are never popped; the first comes from " + describe(insns, pushers[q].front())});
  }
  std::stable_sort(issues.begin(), issues.end(),
                   [](const TokenIssue& a, const TokenIssue& b) { return a.insn_index < b.insn_index; });
  return issues;
}

}  // namespace tessera
