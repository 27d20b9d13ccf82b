// Which header flag of each unit pops or pushes which token queue (VTA's wiring, as in sim/fsim).
#pragma once

#include "sim/fsim/fsim.h"

namespace tessera {

// Queue index (TokenQueue value) per flag, or -1 when the unit has no queue on that side.
struct TokenWiring {
  int pop_prev, pop_next, push_prev, push_next;
};

inline const TokenWiring& token_wiring(Unit u) {
  constexpr int L2G = int(TokenQueue::L2G), G2L = int(TokenQueue::G2L), G2S = int(TokenQueue::G2S),
                S2G = int(TokenQueue::S2G);
  static const TokenWiring k[kNumUnits] = {
      {-1, G2L, -1, L2G},     // load
      {L2G, S2G, G2L, G2S},   // compute
      {G2S, -1, S2G, -1},     // store
  };
  return k[static_cast<int>(u)];
}

}  // namespace tessera
