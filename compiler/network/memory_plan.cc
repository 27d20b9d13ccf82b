// Memory pass: activation buffers placed by liveness, so DRAM holds the live tensors, not all of them.
#include <algorithm>

#include "compiler/network/passes.h"

namespace tessera::compiler {
namespace {

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct Interval {
  uint64_t at, end;
  int64_t first, last;  // node indices where the bytes are live
};

}  // namespace

uint64_t plan_memory(const Network& net, Plans& plans, uint64_t base) {
  constexpr uint64_t kAlign = 64;
  const auto forever = int64_t(net.nodes.size());
  std::map<std::string, std::pair<int64_t, int64_t>> live;  // tensor (alias roots) -> first, last node
  const auto root = [&](const std::string& t) { return plans.at(t).alias_of.empty() ? t : plans.at(t).alias_of; };
  const auto touch = [&](const std::string& t, int64_t i) {
    auto [it, fresh] = live.emplace(root(t), std::make_pair(i, i));
    if (!fresh) it->second.first = std::min(it->second.first, i), it->second.second = std::max(it->second.second, i);
  };
  for (const auto& t : net.inputs) touch(t, -1);
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    for (const auto& t : net.nodes[i].inputs) touch(t, int64_t(i));
    for (const auto& t : net.nodes[i].outputs) touch(t, int64_t(i));
  }
  for (const auto& t : net.outputs) touch(t, forever);
  for (const auto& t : net.inputs) live.at(root(t)).second = forever;  // the caller's data stays intact
  for (const auto& t : net.outputs) live.at(root(t)).first = -1;

  // Largest first, each at the lowest offset free over its whole lifetime.
  std::vector<std::string> order;
  for (const auto& [name, l] : live) order.push_back(name);
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    return plans.at(a).bytes > plans.at(b).bytes;
  });
  std::vector<Interval> placed;
  uint64_t top = 0;
  for (const auto& name : order) {
    TensorPlan& p = plans.at(name);
    const auto [first, last] = live.at(name);
    const uint64_t need = p.bytes + p.slack_bytes;
    std::vector<Interval> busy;
    for (const Interval& iv : placed)
      if (iv.first <= last && first <= iv.last) busy.push_back(iv);
    std::sort(busy.begin(), busy.end(), [](const Interval& a, const Interval& b) { return a.at < b.at; });
    uint64_t at = 0;
    for (const Interval& iv : busy) {
      if (at + need <= iv.at) break;
      at = std::max(at, round_up(iv.end, kAlign));
    }
    placed.push_back({at, at + need, first, last});
    top = std::max(top, at + need);
    p.offset = base + at;
  }
  for (auto& [name, p] : plans)
    if (!p.alias_of.empty()) p.offset = plans.at(p.alias_of).offset;
  return round_up(top, kAlign);
}

}  // namespace tessera::compiler
