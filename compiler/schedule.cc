// Schedule parsing, legality against SRAM capacities and ISA field widths, and the default heuristic.
#include "compiler/schedule.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "compiler/compile_error.h"
#include "isa/text_file.h"

namespace tessera::compiler {
namespace {

const char* const kKnobs[] = {"tile_b", "tile_h", "tile_w", "tile_ci", "tile_co", "oc_nthread", "h_nthread"};

int64_t* knob(Schedule& s, int i) {
  int64_t* const v[] = {&s.tile_b, &s.tile_h, &s.tile_w, &s.tile_ci, &s.tile_co, &s.oc_nthread, &s.h_nthread};
  return v[i];
}

// Largest value an unsigned field of `fmt` holds in this config.
int64_t field_max(const DerivedConfig& cfg, Format fmt, Field f) {
  const Slot* slot = cfg.layout.find(fmt, f);
  return slot ? (int64_t{1} << slot->width) - 1 : 0;
}

void over(std::vector<std::string>& out, const std::string& what, int64_t need, int64_t have) {
  if (need > have)
    out.push_back(what + " needs " + std::to_string(need) + " but has " + std::to_string(have) + " (over by " +
                  std::to_string(need - have) + ")");
}

}  // namespace

const char* loop_axis_name(LoopAxis a) { return a == LoopAxis::CO ? "co" : a == LoopAxis::H ? "h" : "w"; }

bool Schedule::operator==(const Schedule& o) const {
  return tile_b == o.tile_b && tile_h == o.tile_h && tile_w == o.tile_w && tile_ci == o.tile_ci &&
         tile_co == o.tile_co && oc_nthread == o.oc_nthread && h_nthread == o.h_nthread && order == o.order &&
         depthwise == o.depthwise;
}

ConvGeometry with_schedule(ConvGeometry g, const Schedule& s) {
  g.dw_rows = s.depthwise ? g.dw_max : 0;
  g.dw_compact = g.dw_rows && s.depthwise == 2;
  return g;
}

Schedule parse_schedule(const std::string& text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw CompileError(origin + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw CompileError(origin + ": a schedule is a JSON object");
  std::set<std::string> known(std::begin(kKnobs), std::end(kKnobs));
  known.insert("loop_order");
  known.insert("depthwise");
  for (const auto& item : j.items())
    if (!known.count(item.key())) throw CompileError(origin + ": unknown key '" + item.key() + "'");
  Schedule s;
  for (int i = 0; i < 7; ++i) {
    if (!j.contains(kKnobs[i])) throw CompileError(origin + ": missing key '" + kKnobs[i] + "'");
    const auto& v = j[kKnobs[i]];
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > (int64_t{1} << 30))
      throw CompileError(origin + ": '" + kKnobs[i] + "' must be an integer in 1..2^30");
    *knob(s, i) = v.get<int64_t>();
  }
  if (!j.contains("loop_order")) throw CompileError(origin + ": missing key 'loop_order'");
  const auto& lo = j["loop_order"];
  std::set<std::string> seen;
  if (!lo.is_array() || lo.size() != 3) throw CompileError(origin + ": 'loop_order' must list \"co\", \"h\", \"w\" once each");
  for (size_t i = 0; i < 3; ++i) {
    const std::string a = lo[i].is_string() ? lo[i].get<std::string>() : "";
    if ((a != "co" && a != "h" && a != "w") || !seen.insert(a).second)
      throw CompileError(origin + ": 'loop_order' must list \"co\", \"h\", \"w\" once each");
    s.order[i] = a == "co" ? LoopAxis::CO : a == "h" ? LoopAxis::H : LoopAxis::W;
  }
  if (j.contains("depthwise")) {
    const auto& d = j["depthwise"];
    if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > 2)
      throw CompileError(origin + ": 'depthwise' must be 0 (off), 1 (stores row by row) or 2 (rows moved first)");
    s.depthwise = d.get<int>();
  }
  return s;
}

Schedule load_schedule_file(const std::string& path) {
  const auto text = read_text_file(path);
  if (!text) throw CompileError(path + ": cannot open schedule file");
  return parse_schedule(*text, path);
}

std::string schedule_json(const Schedule& s) {
  nlohmann::ordered_json j;
  Schedule copy = s;
  for (int i = 0; i < 7; ++i) j[kKnobs[i]] = *knob(copy, i);
  j["loop_order"] = {loop_axis_name(s.order[0]), loop_axis_name(s.order[1]), loop_axis_name(s.order[2])};
  if (s.depthwise) j["depthwise"] = s.depthwise;
  return j.dump();
}

int64_t resident_acc_vectors(const ConvGeometry& g, bool with_multipliers) {
  return g.kb * (with_multipliers ? 2 : 1) + (g.residual ? 1 : 0);
}

int64_t acc_buffer_vectors(const ConvGeometry& g0, const Schedule& s) {
  const ConvGeometry g = with_schedule(g0, s);
  return s.tile_co * g.acc_block(s.tile_h, s.tile_w) * (g.residual ? 2 : 1);
}

AccLayout acc_layout(const ConvGeometry& g, const Schedule& s, const DerivedConfig& cfg, bool with_multipliers) {
  AccLayout a;
  a.bufs = s.oc_nthread * s.h_nthread;
  a.overlap = with_multipliers && a.bufs >= 2;
  a.half = cfg.acc.depth / 2;
  a.resident = resident_acc_vectors(g, with_multipliers);
  a.buffer = acc_buffer_vectors(g, s);
  return a;
}

std::vector<std::string> schedule_issues(const ConvGeometry& g0, const Schedule& s, const DerivedConfig& cfg,
                                         bool with_multipliers) {
  std::vector<std::string> out;
  const ConvGeometry g = with_schedule(g0, s);
  if (s.depthwise < 0 || s.depthwise > 2) out.push_back("depthwise = " + std::to_string(s.depthwise) + ": not 0, 1 or 2");
  if (s.depthwise && !g.dw_max)
    out.push_back("depthwise = " + std::to_string(s.depthwise) + ": " +
                  (cfg.hw.depthwise ? "the layer is not a stride-1 depthwise conv without a fused add"
                                    : "the config has no depthwise mode (gemm.depthwise = 0)"));
  if (s.depthwise && !with_multipliers) out.push_back("depthwise: the depthwise mode needs the TESSERA ISA");
  if (s.tile_b != 1) out.push_back("tile_b = " + std::to_string(s.tile_b) + ": batch tiling is not implemented (use 1)");
  const auto range = [&](const char* name, int64_t v, int64_t hi) {
    if (v > hi) out.push_back(std::string(name) + " = " + std::to_string(v) + " exceeds the layer's " + std::to_string(hi));
  };
  range("tile_h", s.tile_h, g.oh);
  range("tile_w", s.tile_w, g.ow);
  range("tile_ci", s.tile_ci, g.cbg);
  range("tile_co", s.tile_co, g.kb);
  range("oc_nthread", s.oc_nthread, 2);
  range("h_nthread", s.h_nthread, 2);
  if (g.residual && !with_multipliers) out.push_back("a fused residual add needs the TESSERA ISA's MOV and REQ");
  if (!out.empty()) return out;

  const int64_t bufs = s.oc_nthread * s.h_nthread;
  const int64_t ih = g.in_rows(s.tile_h), block = g.acc_block(s.tile_h, s.tile_w);
  const int64_t acc_tile = s.tile_co * block;
  const int64_t sets = g.input_sets(s.tile_co, s.tile_co);
  over(out, "INP SRAM (" + std::to_string(bufs) + (sets > 1 ? " x tile_co" : "") + " x tile_ci*in_rows*in_cols" +
                (g.dw() ? " + depthwise overreach)" : ")"),
       bufs * sets * s.tile_ci * g.inp_set(s.tile_h, s.tile_w), cfg.inp.depth);
  over(out, "WGT SRAM (" + std::to_string(bufs) + (g.dw() ? " x tile_co*ceil(R*S/BLOCK_OUT))" : " x tile_co*tile_ci*R*S)"),
       bufs * s.tile_co * g.wgt_elems(s.tile_ci),
       cfg.wgt.depth);
  const AccLayout acc = acc_layout(g, s, cfg, with_multipliers);
  over(out, std::string("ACC SRAM (") + (acc.overlap ? "per bank: " : "") + "resident bias/multipliers + " +
                std::to_string(acc.overlap ? (bufs + 1) / 2 : bufs) +
                (g.residual ? " x 2 x tile_co*tile_h*tile_w, output and skip tiles)" : " x tile_co*tile_h*tile_w)"),
       acc.overlap ? acc.vectors() / 2 : acc.vectors(), acc.overlap ? acc.half : cfg.acc.depth);
  over(out, "micro-op buffer (one GEMM kernel: tile_co*tile_ci*R*S)", s.tile_co * s.tile_ci * g.r * g.s, cfg.uop.depth);
  const int64_t iter = field_max(cfg, Format::GEMM, Field::ITER_IN);
  over(out, "iter_out field (tile_h)", s.tile_h, iter);
  over(out, "iter_in field (tile_w)", s.tile_w, iter);
  over(out, "ALU iter_in field (ACC vectors per output block)", block, iter);
  over(out, "ALU iter_in field (ACC vectors per tile)", acc_tile, iter);
  if (g.dw()) over(out, "iter_in field (depthwise groups per output block)", g.dw_groups(s.tile_h, s.tile_w), iter);
  const int64_t mem16 = field_max(cfg, Format::MEM, Field::X_STRIDE);
  over(out, "LOAD x_stride field (padded input row pitch)", g.row_step() * g.wp, mem16);
  over(out, "LOAD y_size field (input rows per tile)", ih, mem16);
  over(out, "LOAD x_size field (weights per output block: tile_ci*R*S)", g.wgt_elems(s.tile_ci), mem16);
  over(out, "LOAD x_stride field (weights per output block: C blocks*R*S)", g.wgt_elems(g.cbg), mem16);
  if (g.dw())  // a depthwise micro-op's weight index counts rows, so it reaches only the first elements
    over(out, "WGT rows a depthwise micro-op addresses (" + std::to_string(bufs) + " x tile_co*ceil(R*S/BLOCK_OUT)*BLOCK_OUT)",
         bufs * s.tile_co * g.wgt_elems(1) * g.dw_rows, cfg.wgt.depth);
  return out;
}

Schedule default_schedule(const ConvGeometry& g, const DerivedConfig& cfg, bool with_multipliers) {
  // Greedy: start from whole-layer tiles and halve the largest contributor until the schedule is
  // legal; prefer two buffers (overlap of load, compute and store) and fall back to one.
  // The depthwise mode where the layer allows it (the search weighs both).
  for (int64_t bufs : {2, 1}) {
    Schedule s;
    s.oc_nthread = bufs;
    s.depthwise = g.dw_max > 0 && with_multipliers ? 2 : 0;
    s.tile_h = g.oh, s.tile_w = g.ow, s.tile_ci = g.cbg, s.tile_co = g.kb;
    for (int guard = 0; guard < 256 && !schedule_issues(g, s, cfg, with_multipliers).empty(); ++guard) {
      const auto half = [](int64_t& v) { v = (v + 1) / 2; };
      const bool inp_full = bufs * g.input_sets(s.tile_co, s.tile_co) * s.tile_ci *
                                with_schedule(g, s).inp_set(s.tile_h, s.tile_w) > cfg.inp.depth;
      const bool acc_full = acc_layout(g, s, cfg, with_multipliers).vectors() > cfg.acc.depth;
      if (s.tile_ci > 1 && (inp_full || bufs * s.tile_co * s.tile_ci * g.r * g.s > cfg.wgt.depth ||
                            s.tile_co * s.tile_ci * g.r * g.s > cfg.uop.depth / 8))
        half(s.tile_ci);
      else if (s.tile_h > 1 && (inp_full || acc_full) && s.tile_h >= s.tile_w) half(s.tile_h);
      else if (s.tile_w > 1 && (inp_full || acc_full)) half(s.tile_w);
      else if (s.tile_co > 1) half(s.tile_co);
      else if (s.tile_h > 1) half(s.tile_h);
      else if (s.tile_w > 1) half(s.tile_w);
      else break;
    }
    if (schedule_issues(g, s, cfg, with_multipliers).empty()) return s;
  }
  Schedule one;
  std::string why;
  for (const auto& i : schedule_issues(g, one, cfg, with_multipliers)) why += "; " + i;
  throw CompileError("no legal schedule even with 1x1 tiles" + why);
}

}  // namespace tessera::compiler
