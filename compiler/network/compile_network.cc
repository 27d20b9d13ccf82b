// Network lowering: the passes, then one self-contained accelerator segment per layer.
#include "compiler/network/compile_network.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "compiler/compile_error.h"
#include "compiler/conv_geometry.h"
#include "compiler/lower_block.h"
#include "compiler/lower_conv.h"
#include "compiler/lower_eltwise.h"
#include "compiler/network/passes.h"
#include "compiler/program_builder.h"
#include "compiler/search/cost_model.h"
#include "compiler/search/eltwise_cost.h"
#include "compiler/search/schedule_cache.h"

namespace tessera::compiler {

int64_t layer_macs(const Layer& l) {
  const auto& in = l.inputs.at(0).shape;
  const auto& out = l.output.shape;
  switch (l.kind) {
    case LayerKind::CONV2D: return out[0] * out[1] * out[2] * out[3] * (in[1] / l.group) * l.kernel_h * l.kernel_w;
    case LayerKind::DENSE: return out[0] * out[1] * in[1];
    case LayerKind::GLOBAL_AVG_POOL: return in[0] * in[1] * in[2] * in[3];
    default: return 0;
  }
}

namespace {

std::string join(const std::vector<std::string>& v, size_t from = 0) {
  std::string s;
  for (size_t i = from; i < v.size(); ++i) s += (s.empty() ? "" : ",") + v[i];
  return s;
}

}  // namespace

Network run_graph_passes(Network net, const DerivedConfig& cfg, const CompileOptions& opt) {
  place_nodes(net, cfg);
  im2col_first_convs(net, cfg);
  if (opt.fuse && opt.isa == IsaTarget::TESSERA) fuse_residual_adds(net, cfg);
  if (opt.fuse && opt.blocks != BlockFusion::NEVER && opt.isa == IsaTarget::TESSERA) fuse_blocks(net, cfg, opt);
  return net;
}

CompiledNetwork compile_network(Network net, const DerivedConfig& cfg, const CompileOptions& opt) {
  if (opt.schedule) throw CompileError(net.source + ": a network takes no --schedule; every layer's schedule is searched");
  net = run_graph_passes(std::move(net), cfg, opt);
  Plans plans = plan_layouts(net, cfg);
  ProgramBuilder b(cfg, opt.isa);
  CompiledNetwork c;
  c.warnings = net.warnings;
  const uint64_t arena = b.reserve(0, 64);
  c.activation_bytes = plan_memory(net, plans, arena);
  b.reserve(c.activation_bytes, 64);
  for (const auto& [name, p] : plans)
    if (p.alias_of.empty()) c.activation_bytes_unshared += p.bytes;

  for (const auto& [name, t] : net.tensors) {
    const TensorPlan& p = plans.at(name);
    TensorInfo ti;
    ti.name = name;
    ti.dir = net.is_input(name) ? TensorDir::INPUT : net.is_output(name) ? TensorDir::OUTPUT : TensorDir::INTERNAL;
    ti.dtype = t.dtype, ti.shape = t.shape, ti.layout = p.layout, ti.scale = t.scale, ti.zero_point = t.zero_point;
    ti.dram_offset = p.offset, ti.bytes = p.bytes;
    b.add_tensor(ti);
  }
  const auto buffer = [&](const std::string& name) {
    ActBuffer a = plans.at(name).buf;
    a.offset = plans.at(name).offset;
    return a;
  };
  const double macs_per_cycle = double(cfg.hw.batch * cfg.hw.block_in * cfg.hw.block_out);
  // The output's halo: the type's minimum for a max-pool consumer, else the zero point.
  const auto halo_value = [&](const std::string& tensor, ElemType type) {
    return plans.at(tensor).min_halo ? -128 : device_value(net.tensor(tensor).zero_point, type);
  };
  // An accelerator step's common report fields and its place in the program.
  const auto finish_step = [&](NodeReport& r, Step& st, const search::SegmentCost& seg, uint64_t begin, uint64_t end) {
    r.dram_bytes = uint64_t(seg.dram_read + seg.dram_written);
    r.compute_bound = double(r.macs) / macs_per_cycle;
    r.memory_bound = seg.memory_bound;
    st.insn_begin = begin, st.insn_end = end;
    st.attrs["macs"] = std::to_string(r.macs);
    st.attrs["predicted_cycles"] = std::to_string(int64_t(r.cycles));
    b.program().steps.push_back(st);
  };
  for (const NetNode& n : net.nodes) {
    NodeReport r;
    r.node = n.name, r.op = n.op, r.placement = n.placement;
    r.fused = join(n.onnx_nodes, 1);
    Step st;
    st.name = n.name, st.inputs = n.inputs, st.outputs = n.outputs;
    if (n.placement == Placement::HOST) {
      st.kind = StepKind::HOST, st.op = n.op, st.attrs = n.attrs;
      b.program().steps.push_back(st);
    } else if (n.placement == Placement::ACCEL && n.block) {
      const ConvBlock& blk = *n.block;
      const std::string who = "block '" + blk.name() + "'";
      fill_halo(buffer(n.outputs[0]), halo_value(n.outputs[0], blk.output().type), who, b);
      st.kind = StepKind::ACCEL, st.op = std::string("block") + (blk.project.residual ? "+add" : "");
      r.op = st.op + " (" + n.op + ")";
      lower_block(blk, n.block_schedule, b, buffer(n.inputs[0]), buffer(n.outputs[0]));
      const auto [begin, end] = b.end_segment(who);
      const search::SegmentCost seg = search::time_segment(b.program(), begin, end, cfg);
      r.cycles = seg.cycles;
      r.schedule = block_schedule_json(n.block_schedule) +
                   (n.block_schedule_origin == "search" ? "" : " (" + n.block_schedule_origin + ")");
      for (const Layer* l : blk.layers()) r.macs += layer_macs(*l);
      r.dw_macs = layer_macs(blk.depthwise);
      for (uint64_t i = begin; i < end; ++i) {
        const Insn& in = b.program().insns[i];
        if (in.opcode() == Opcode::GEMM && in[Field::DEPTHWISE]) r.dw_cycles += search::issue_slots(in, cfg);
      }
      finish_step(r, st, seg, begin, end);
    } else if (n.placement == Placement::ACCEL) {
      const Layer& l = *n.layer;
      const std::string who = "layer '" + l.name + "'";
      fill_halo(buffer(n.outputs[0]), halo_value(n.outputs[0], l.output.type), who, b);
      st.kind = StepKind::ACCEL, st.op = layer_kind_label(l.kind) + (l.residual ? "+add" : "");
      if (l.kind == LayerKind::ADD || l.kind == LayerKind::MAX_POOL || l.kind == LayerKind::GLOBAL_AVG_POOL) {
        EltwiseIO io;
        for (const auto& in : n.inputs) io.in.push_back(buffer(in));
        io.out = buffer(n.outputs[0]);
        if (l.kind == LayerKind::ADD) lower_add(l, b, &io);
        else if (l.kind == LayerKind::MAX_POOL) lower_max_pool(l, b, &io, opt.isa);
        else lower_global_avg_pool(l, b, io);
      } else {
        const Layer gl = as_gemm_layer(l);
        const ConvGeometry g = conv_geometry(gl, cfg);
        const RequantPlan q = plan_requant(gl, g, opt.isa);
        std::string origin = "search";
        const Schedule s = search::searched_schedule(gl, cfg, opt.isa, opt.schedule_cache, c.warnings,
                                                     opt.shipped_schedules, &origin);
        const auto issues = schedule_issues(g, s, cfg, opt.isa == IsaTarget::TESSERA);
        if (!issues.empty()) throw CompileError(who + ": internal error, the searched schedule is illegal: " + issues[0]);
        const ConvIO io{buffer(n.inputs[0]), buffer(n.outputs[0]), l.residual ? buffer(n.inputs.at(1)) : ActBuffer{}};
        lower_conv(gl, g, s, q, opt.isa, b, &io);
        const search::CostModel model(cfg);
        r.cycles = model.evaluate(search::layer_problem(gl, cfg, opt.isa), s).cycles;
        r.schedule = schedule_json(s) + (origin == "search" ? "" : " (" + origin + ")");
      }
      const auto [begin, end] = b.end_segment(who);
      // Eltwise segments are timed instruction by instruction (validated in docs/network.md); a
      // conv's halo fill adds to the conv model's cycles.
      const search::SegmentCost seg = search::time_segment(b.program(), begin, end, cfg);
      if (r.cycles > 0) r.cycles += search::fill_halo_cost(buffer(n.outputs[0]), cfg).cycles;
      else r.cycles = seg.cycles;
      r.macs = layer_macs(l);
      if (l.kind == LayerKind::CONV2D && l.group > 1 && l.group == l.inputs[0].shape[1] && l.output.shape[1] == l.group)
        r.dw_macs = r.macs, r.dw_cycles = r.cycles;
      finish_step(r, st, seg, begin, end);
    }
    c.report.push_back(r);
  }
  c.program = b.finish(net.source, &c.notes);
  // Every search opens the databases again: say each problem once.
  std::vector<std::string> once;
  for (std::string& w : c.warnings)
    if (std::find(once.begin(), once.end(), w) == once.end()) once.push_back(std::move(w));
  c.warnings = std::move(once);
  return c;
}

std::string report_table(const CompiledNetwork& c, const DerivedConfig& cfg) {
  std::ostringstream os;
  char line[512];
  std::snprintf(line, sizeof line, "%-28s %-24s %-11s %12s %14s %7s %-7s %s\n", "node", "op", "placement", "MACs",
                "pred. cycles", "util %", "bound", "fused ONNX nodes");
  os << line;
  const double peak = double(cfg.hw.batch * cfg.hw.block_in * cfg.hw.block_out);
  double cycles = 0, macs = 0, cbound = 0;
  for (const NodeReport& r : c.report) {
    const bool accel = r.placement == Placement::ACCEL;
    std::snprintf(line, sizeof line, "%-28s %-24s %-11s %12lld %14.0f %7.1f %-7s ", r.node.substr(0, 28).c_str(),
                  r.op.substr(0, 24).c_str(), placement_name(r.placement), (long long)r.macs, r.cycles,
                  accel && r.cycles > 0 ? 100.0 * double(r.macs) / (peak * r.cycles) : 0.0,
                  !accel ? "" : r.compute_bound >= r.memory_bound ? "compute" : "memory");
    os << line << r.fused << "\n";  // the fused ONNX nodes can be a long list
    cycles += r.cycles, macs += double(r.macs), cbound += r.compute_bound;
  }
  std::snprintf(line, sizeof line, "%-28s %-24s %-11s %12.0f %14.0f %7.1f\n", "total", "", "", macs, cycles,
                cycles > 0 ? 100.0 * macs / (peak * cycles) : 0.0);
  os << line;
  os << "compute roofline (all MACs at " << peak << " per cycle): " << int64_t(cbound) << " cycles\n";
  double dw_macs = 0, dw_cycles = 0;
  for (const NodeReport& r : c.report) dw_macs += double(r.dw_macs), dw_cycles += r.dw_cycles;
  if (dw_cycles > 0) {
    std::snprintf(line, sizeof line,
                  "depthwise convs: %.0f MACs in %.0f cycles, %.1f %% of the array (in fused blocks: their depthwise "
                  "GEMMs' issue cycles)\n",
                  dw_macs, dw_cycles, 100.0 * dw_macs / (peak * dw_cycles));
    os << line;
  }
  os << "activation DRAM: " << c.activation_bytes << " bytes with liveness reuse (" << c.activation_bytes_unshared
     << " without); program DRAM " << c.program.dram_bytes << " bytes\n";
  return os.str();
}

}  // namespace tessera::compiler
