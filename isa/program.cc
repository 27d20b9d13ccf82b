// .tsp programs in memory: names of their enums, equality and validation (program_issues).
#include "isa/program.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "isa/program_internal.h"

namespace tessera {
namespace program_detail {

namespace {

const char* part_name(ProgramPart p) {
  static constexpr const char* kNames[] = {"header", "insns", "uops", "constants", "tensors", "steps"};
  return kNames[static_cast<int>(p)];
}

}  // namespace

std::string issue_label(const ProgramIssue& is) {
  std::string s = part_name(is.part);
  if (is.part != ProgramPart::HEADER && is.part != ProgramPart::UOPS) s += "[" + std::to_string(is.index) + "]";
  return s;
}

}  // namespace program_detail

namespace {

using namespace program_detail;

bool in_dram(uint64_t offset, uint64_t bytes, uint64_t dram_bytes) {
  uint64_t end;
  return !add_overflows(offset, bytes, &end) && end <= dram_bytes;
}

void check_tensor(const TensorInfo& t, uint64_t dram_bytes, std::vector<std::string>* why) {
  if (!is_token(t.name)) why->push_back("name '" + t.name + "' must be 1-255 printable characters without space, #, = or \"");
  if (!is_token(t.layout)) why->push_back("layout '" + t.layout + "' must be 1-255 printable characters without space, #, = or \"");
  if (int(t.dir) > int(TensorDir::INTERNAL)) why->push_back("unknown direction");
  if (int(t.dtype) > int(DType::FLOAT32)) why->push_back("unknown dtype");
  if (t.shape.empty() || t.shape.size() > size_t(kMaxRank))
    why->push_back("rank " + std::to_string(t.shape.size()) + " outside [1, " + std::to_string(kMaxRank) + "]");
  uint64_t need = uint64_t(dtype_bytes(t.dtype));
  bool positive = true, overflow = false;
  for (int64_t d : t.shape) {
    positive &= d >= 1;
    overflow |= d >= 1 && __builtin_mul_overflow(need, uint64_t(d), &need);
  }
  if (!positive) why->push_back("every dimension must be at least 1");
  else if (overflow) why->push_back("shape has more elements than a 64-bit size can count");
  else if (need > t.bytes)
    why->push_back("bytes " + std::to_string(t.bytes) + " is less than the " + std::to_string(need) +
                   " its shape and dtype need");
  if (!in_dram(t.dram_offset, t.bytes, dram_bytes))
    why->push_back("bytes [" + std::to_string(t.dram_offset) + ", +" + std::to_string(t.bytes) +
                   ") exceed dram_bytes " + std::to_string(dram_bytes));
  if (!(std::isfinite(t.scale) && t.scale > 0)) why->push_back("scale must be finite and positive");
  // INT32 and FLOAT32 allow any stored zero point (float tensors conventionally store 0).
  const int64_t zlo = t.dtype == DType::UINT8 ? 0 : t.dtype == DType::INT8 ? -128 : std::numeric_limits<int32_t>::min();
  const int64_t zhi = t.dtype == DType::UINT8 ? 255 : t.dtype == DType::INT8 ? 127 : std::numeric_limits<int32_t>::max();
  if (t.zero_point < zlo || t.zero_point > zhi)
    why->push_back("zero_point " + std::to_string(t.zero_point) + " outside the " + dtype_name(t.dtype) + " range");
}

const std::string kTokenRule = "1-255 printable characters without space, #, = or \"";

bool is_attr_key(const std::string& k) {
  return !k.empty() && k.size() <= kMaxNameBytes && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

// What every step is checked against, computed once: a hostile file may hold many steps, each
// spanning many instructions and naming many tensors.
struct StepContext {
  explicit StepContext(const Program& prog) : p(prog), next_finish(prog.insns.size() + 1, prog.insns.size()) {
    for (const auto& t : p.tensors) tensors.emplace(t.name, &t);
    for (size_t i = p.insns.size(); i-- > 0;)
      next_finish[i] = p.insns[i][Field::OPCODE] == int(Opcode::FINISH) ? i : next_finish[i + 1];
  }
  const Program& p;
  std::map<std::string, const TensorInfo*> tensors;
  std::vector<uint64_t> next_finish;  // [i]: the first FINISH at or after instruction i (insns.size() if none)
};

// Everything about one step that does not depend on the other steps.
void check_step(const Step& s, const StepContext& ctx, std::vector<std::string>* why) {
  const Program& p = ctx.p;
  if (!is_token(s.name)) why->push_back("name must be " + kTokenRule);
  if (!is_token(s.op)) why->push_back("op '" + s.op + "' must be " + kTokenRule);
  if (int(s.kind) > int(StepKind::HOST)) why->push_back("unknown kind " + std::to_string(int(s.kind)));
  if (s.kind == StepKind::HOST && (s.insn_begin != 0 || s.insn_end != 0))
    why->push_back("host step has instructions [" + std::to_string(s.insn_begin) + ", " + std::to_string(s.insn_end) +
                   "); begin and end must be 0");
  if (s.kind == StepKind::ACCEL) {
    const std::string range = "instructions [" + std::to_string(s.insn_begin) + ", " + std::to_string(s.insn_end) + ")";
    if (s.insn_begin >= s.insn_end) {
      why->push_back(range + " are empty");
    } else if (s.insn_end > p.insns.size()) {
      why->push_back(range + " exceed the " + std::to_string(p.insns.size()) + " instructions");
    } else {
      const uint64_t first = ctx.next_finish[s.insn_begin];
      if (first + 1 < s.insn_end)
        why->push_back(range + ": instruction " + std::to_string(first) + " is a FINISH before the end of the step");
      if (ctx.next_finish[s.insn_end - 1] != s.insn_end - 1)
        why->push_back(range + ": the last instruction " + std::to_string(s.insn_end - 1) + " is not a FINISH");
    }
  }
  const auto list = [&](const std::vector<std::string>& names, const char* what, bool is_output) {
    if (names.size() > kMaxStepListEntries)
      why->push_back(std::to_string(names.size()) + " " + what + "s exceed the limit of " +
                     std::to_string(kMaxStepListEntries));
    for (const auto& n : names) {
      // The assembly text separates the list with commas.
      if (n.find(',') != std::string::npos) why->push_back(std::string(what) + " '" + n + "' contains a comma");
      const auto t = ctx.tensors.find(n);
      if (t == ctx.tensors.end()) why->push_back(std::string(what) + " '" + n + "' is not in the tensor table");
      else if (is_output && t->second->dir == TensorDir::INPUT)
        why->push_back(std::string(what) + " '" + n + "' is a graph input tensor");
    }
  };
  list(s.inputs, "input", false);
  list(s.outputs, "output", true);
  if (s.attrs.size() > kMaxStepListEntries)
    why->push_back(std::to_string(s.attrs.size()) + " attributes exceed the limit of " +
                   std::to_string(kMaxStepListEntries));
  for (const auto& kv : s.attrs) {
    if (!is_attr_key(kv.first)) why->push_back("attribute key '" + kv.first + "' must match [a-z0-9_.]+ (1-255 characters)");
    if (!is_token(kv.second, kMaxAttrValueBytes))
      why->push_back("attribute '" + kv.first + "' value must be 1-" + std::to_string(kMaxAttrValueBytes) +
                     " printable characters without space, #, = or \"");
  }
}

// Accelerator steps run their ranges in order: ranges ascend, do not overlap, and leave no instruction out.
void check_step_ranges(const Program& p, std::vector<ProgramIssue>* out) {
  uint64_t covered = 0;  // instructions [0, covered) belong to earlier accel steps
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const Step& s = p.steps[i];
    if (s.kind != StepKind::ACCEL || s.insn_begin >= s.insn_end) continue;
    if (s.insn_begin < covered)
      out->push_back({ProgramPart::STEPS, i, "'" + s.name + "': instructions [" + std::to_string(s.insn_begin) + ", " +
                                                 std::to_string(s.insn_end) + ") overlap or precede an earlier step's (which end at " +
                                                 std::to_string(covered) + ")"});
    else if (s.insn_begin > covered)
      out->push_back({ProgramPart::INSNS, size_t(covered), "instructions [" + std::to_string(covered) + ", " +
                                                              std::to_string(s.insn_begin) + ") belong to no accel step"});
    covered = std::max(covered, s.insn_end);
  }
  if (covered < p.insns.size())
    out->push_back({ProgramPart::INSNS, size_t(covered), "instructions [" + std::to_string(covered) + ", " +
                                                            std::to_string(p.insns.size()) + ") belong to no accel step"});
}

}  // namespace

const char* tensor_dir_name(TensorDir d) {
  switch (d) {
    case TensorDir::INPUT: return "input";
    case TensorDir::OUTPUT: return "output";
    case TensorDir::INTERNAL: return "internal";
  }
  return "?";
}

const char* step_kind_name(StepKind k) { return k == StepKind::ACCEL ? "accel" : k == StepKind::HOST ? "host" : "?"; }

bool parse_step_kind(const std::string& name, StepKind* out) {
  for (StepKind k : {StepKind::ACCEL, StepKind::HOST})
    if (name == step_kind_name(k)) return *out = k, true;
  return false;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::INT8: return "int8";
    case DType::UINT8: return "uint8";
    case DType::INT32: return "int32";
    case DType::FLOAT32: return "float32";
  }
  return "?";
}

int dtype_bytes(DType t) { return t == DType::INT32 || t == DType::FLOAT32 ? 4 : 1; }

bool parse_tensor_dir(const std::string& name, TensorDir* out) {
  for (TensorDir d : {TensorDir::INPUT, TensorDir::OUTPUT, TensorDir::INTERNAL})
    if (name == tensor_dir_name(d)) return *out = d, true;
  return false;
}

bool parse_dtype(const std::string& name, DType* out) {
  for (DType t : {DType::INT8, DType::UINT8, DType::INT32, DType::FLOAT32})
    if (name == dtype_name(t)) return *out = t, true;
  return false;
}

bool TensorInfo::operator==(const TensorInfo& o) const {
  return name == o.name && dir == o.dir && dtype == o.dtype && shape == o.shape && layout == o.layout &&
         scale == o.scale && zero_point == o.zero_point && dram_offset == o.dram_offset && bytes == o.bytes;
}

bool Step::operator==(const Step& o) const {
  return kind == o.kind && name == o.name && op == o.op && insn_begin == o.insn_begin && insn_end == o.insn_end &&
         inputs == o.inputs && outputs == o.outputs && attrs == o.attrs;
}

bool Program::operator==(const Program& o) const {
  return canonical_json(config) == canonical_json(o.config) && insns == o.insns && uops == o.uops &&
         uop_dram_offset == o.uop_dram_offset && constants == o.constants && tensors == o.tensors &&
         dram_bytes == o.dram_bytes && steps == o.steps;
}

std::vector<ProgramIssue> program_issues(const Program& p, const DerivedConfig& cfg) {
  std::vector<ProgramIssue> out;
  auto add = [&](ProgramPart part, size_t i, const std::string& m) { out.push_back({part, i, m}); };
  if (canonical_json(p.config, false) != canonical_json(cfg.hw, false))
    add(ProgramPart::HEADER, 0, "program config differs from the config it is checked against (" + cfg.hw.name + ")");
  if (p.dram_bytes > kMaxProgramDramBytes)
    add(ProgramPart::HEADER, 0, "dram_bytes " + std::to_string(p.dram_bytes) + " exceeds the limit of 2^40");

  const IsaCodec codec(cfg.layout);
  std::vector<uint64_t> words(codec.insn_words());
  for (size_t i = 0; i < p.insns.size(); ++i) {
    try {
      codec.encode(p.insns[i], words.data());
    } catch (const EncodeError& e) {
      add(ProgramPart::INSNS, i, e.what());
    }
  }

  const uint64_t ub = uint64_t(cfg.uop_bytes());
  const uint64_t uop_span = uint64_t(p.uops.size()) * ub;
  if (p.uop_dram_offset % ub != 0)
    add(ProgramPart::UOPS, 0, "uop_dram_offset " + std::to_string(p.uop_dram_offset) +
                                  " is not a multiple of the micro-op size " + std::to_string(ub));
  if (!in_dram(p.uop_dram_offset, uop_span, p.dram_bytes))
    add(ProgramPart::UOPS, 0, std::to_string(p.uops.size()) + " micro-ops at byte " + std::to_string(p.uop_dram_offset) +
                                  " exceed dram_bytes " + std::to_string(p.dram_bytes));
  std::vector<uint8_t> ubuf(ub);
  for (size_t i = 0; i < p.uops.size(); ++i) {
    try {
      codec.encode_uop(p.uops[i], ubuf.data());
    } catch (const EncodeError& e) {
      add(ProgramPart::UOPS, 0, "micro-op " + std::to_string(i) + ": " + e.what());
    }
  }

  // Constant segments may not overlap each other or the micro-op block: the image would be ambiguous.
  struct Span {
    uint64_t lo, hi;
    size_t index;  // SIZE_MAX for the micro-op block
  };
  std::vector<Span> spans;
  if (uop_span) spans.push_back({p.uop_dram_offset, p.uop_dram_offset + uop_span, SIZE_MAX});
  for (size_t i = 0; i < p.constants.size(); ++i) {
    const auto& s = p.constants[i];
    if (s.bytes.empty()) add(ProgramPart::CONSTANTS, i, "empty segment");
    if (!in_dram(s.offset, s.bytes.size(), p.dram_bytes))
      add(ProgramPart::CONSTANTS, i, "bytes [" + std::to_string(s.offset) + ", +" + std::to_string(s.bytes.size()) +
                                         ") exceed dram_bytes " + std::to_string(p.dram_bytes));
    else if (!s.bytes.empty())
      spans.push_back({s.offset, s.offset + s.bytes.size(), i});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.lo < b.lo; });
  for (size_t k = 1; k < spans.size(); ++k) {
    if (spans[k].lo >= spans[k - 1].hi) continue;
    const Span& a = spans[k - 1];
    const Span& b = spans[k];
    const Span& seg = b.index == SIZE_MAX ? a : b;
    const Span& other = b.index == SIZE_MAX ? b : a;
    add(ProgramPart::CONSTANTS, seg.index,
        "overlaps " + (other.index == SIZE_MAX ? std::string("the micro-op block")
                                               : "constant segment " + std::to_string(other.index)));
  }

  for (size_t i = 0; i < p.tensors.size(); ++i) {
    std::vector<std::string> why;
    check_tensor(p.tensors[i], p.dram_bytes, &why);
    for (size_t j = 0; j < i; ++j)
      if (p.tensors[j].name == p.tensors[i].name) why.push_back("duplicate name '" + p.tensors[i].name + "'");
    for (const auto& w : why) add(ProgramPart::TENSORS, i, w);
  }

  if (p.steps.empty()) return out;  // the whole stream is one accelerator run
  if (p.steps.size() > kMaxProgramSteps)
    add(ProgramPart::STEPS, 0, std::to_string(p.steps.size()) + " steps exceed the limit of " + std::to_string(kMaxProgramSteps));
  const StepContext ctx(p);
  for (size_t i = 0; i < p.steps.size(); ++i) {
    std::vector<std::string> why;
    check_step(p.steps[i], ctx, &why);
    for (const auto& w : why) add(ProgramPart::STEPS, i, "'" + p.steps[i].name + "': " + w);
  }
  check_step_ranges(p, &out);
  return out;
}

}  // namespace tessera
