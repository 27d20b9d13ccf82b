// Assembler: line-oriented text to Program, with file:line:col errors and static checks.
#include "isa/asm.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "isa/asm_syntax.h"
#include "isa/tokens.h"

namespace tessera {
namespace asm_syntax {

std::string format_double(double v) {
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

bool parse_int(const std::string& s, int64_t* out) {
  size_t i = 0;
  const bool neg = !s.empty() && s[0] == '-';
  if (neg) ++i;
  int base = 10;
  if (s.size() > i + 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  }
  if (i == s.size()) return false;
  uint64_t mag = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (mag > (uint64_t{1} << 63) / uint64_t(base)) return false;
    mag = mag * uint64_t(base) + uint64_t(d);
    if (mag > (uint64_t{1} << 63)) return false;
  }
  if (!neg && mag > uint64_t(INT64_MAX)) return false;
  *out = neg ? int64_t(0 - mag) : int64_t(mag);
  return true;
}

}  // namespace asm_syntax

namespace {

using asm_syntax::enum_table;
using asm_syntax::is_flag;
using asm_syntax::parse_int;

constexpr size_t kMaxReportedErrors = 100;

struct Token {
  std::string text;
  int col;  // 1-based byte column
};

// Whitespace-separated tokens of one line, up to a '#' comment.
std::vector<Token> split(const std::string& line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '#') break;
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#') ++i;
    out.push_back({line.substr(start, i - start), int(start) + 1});
  }
  return out;
}

// "key=value" split at the first '='; a bare word has no value.
struct KeyValue {
  std::string key, value;
  bool has_value;
  int value_col;
};
KeyValue key_value(const Token& t) {
  const size_t eq = t.text.find('=');
  if (eq == std::string::npos) return {t.text, "", false, t.col};
  return {t.text.substr(0, eq), t.text.substr(eq + 1), true, t.col + int(eq) + 1};
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

class Assembler {
 public:
  Assembler(const DerivedConfig& cfg, const std::string& origin) : cfg_(cfg), origin_(origin) {}

  Program run(const std::string& text, const AsmOptions& opts) {
    p_.config = cfg_.hw;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      ++line_;
      const auto tokens = split(line);
      if (tokens.empty()) continue;
      try {
        if (tokens[0].text[0] == '.') directive(tokens);
        else instruction(tokens);
      } catch (const Bail&) {
        // the error is recorded; carry on with the next line to report as much as possible at once
      }
    }
    if (!dram_line_) p_.dram_bytes = implied_dram_bytes();
    if (errors_.empty()) post_checks(opts);
    if (!errors_.empty()) {
      std::string all;
      for (size_t i = 0; i < errors_.size() && i < kMaxReportedErrors; ++i) all += (i ? "\n" : "") + errors_[i];
      if (errors_.size() > kMaxReportedErrors)
        all += "\n" + origin_ + ": " + std::to_string(errors_.size() - kMaxReportedErrors) + " more errors";
      throw AsmError(all);
    }
    return std::move(p_);
  }

 private:
  struct Bail {};

  void error_at(int line, int col, const std::string& msg) {
    errors_.push_back(origin_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg);
  }
  [[noreturn]] void fail(int col, const std::string& msg) {
    error_at(line_, col, msg);
    throw Bail{};
  }

  int64_t integer(const std::string& s, int col, const std::string& what) {
    int64_t v;
    if (!parse_int(s, &v)) fail(col, "bad " + what + " '" + s + "': expected a decimal or 0x-hex integer");
    return v;
  }
  uint64_t unsigned_integer(const std::string& s, int col, const std::string& what) {
    const int64_t v = integer(s, col, what);
    if (v < 0) fail(col, what + " must not be negative (got " + s + ")");
    return uint64_t(v);
  }
  void expect_args(const std::vector<Token>& t, size_t n, const std::string& usage) {
    if (t.size() != n) fail(t[0].col, t[0].text + " takes " + usage);
  }

  void instruction(const std::vector<Token>& t) {
    const OpcodeInfo* op = nullptr;
    std::vector<std::string> mnemonics;
    for (const auto& o : opcodes()) {
      mnemonics.push_back(o.name);
      if (t[0].text == o.name) op = &o;
    }
    if (!op) fail(t[0].col, "unknown mnemonic '" + t[0].text + "' (expected " + join_names(mnemonics) + " or a directive)");
    const Format fmt = op->format;
    Insn insn;
    insn[Field::OPCODE] = op->value;
    std::map<int, int> set_at;  // field -> column where it was set
    for (size_t k = 1; k < t.size(); ++k) {
      const KeyValue kv = key_value(t[k]);
      const Slot* slot = find_slot(fmt, op->name, kv.key, t[k].col);
      const int fi = static_cast<int>(slot->field);
      if (set_at.count(fi))
        fail(t[k].col, "duplicate field '" + kv.key + "' (first set at column " + std::to_string(set_at[fi]) + ")");
      set_at[fi] = t[k].col;
      insn[slot->field] = field_value(*slot, kv);
    }
    p_.insns.push_back(insn);
    insn_lines_.push_back(line_);
  }

  const Slot* find_slot(Format fmt, const char* mnemonic, const std::string& name, int col) {
    std::vector<std::string> carried;
    cfg_.layout.for_each_slot(fmt, [&](const Slot& s) {
      if (s.field != Field::OPCODE) carried.push_back(field_info(s.field).asm_name);
    });
    for (int f = 0; f < kNumFields; ++f) {
      if (name != field_info(Field(f)).asm_name) continue;
      if (Field(f) == Field::OPCODE) fail(col, "the opcode is given by the mnemonic, not by a field");
      if (const Slot* s = cfg_.layout.find(fmt, Field(f))) return s;
      fail(col, std::string(mnemonic) + " has no field '" + name + "' (its fields: " + join_names(carried) + ")");
    }
    fail(col, "unknown field '" + name + "' for " + mnemonic + " (its fields: " + join_names(carried) + ")");
  }

  int64_t field_value(const Slot& s, const KeyValue& kv) {
    const FieldInfo& info = field_info(s.field);
    if (!kv.has_value) {
      if (!is_flag(s)) fail(kv.value_col, "field '" + kv.key + "' needs a value (" + kv.key + "=...)");
      return 1;
    }
    int64_t v;
    const auto* names = enum_table(s.field);
    const NamedValue* named = nullptr;
    if (names)
      for (const auto& n : *names)
        if (kv.value == n.name) named = &n;
    if (named) {
      v = named->value;
    } else if (!parse_int(kv.value, &v)) {
      std::string expect = "a decimal or 0x-hex integer";
      if (names) {
        std::vector<std::string> all;
        for (const auto& n : *names) all.push_back(n.name);
        expect = "one of " + join_names(all) + " or an integer";
      }
      fail(kv.value_col, "bad value '" + kv.value + "' for " + info.asm_name + ": expected " + expect);
    }
    const std::string err = IsaCodec::check_fits(s, info.is_signed, v);
    if (!err.empty()) fail(kv.value_col, err);
    return v;
  }

  void directive(const std::vector<Token>& t) {
    const std::string& d = t[0].text;
    if (d == ".config_hash") {
      expect_args(t, 2, "one argument: the config hash in hex");
      if (t[1].text != cfg_.hash_hex())
        fail(t[1].col, "program was written for config hash " + t[1].text + ", but the config '" + cfg_.hw.name +
                           "' has hash " + cfg_.hash_hex());
    } else if (d == ".dram_bytes") {
      expect_args(t, 2, "one argument: the device DRAM size in bytes");
      if (dram_line_) fail(t[0].col, ".dram_bytes given twice (first on line " + std::to_string(dram_line_) + ")");
      p_.dram_bytes = unsigned_integer(t[1].text, t[1].col, "DRAM size");
      dram_line_ = line_;
    } else if (d == ".uop_offset") {
      expect_args(t, 2, "one argument: the DRAM byte offset of the micro-op block");
      if (uop_offset_line_)
        fail(t[0].col, ".uop_offset given twice (first on line " + std::to_string(uop_offset_line_) + ")");
      p_.uop_dram_offset = unsigned_integer(t[1].text, t[1].col, "micro-op offset");
      uop_offset_line_ = line_;
    } else if (d == ".uop") {
      uop(t);
    } else if (d == ".const") {
      expect_args(t, 2, "one argument: the DRAM byte offset of the segment");
      p_.constants.push_back({unsigned_integer(t[1].text, t[1].col, "segment offset"), {}});
      const_lines_.push_back(line_);
    } else if (d == ".bytes") {
      bytes(t);
    } else if (d == ".tensor") {
      tensor(t);
    } else if (d == ".step") {
      step(t);
    } else {
      fail(t[0].col, "unknown directive '" + d +
                         "' (expected .config_hash, .dram_bytes, .uop_offset, .uop, .const, .bytes, .tensor or .step)");
    }
  }

  void uop(const std::vector<Token>& t) {
    uint32_t vals[3] = {0, 0, 0};
    int set_at[3] = {0, 0, 0};
    for (size_t k = 1; k < t.size(); ++k) {
      const KeyValue kv = key_value(t[k]);
      int i = 0;
      while (i < 3 && kv.key != cfg_.layout.uop[i].name) ++i;
      if (i == 3)
        fail(t[k].col, "unknown micro-op field '" + kv.key + "' (expected " + cfg_.layout.uop[0].name + ", " +
                           cfg_.layout.uop[1].name + " or " + cfg_.layout.uop[2].name + ")");
      if (!kv.has_value) fail(kv.value_col, "micro-op field '" + kv.key + "' needs a value");
      if (set_at[i]) fail(t[k].col, "duplicate micro-op field '" + kv.key + "'");
      set_at[i] = t[k].col;
      const int64_t v = integer(kv.value, kv.value_col, kv.key);
      const int w = cfg_.layout.uop[i].width;
      if (v < 0 || (w < 63 && v >> w))
        fail(kv.value_col, "value " + kv.value + " does not fit unsigned " + std::to_string(w) + "-bit micro-op field " +
                               kv.key);
      vals[i] = uint32_t(v);
    }
    if (p_.uops.empty()) first_uop_line_ = line_;
    p_.uops.push_back({vals[0], vals[1], vals[2]});
  }

  void bytes(const std::vector<Token>& t) {
    if (p_.constants.empty()) fail(t[0].col, ".bytes before any .const: start a segment with .const OFFSET");
    auto& seg = p_.constants.back().bytes;
    for (size_t k = 1; k < t.size(); ++k) {
      const std::string& h = t[k].text;
      if (h.size() % 2) fail(t[k].col, "hex byte string has an odd number of digits");
      for (size_t i = 0; i < h.size(); i += 2) {
        int64_t b;
        if (!std::isxdigit(static_cast<unsigned char>(h[i])) || !std::isxdigit(static_cast<unsigned char>(h[i + 1])) ||
            !parse_int("0x" + h.substr(i, 2), &b))
          fail(t[k].col + int(i), "bad hex byte '" + h.substr(i, 2) + "'");
        seg.push_back(uint8_t(b));
      }
    }
  }

  void tensor(const std::vector<Token>& t) {
    if (t.size() < 3) fail(t[0].col, ".tensor takes a direction (input/output/internal), a name and key=value fields");
    TensorInfo x;
    if (!parse_tensor_dir(t[1].text, &x.dir))
      fail(t[1].col, "tensor direction must be input, output or internal, not '" + t[1].text + "'");
    x.name = t[2].text;
    if (x.name.find('=') != std::string::npos) fail(t[2].col, "tensor name missing before '" + t[2].text + "'");
    static const char* kKeys[] = {"dtype", "shape", "layout", "offset", "bytes", "scale", "zero_point"};
    std::map<std::string, KeyValue> kvs;
    for (size_t k = 3; k < t.size(); ++k) {
      KeyValue kv = key_value(t[k]);
      if (std::find(std::begin(kKeys), std::end(kKeys), kv.key) == std::end(kKeys))
        fail(t[k].col, "unknown tensor field '" + kv.key + "' (expected dtype, shape, layout, offset, bytes, scale, zero_point)");
      if (!kv.has_value) fail(kv.value_col, "tensor field '" + kv.key + "' needs a value");
      if (kvs.count(kv.key)) fail(t[k].col, "duplicate tensor field '" + kv.key + "'");
      kvs[kv.key] = kv;
    }
    for (const char* req : {"dtype", "shape", "layout", "offset"})
      if (!kvs.count(req)) fail(t[0].col, std::string(".tensor needs ") + req + "=");
    const KeyValue& dt = kvs["dtype"];
    if (!parse_dtype(dt.value, &x.dtype)) fail(dt.value_col, "unknown dtype '" + dt.value + "' (expected int8, uint8, int32 or float32)");
    const KeyValue& sh = kvs["shape"];
    uint64_t elems = 1;
    for (size_t pos = 0;;) {
      const size_t xpos = sh.value.find('x', pos);
      const std::string dim = sh.value.substr(pos, xpos == std::string::npos ? std::string::npos : xpos - pos);
      const int64_t v = integer(dim, sh.value_col + int(pos), "dimension");
      if (v < 1) fail(sh.value_col + int(pos), "dimension " + dim + " must be at least 1");
      if (__builtin_mul_overflow(elems, uint64_t(v), &elems)) fail(sh.value_col, "shape has too many elements");
      x.shape.push_back(v);
      if (xpos == std::string::npos) break;
      pos = xpos + 1;
    }
    x.layout = kvs["layout"].value;
    x.dram_offset = unsigned_integer(kvs["offset"].value, kvs["offset"].value_col, "tensor offset");
    if (kvs.count("bytes")) {
      x.bytes = unsigned_integer(kvs["bytes"].value, kvs["bytes"].value_col, "tensor bytes");
    } else if (__builtin_mul_overflow(elems, uint64_t(dtype_bytes(x.dtype)), &x.bytes)) {
      fail(sh.value_col, "shape has too many elements");
    }
    if (kvs.count("scale")) {
      const KeyValue& s = kvs["scale"];
      char* end = nullptr;
      x.scale = std::strtod(s.value.c_str(), &end);
      if (s.value.empty() || *end != '\0') fail(s.value_col, "bad scale '" + s.value + "': expected a number");
    }
    if (kvs.count("zero_point")) {
      const KeyValue& z = kvs["zero_point"];
      const int64_t v = integer(z.value, z.value_col, "zero_point");
      if (v < INT32_MIN || v > INT32_MAX) fail(z.value_col, "zero_point " + z.value + " does not fit int32");
      x.zero_point = int32_t(v);
    }
    p_.tensors.push_back(std::move(x));
    tensor_lines_.push_back(line_);
  }

  // .step accel|host NAME op=OP [begin=N end=N] [inputs=a,b] [outputs=c] [@key=value ...]
  void step(const std::vector<Token>& t) {
    if (t.size() < 3) fail(t[0].col, ".step takes a kind (accel/host), a name, op= and optional fields");
    Step s;
    if (!parse_step_kind(t[1].text, &s.kind)) fail(t[1].col, "step kind must be accel or host, not '" + t[1].text + "'");
    s.name = t[2].text;
    if (s.name.find('=') != std::string::npos) fail(t[2].col, "step name missing before '" + t[2].text + "'");
    std::map<std::string, int> set_at;  // key -> column, for duplicates
    for (size_t k = 3; k < t.size(); ++k) {
      const KeyValue kv = key_value(t[k]);
      if (!kv.has_value || kv.value.empty()) fail(kv.value_col, "step field '" + kv.key + "' needs a value (" + kv.key + "=...)");
      if (set_at.count(kv.key))
        fail(t[k].col, "duplicate step field '" + kv.key + "' (first set at column " + std::to_string(set_at[kv.key]) + ")");
      set_at[kv.key] = t[k].col;
      if (kv.key.size() > 1 && kv.key[0] == '@') s.attrs[kv.key.substr(1)] = kv.value;
      else if (kv.key == "op") s.op = kv.value;
      else if (kv.key == "begin") s.insn_begin = unsigned_integer(kv.value, kv.value_col, "instruction index");
      else if (kv.key == "end") s.insn_end = unsigned_integer(kv.value, kv.value_col, "instruction index");
      else if (kv.key == "inputs") s.inputs = name_list(kv);
      else if (kv.key == "outputs") s.outputs = name_list(kv);
      else fail(t[k].col, "unknown step field '" + kv.key + "' (expected op, begin, end, inputs, outputs or @attribute)");
    }
    if (!set_at.count("op")) fail(t[0].col, ".step needs op=");
    if (s.kind == StepKind::ACCEL && (!set_at.count("begin") || !set_at.count("end")))
      fail(t[0].col, "accel step needs begin= and end= (its instruction range)");
    p_.steps.push_back(std::move(s));
    step_lines_.push_back(line_);
  }

  // Comma-separated tensor names; an empty name is an error at its column.
  std::vector<std::string> name_list(const KeyValue& kv) {
    std::vector<std::string> names;
    for (size_t pos = 0;;) {
      const size_t comma = kv.value.find(',', pos);
      names.push_back(kv.value.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
      if (names.back().empty()) fail(kv.value_col + int(pos), "empty tensor name in " + kv.key + "=");
      if (comma == std::string::npos) return names;
      pos = comma + 1;
    }
  }

  // Without .dram_bytes the program needs exactly the bytes its micro-ops, constants and tensors reach.
  uint64_t implied_dram_bytes() const {
    uint64_t end = 0;
    auto reach = [&end](uint64_t off, uint64_t n) {
      uint64_t e;
      end = std::max(end, __builtin_add_overflow(off, n, &e) ? UINT64_MAX : e);
    };
    reach(p_.uop_dram_offset, p_.uops.size() * uint64_t(cfg_.uop_bytes()));
    for (const auto& s : p_.constants) reach(s.offset, s.bytes.size());
    for (const auto& t : p_.tensors) reach(t.dram_offset, t.bytes);
    return end;
  }

  void post_checks(const AsmOptions& opts) {
    for (const auto& is : program_issues(p_, cfg_)) {
      int line = dram_line_ ? dram_line_ : 1;
      if (is.part == ProgramPart::INSNS) line = insn_lines_[is.index];
      if (is.part == ProgramPart::UOPS) line = uop_offset_line_ ? uop_offset_line_ : std::max(first_uop_line_, 1);
      if (is.part == ProgramPart::CONSTANTS) line = const_lines_[is.index];
      if (is.part == ProgramPart::TENSORS) line = tensor_lines_[is.index];
      if (is.part == ProgramPart::STEPS) line = step_lines_[is.index];
      error_at(line, 1, is.message);
    }
    // Step ranges are only meaningful (in bounds, disjoint) once program_issues accepts them.
    if (!opts.check_tokens || (!p_.steps.empty() && !errors_.empty())) return;
    // Each accelerator step is a run of its own: its tokens must balance within its range.
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    if (p_.steps.empty()) runs.push_back({0, p_.insns.size()});
    for (const auto& s : p_.steps)
      if (s.kind == StepKind::ACCEL) runs.push_back({s.insn_begin, s.insn_end});
    for (const auto& [begin, end] : runs) {
      const std::vector<Insn> run(p_.insns.begin() + std::ptrdiff_t(begin), p_.insns.begin() + std::ptrdiff_t(end));
      for (const auto& is : check_token_balance(run))
        error_at(insn_lines_[size_t(begin) + size_t(is.insn_index)], 1, is.message);
    }
  }

  const DerivedConfig& cfg_;
  const std::string& origin_;
  Program p_;
  int line_ = 0;
  int dram_line_ = 0, uop_offset_line_ = 0, first_uop_line_ = 0;
  std::vector<int> insn_lines_, const_lines_, tensor_lines_, step_lines_;
  std::vector<std::string> errors_;
};

}  // namespace

Program assemble(const std::string& text, const DerivedConfig& cfg, const std::string& origin, const AsmOptions& opts) {
  return Assembler(cfg, origin).run(text, opts);
}

}  // namespace tessera
