// Model-only evaluation of a sweep point (see evaluate.h).
#include "sweep/evaluate.h"

#include <chrono>
#include <cstdio>

#include "compiler/compile_error.h"
#include "compiler/search/eltwise_cost.h"

namespace tessera::sweep {

using namespace tessera::compiler;
using namespace tessera::compiler::search;
using json = nlohmann::ordered_json;

namespace {

std::string compact(const Schedule& s) {
  char b[96];
  const char* axis = "chw";  // LoopAxis CO, H, W
  std::snprintf(b, sizeof b, "%lldx%lldx%lldx%lld/b%lld/%c%c%c", (long long)s.tile_h, (long long)s.tile_w,
                (long long)s.tile_ci, (long long)s.tile_co, (long long)(s.oc_nthread * s.h_nthread), axis[int(s.order[0])],
                axis[int(s.order[1])], axis[int(s.order[2])]);
  return b;
}

}  // namespace

Evaluator::Evaluator(const Spec& spec) : spec_(spec), workloads_(spec) {
  const char* keys[4] = {"uop", "inp", "wgt", "acc"};
  for (int i = 0; i < 4; ++i) {
    max_sram_[i] = spec.base.value("sram_bytes", json::object()).value(keys[i], int64_t{0});
    for (const Axis& a : spec.axes)
      if (a.field == std::string("sram_bytes.") + keys[i])
        for (double v : a.values) max_sram_[i] = std::max(max_sram_[i], int64_t(v));
  }
}

Evaluator::Eltwise Evaluator::eltwise(const std::string& key, const Layer& l, const DerivedConfig& cfg) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = eltwise_memo_.find(key);
    if (it != eltwise_memo_.end()) return it->second;
  }
  const SegmentCost c = eltwise_cost(l, nullptr, cfg);
  const Eltwise e{c.cycles, c.dram_read + c.dram_written};
  std::lock_guard<std::mutex> lock(mu_);
  eltwise_memo_.emplace(key, e);
  return e;
}

json Evaluator::evaluate(const Point& p) {
  const auto t0 = std::chrono::steady_clock::now();
  json r;
  r["id"] = p.id;
  r["index"] = p.index;
  json values = json::object();
  for (const auto& [k, v] : p.values) values[k] = k == "clock_mhz" ? json(v) : json(int64_t(v));
  r["values"] = values;
  const auto illegal = [&](const std::string& why) {
    r["status"] = "illegal";
    r["reason"] = why;
    r["config"] = p.config;
    return r;
  };
  DerivedConfig cfg;
  try {
    cfg = derive(parse_config(p.config.dump(), "point " + p.id), "point " + p.id);
  } catch (const ConfigError& e) {
    return illegal(e.what());
  }
  r["hash"] = cfg.hash_hex();
  const double peak = double(cfg.hw.batch) * cfg.hw.block_in * cfg.hw.block_out;
  LayerSearcher::Limits lim;
  lim.uop = max_sram_[0] / cfg.uop_bytes(), lim.inp = max_sram_[1] / cfg.inp.elem_bytes;
  lim.wgt = max_sram_[2] / cfg.wgt.elem_bytes, lim.acc = max_sram_[3] / cfg.acc.elem_bytes;
  const Objective objective = parse_objective(spec_.search_objective);
  const std::string cfg_key = canonical_json(cfg.hw, false);

  double total_cycles = 0, total_macs = 0;
  int64_t total_bytes = 0, max_inp = 0, max_wgt = 0, max_acc = 0;
  json wls = json::array();
  for (size_t w = 0; w < spec_.workloads.size(); ++w) {
    const Workload& wl = spec_.workloads[w];
    LayerList layers;
    try {
      layers = workloads_.layers(w, cfg);
    } catch (const std::exception& e) {
      return illegal("workload " + wl.name + ": " + e.what());
    }
    double cycles = 0, macs = 0;
    int64_t bytes = 0;
    json per = json::array();
    for (const WorkLayer& l : *layers) {
      json lj;
      double lc = 0;
      int64_t lb = 0;
      if (l.searched) {
        const auto best = searcher_.search(l.lp, cfg, objective, lim);
        if (!best) return illegal("workload " + wl.name + " layer " + l.name + ": no legal schedule (the SRAMs cannot hold a tile)");
        const Cost& c = best->cost;
        lc = c.cycles + l.halo_cycles, lb = c.dram_read + c.dram_written + l.halo_bytes;
        max_inp = std::max(max_inp, c.inp_sram), max_wgt = std::max(max_wgt, c.wgt_sram), max_acc = std::max(max_acc, c.acc_sram);
        if (per_layer)
          lj = {{"schedule", compact(best->schedule)}, {"inp", c.inp_sram}, {"wgt", c.wgt_sram}, {"acc", c.acc_sram}};
      } else if (l.segment) {
        lc = l.segment_cycles + l.halo_cycles, lb = l.segment_bytes + l.halo_bytes;
      } else {
        Eltwise e;
        try {
          e = eltwise(wl.name + "|" + l.name + "|" + cfg_key, l.layer, cfg);
        } catch (const std::exception& ex) {
          return illegal("workload " + wl.name + " layer " + l.name + ": " + ex.what());
        }
        lc = e.cycles, lb = e.bytes;
      }
      cycles += double(l.count) * lc, macs += double(l.count) * double(l.macs), bytes += l.count * lb;
      if (per_layer) {
        json row = {{"name", l.name}, {"op", l.op}, {"count", l.count}, {"macs", l.macs}, {"cycles", lc},
                    {"compute_bound", double(l.macs) / peak}, {"memory_bound", double(lb) / cfg.hw.dram_bytes_per_cycle},
                    {"dram_bytes", lb}, {"util", lc > 0 ? double(l.macs) / (lc * peak) : 0.0}};
        for (auto it = lj.begin(); it != lj.end(); ++it) row[it.key()] = it.value();
        per.push_back(row);
      }
    }
    total_cycles += wl.weight * cycles, total_macs += wl.weight * macs, total_bytes += int64_t(wl.weight * double(bytes));
    json wj = {{"name", wl.name}, {"cycles", cycles}, {"macs", macs}, {"util", cycles > 0 ? macs / (cycles * peak) : 0.0},
               {"dram_bytes", bytes}, {"latency_us", cycles / cfg.hw.clock_mhz}};
    if (workloads_.skipped(w)) wj["skipped_rows"] = workloads_.skipped(w);
    if (per_layer) wj["layers"] = per;
    wls.push_back(wj);
  }
  r["status"] = "ok";
  r["gemm"] = std::to_string(cfg.hw.batch) + "x" + std::to_string(cfg.hw.block_in) + "x" + std::to_string(cfg.hw.block_out);
  r["macs_per_cycle"] = peak;
  r["cycles"] = total_cycles;
  r["latency_us"] = total_cycles / cfg.hw.clock_mhz;
  r["throughput"] = total_cycles > 0 ? cfg.hw.clock_mhz * 1e6 / total_cycles : 0.0;  // weighted inferences per second
  r["macs"] = total_macs;
  r["util"] = total_cycles > 0 ? total_macs / (total_cycles * peak) : 0.0;
  r["dram_bytes"] = total_bytes;
  r["sram_bytes"] = cfg.hw.uop_bytes + cfg.hw.inp_bytes + cfg.hw.wgt_bytes + cfg.hw.acc_bytes;
  r["sram_occupancy"] = {{"inp", double(max_inp) / double(cfg.inp.depth)},
                         {"wgt", double(max_wgt) / double(cfg.wgt.depth)},
                         {"acc", double(max_acc) / double(cfg.acc.depth)}};
  r["area"] = area ? area(cfg) : json(nullptr);
  r["workloads"] = wls;
  r["config"] = p.config;
  r["eval_ms"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace tessera::sweep
