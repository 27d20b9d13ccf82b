// Model-level driver of the lowering, and the annotated listing.
#include "compiler/compile.h"

#include <sstream>

#include "compiler/compile_error.h"
#include "compiler/conv_geometry.h"
#include "compiler/lower_conv.h"
#include "compiler/lower_eltwise.h"
#include "compiler/program_builder.h"
#include "compiler/search/schedule_cache.h"
#include "isa/asm.h"

namespace tessera::compiler {

// A global average pool is an H x W convolution with identity weights and weight scale 1/(H*W):
// it reuses the GEMM path (C times the necessary MACs, negligible at ResNet's 7x7x512).
Layer as_gemm_layer(const Layer& gap) {
  if (gap.kind != LayerKind::GLOBAL_AVG_POOL) return gap;
  Layer l = gap;
  const auto& s = gap.inputs.at(0).shape;
  if (s.size() != 4) throw CompileError("layer '" + gap.name + "': global average pool input must be NCHW");
  const int64_t c = s[1];
  l.kind = LayerKind::CONV2D;
  l.kernel_h = int(s[2]), l.kernel_w = int(s[3]), l.stride_h = l.stride_w = 1;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 0;
  l.weights.assign(size_t(c * c * s[2] * s[3]), 0);
  for (int64_t k = 0; k < c; ++k)
    for (int64_t i = 0; i < s[2] * s[3]; ++i) l.weights[size_t((k * c + k) * s[2] * s[3] + i)] = 1;
  l.weight_scales = {1.0 / double(s[2] * s[3])};
  l.bias.clear();
  l.relu = false;
  return l;
}

Compiled compile_model(const Model& model, const DerivedConfig& cfg, const CompileOptions& opt) {
  if (model.layers.size() != 1)
    throw CompileError(model.source + ": " + std::to_string(model.layers.size()) +
                       " layers; the compiler lowers single-layer models for now");
  const Layer l = as_gemm_layer(model.layers[0]);
  if (l.kind == LayerKind::ADD || l.kind == LayerKind::MAX_POOL) {
    if (opt.schedule) throw CompileError("layer '" + l.name + "': schedules apply to conv, dense and pooling-by-GEMM layers only");
    ProgramBuilder b(cfg, opt.isa);
    if (l.kind == LayerKind::ADD) lower_add(l, b);
    else lower_max_pool(l, b, nullptr, opt.isa);
    Compiled c;
    c.program = b.finish("layer '" + l.name + "'", &c.notes);
    return c;
  }
  const ConvGeometry g = conv_geometry(l, cfg);
  const RequantPlan q = plan_requant(l, g, opt.isa);
  const bool mult = opt.isa == IsaTarget::TESSERA;
  Compiled c;
  c.schedule_origin = "given";
  c.schedule = opt.schedule ? *opt.schedule
                            : search::searched_schedule(l, cfg, opt.isa, opt.schedule_cache, c.warnings,
                                                        opt.shipped_schedules, &c.schedule_origin);
  const auto issues = schedule_issues(g, c.schedule, cfg, mult);
  if (!issues.empty()) {
    std::string why = "layer '" + l.name + "': illegal schedule " + schedule_json(c.schedule) + ":";
    for (const auto& i : issues) why += "\n  " + i;
    throw CompileError(why);
  }
  ProgramBuilder b(cfg, opt.isa);
  lower_conv(l, g, c.schedule, q, opt.isa, b);
  c.program = b.finish("layer '" + l.name + "'", &c.notes);
  return c;
}

std::string listing(const Compiled& c, const DerivedConfig& cfg) { return listing(c.program, c.notes, cfg); }

std::string listing(const Program& p, const std::vector<std::string>& notes, const DerivedConfig& cfg) {
  // Instruction lines of the canonical text are the ones whose first word is an opcode name.
  std::istringstream text(disassemble(p, cfg));
  std::ostringstream out;
  std::string line;
  size_t insn = 0;
  while (std::getline(text, line)) {
    const std::string word = line.substr(0, line.find(' '));
    bool is_insn = false;
    for (const auto& o : opcodes()) is_insn |= word == o.name;
    if (is_insn && insn < notes.size()) {
      out << "# [" << insn << "] " << notes[insn] << "\n";
      ++insn;
    }
    out << line << "\n";
  }
  return out.str();
}

}  // namespace tessera::compiler
