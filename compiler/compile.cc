// Model-level driver of the lowering, and the annotated listing.
#include "compiler/compile.h"

#include <sstream>

#include "compiler/compile_error.h"
#include "compiler/conv_geometry.h"
#include "compiler/lower_conv.h"
#include "compiler/program_builder.h"
#include "isa/asm.h"

namespace tessera::compiler {

Compiled compile_model(const Model& model, const DerivedConfig& cfg, const CompileOptions& opt) {
  if (model.layers.size() != 1)
    throw CompileError(model.source + ": " + std::to_string(model.layers.size()) +
                       " layers; the compiler lowers single-layer models for now");
  const Layer& l = model.layers[0];
  if (l.kind != LayerKind::CONV2D && l.kind != LayerKind::DENSE)
    throw CompileError("layer '" + l.name + "': only CONV2D and DENSE layers are lowered so far");
  const ConvGeometry g = conv_geometry(l, cfg);
  const RequantPlan q = plan_requant(l, g, opt.isa);
  const bool mult = opt.isa == IsaTarget::TESSERA;
  Compiled c;
  c.schedule = opt.schedule ? *opt.schedule : default_schedule(g, cfg, mult);
  const auto issues = schedule_issues(g, c.schedule, cfg, mult);
  if (!issues.empty()) {
    std::string why = "layer '" + l.name + "': illegal schedule " + schedule_json(c.schedule) + ":";
    for (const auto& i : issues) why += "\n  " + i;
    throw CompileError(why);
  }
  ProgramBuilder b(cfg);
  lower_conv(l, g, c.schedule, q, opt.isa, b);
  c.program = b.finish("layer '" + l.name + "'", &c.notes);
  return c;
}

std::string listing(const Compiled& c, const DerivedConfig& cfg) {
  // Instruction lines of the canonical text are the ones whose first word is an opcode name.
  std::istringstream text(disassemble(c.program, cfg));
  std::ostringstream out;
  std::string line;
  size_t insn = 0;
  while (std::getline(text, line)) {
    const std::string word = line.substr(0, line.find(' '));
    bool is_insn = false;
    for (const auto& o : opcodes()) is_insn |= word == o.name;
    if (is_insn && insn < c.notes.size()) {
      out << "# [" << insn << "] " << c.notes[insn] << "\n";
      ++insn;
    }
    out << line << "\n";
  }
  return out.str();
}

}  // namespace tessera::compiler
