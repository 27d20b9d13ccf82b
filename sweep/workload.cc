// Loading of sweep workloads and their layers per config.
#include "sweep/workload.h"

#include <fstream>
#include <sstream>

#include "compiler/compile.h"
#include "compiler/import/json_import.h"
#include "compiler/import/onnx_import.h"
#include "compiler/import/random_layer.h"
#include "compiler/import/random_network.h"
#include "compiler/network/compile_network.h"
#include "compiler/search/block_search.h"
#include "compiler/network/passes.h"
#include "compiler/search/eltwise_cost.h"
#include "sweep/layer_search.h"

namespace tessera::sweep {

using namespace tessera::compiler;

namespace {

// Weights are dropped once loaded (memory and copies): schedule problems do not depend on them.
void strip(Layer& l) {
  l.weights.clear(), l.weights.shrink_to_fit();
}

std::string op_of(const Layer& l) { return layer_kind_label(l.kind) + (l.residual ? "+add" : ""); }

// One conv per table row (net,idx,layer,N,C,H,W,K,R,S,stride,pad,groups,...), grouped ones too:
// identical rows merge.
std::vector<WorkLayer> read_table(const std::string& path, bool pointwise_only, int64_t& skipped) {
  std::ifstream f(path);
  if (!f) throw SpecError(path + ": cannot open workload table");
  std::string line;
  std::getline(f, line);
  if (line.rfind("net,idx,layer,N,C,H,W,K,R,S,stride,pad,groups", 0) != 0)
    throw SpecError(path + ": line 1: expected the header net,idx,layer,N,C,H,W,K,R,S,stride,pad,groups,...");
  std::vector<WorkLayer> out;
  std::map<std::vector<int64_t>, size_t> seen;
  for (int row = 2; std::getline(f, line); ++row) {
    if (line.empty()) continue;
    std::vector<std::string> col;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) col.push_back(x);
    if (col.size() < 13) throw SpecError(path + ": line " + std::to_string(row) + ": expected at least 13 columns");
    std::vector<int64_t> v;
    try {
      for (int i = 3; i <= 12; ++i) v.push_back(std::stoll(col[size_t(i)]));
    } catch (const std::exception&) {
      throw SpecError(path + ": line " + std::to_string(row) + ": a number column is not an integer");
    }
    const int64_t n = v[0], c = v[1], h = v[2], w = v[3], k = v[4], r = v[5], s = v[6], stride = v[7], pad = v[8], groups = v[9];
    if (pointwise_only && r != 1) continue;
    // Grouped and depthwise rows run as grouped convs; non-square kernels have no lowering.
    if (r != s || groups < 1 || c % groups != 0 || k % groups != 0) {
      ++skipped;
      continue;
    }
    auto [it, fresh] = seen.insert({v, out.size()});
    if (!fresh) {
      ++out[it->second].count;
      continue;
    }
    RandomLayerSpec spec;
    spec.kind = LayerKind::CONV2D, spec.type = ElemType::UINT8, spec.n = n, spec.c = c, spec.h = h, spec.w = w, spec.k = k;
    spec.kernel = int(r), spec.stride = int(stride), spec.pad = int(pad), spec.group = int(groups), spec.per_channel = true,
    spec.relu = true;
    if (h == 1 && r == 1) spec.kind = LayerKind::DENSE;  // the classifier row (1x1 over 1x1)
    WorkLayer wl;
    wl.name = col[2], wl.layer = random_layer(spec, 1), wl.layer.name = col[2];
    wl.macs = layer_macs(wl.layer);
    strip(wl.layer);
    wl.op = op_of(wl.layer);
    out.push_back(std::move(wl));
  }
  return out;
}

}  // namespace

Workloads::Workloads(const Spec& spec) : spec_(spec) {
  for (const Workload& w : spec.workloads) {
    nets_.emplace_back();
    fixed_.emplace_back();
    skipped_.push_back(0);
    if (w.kind == WorkloadKind::ONNX) {
      nets_.back() = std::make_unique<Network>(import_onnx_network_file(w.path));
    } else if (w.kind == WorkloadKind::BUILTIN) {
      NetworkSpec ns;
      ns.arch = network_archs().at(w.path);  // the spec checked the name
      nets_.back() = std::make_unique<Network>(import_onnx_network(random_network(ns).onnx, w.path));
    } else if (w.kind == WorkloadKind::MODEL) {  // weights kept: layer_problem checks the bias folding
      for (const Layer& l : import_model_file(w.path).layers) {
        WorkLayer wl;
        wl.name = l.name, wl.layer = l, wl.op = op_of(l), wl.macs = layer_macs(l);
        wl.searched = l.kind == LayerKind::CONV2D || l.kind == LayerKind::DENSE || l.kind == LayerKind::GLOBAL_AVG_POOL;
        fixed_.back().push_back(std::move(wl));
      }
    } else {
      fixed_.back() = read_table(w.path, w.pointwise_only, skipped_.back());
      if (fixed_.back().empty()) throw SpecError(w.path + ": no conv the accelerator runs");
    }
  }
}

LayerList Workloads::layers(size_t w, const DerivedConfig& cfg) const {
  const std::string key =
      std::to_string(w) + "|" + (nets_[w] ? canonical_json(cfg.hw, false) : cost_family_key(cfg));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
  }
  std::vector<WorkLayer> out;
  if (nets_[w]) {
    Network passed = run_graph_passes(*nets_[w], cfg);
    Plans plans = plan_layouts(passed, cfg);
    plan_memory(passed, plans, 0);
    const auto buffer = [&](const std::string& name) {
      ActBuffer a = plans.at(name).buf;
      a.offset = plans.at(name).offset;
      return a;
    };
    for (NetNode& n : passed.nodes) {
      if (n.placement == Placement::ACCEL && n.block) {
        // A fused block is costed as a whole, as compile_network lowers it (its schedule searched here).
        const ConvBlock& blk = *n.block;
        WorkLayer wl;
        wl.name = n.name, wl.op = std::string("block") + (blk.project.residual ? "+add" : "");
        for (const Layer* l : blk.layers()) wl.macs += layer_macs(*l);
        const search::SegmentCost halo = search::fill_halo_cost(buffer(n.outputs[0]), cfg);
        const search::SegmentCost c = search::block_cost(blk, n.block_schedule, cfg);  // the pass's searched schedule
        wl.searched = false, wl.segment = true;
        wl.halo_cycles = halo.cycles, wl.halo_bytes = halo.dram_read + halo.dram_written;
        wl.segment_cycles = c.cycles, wl.segment_bytes = c.dram_read + c.dram_written;
        wl.layer = blk.project;
        out.push_back(std::move(wl));
        continue;
      }
      if (n.placement != Placement::ACCEL || !n.layer) continue;
      Layer& l = *n.layer;
      WorkLayer wl;
      wl.name = n.name, wl.op = op_of(l), wl.macs = layer_macs(l);
      // The network compiler lowers pools and unfused adds as vector-ALU segments, the rest as GEMMs;
      // each segment also fills its output's halo.
      wl.searched = !(l.kind == LayerKind::ADD || l.kind == LayerKind::MAX_POOL || l.kind == LayerKind::GLOBAL_AVG_POOL);
      const search::SegmentCost halo = search::fill_halo_cost(buffer(n.outputs[0]), cfg);
      wl.halo_cycles = halo.cycles, wl.halo_bytes = halo.dram_read + halo.dram_written;
      if (!wl.searched) {
        EltwiseIO io;
        for (const auto& in : n.inputs) io.in.push_back(buffer(in));
        io.out = buffer(n.outputs[0]);
        const search::SegmentCost seg = search::eltwise_cost(l, &io, cfg);
        wl.segment = true, wl.segment_cycles = seg.cycles, wl.segment_bytes = seg.dram_read + seg.dram_written;
      }
      wl.layer = std::move(l);  // the passes' copy: moved, not copied again
      out.push_back(std::move(wl));
    }
  } else {
    out = fixed_[w];
  }
  const std::string family = cost_family_key(cfg);
  for (WorkLayer& wl : out) {
    if (!wl.searched) continue;
    Layer& l = wl.layer;
    // The schedule problem depends on the layer (as the passes left it) and the cost family only.
    std::string lkey = std::to_string(w) + "|" + wl.name + "|" + wl.op + "|" + family + "|";
    for (int64_t d : l.inputs.at(0).shape) lkey += std::to_string(d) + ",";
    std::shared_ptr<const search::LayerProblem> lp;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = problems_.find(lkey);
      if (it != problems_.end()) lp = it->second;
    }
    if (!lp) {
      const bool zero = l.weights.empty() && (l.kind == LayerKind::CONV2D || l.kind == LayerKind::DENSE);
      const int64_t group = l.kind == LayerKind::CONV2D ? l.group : 1;
      if (zero) l.weights.assign(size_t(l.output.shape.at(1) * (l.inputs.at(0).shape.at(1) / group) * l.kernel_h * l.kernel_w), 0);
      // throws CompileError: the point is illegal
      lp = std::make_shared<const search::LayerProblem>(search::layer_problem(as_gemm_layer(l), cfg, IsaTarget::TESSERA));
      std::lock_guard<std::mutex> lock(mu_);
      problems_.emplace(lkey, lp);
    }
    wl.lp = *lp;
    strip(l);
  }
  auto list = std::make_shared<const std::vector<WorkLayer>>(std::move(out));
  std::lock_guard<std::mutex> lock(mu_);
  if (memo_.size() > 4096) memo_.clear();  // bounded memory on huge sweeps
  memo_.emplace(key, list);
  return list;
}

}  // namespace tessera::sweep
