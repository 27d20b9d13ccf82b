// Static dependency-token checking: can the three units run a program to the end without deadlock?
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/insn.h"

namespace tessera {

// VTA's four token queues: l2g (load->compute), g2l (compute->load), g2s (compute->store), s2g (store->compute).
constexpr int kNumTokenQueues = 4;
const char* token_queue_label(int queue);

struct TokenIssue {
  int64_t insn_index;  // the instruction the problem is attributed to
  std::string message;
};

// Routes every instruction to its unit, as fetch does, and runs the units against unbounded token
// queues (pops before, pushes after). Reports, in instruction order: flags a unit has no queue for
// (the load unit's *_prev, the store unit's *_next); the first instruction of every unit that can
// never execute because no legal schedule delivers the tokens it pops; and tokens left over at the
// end (per-queue pushes and pops must balance). Empty when the program is balanced and deadlock-free.
std::vector<TokenIssue> check_token_balance(const std::vector<Insn>& insns);

}  // namespace tessera
