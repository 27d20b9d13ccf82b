// The .tsp file format: serialization, and bounds-checked parsing that names the byte offset and
// field of anything malformed.
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "isa/program.h"
#include "isa/program_internal.h"

namespace tessera {
namespace {

using namespace program_detail;

constexpr uint8_t kMagic[8] = {0x89, 'T', 'S', 'P', '\r', '\n', 0x1a, '\n'};
constexpr uint32_t kVersion = 2;     // written; version 1 (no steps section) is still read
constexpr uint32_t kOldestVersion = 1;
constexpr uint64_t kHeaderBytes = 48;
constexpr uint64_t kChecksumOffset = 40;
constexpr uint64_t kSectionEntryBytes = 24;
// Smallest encodings, so a count can be checked against the bytes left before anything is allocated.
constexpr uint64_t kMinStepBytes = 40, kMinListEntryBytes = 4, kMinAttrBytes = 8;

enum SectionKind : uint32_t { CONFIG = 1, INSNS = 2, UOPS = 3, CONSTANTS = 4, TENSORS = 5, STEPS = 6 };
constexpr uint32_t kNumSectionKinds = 6;
// Version 1 files carry every section but the steps.
uint32_t section_count(uint32_t version) { return version == 1 ? 5 : kNumSectionKinds; }
const char* section_name(uint32_t kind) {
  static constexpr const char* kNames[] = {"?", "config", "insns", "uops", "constants", "tensors", "steps"};
  return kind >= 1 && kind <= kNumSectionKinds ? kNames[kind] : "?";
}

// FNV-1a 64 over the file, with the checksum field itself read as zeros.
uint64_t checksum(const std::vector<uint8_t>& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const uint8_t b = i >= kChecksumOffset && i < kChecksumOffset + 8 ? 0 : bytes[i];
    h = (h ^ b) * 1099511628211ull;
  }
  return h;
}

class Writer {
 public:
  void u8(uint8_t v) { out.push_back(v); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void str(const std::string& s) {
    u32(uint32_t(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }
  void raw(const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }
  std::vector<uint8_t> out;

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(uint8_t(v >> (8 * i)));
  }
};

// Reads little-endian values from [pos, end) of the file; every overrun names the field and offset.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& file, uint64_t begin, uint64_t end, const std::string& origin, std::string where)
      : f_(file), pos_(begin), end_(end), origin_(origin), where_(std::move(where)) {}
  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return end_ - pos_; }
  uint8_t u8(const std::string& field) { return uint8_t(le(1, field)); }
  uint32_t u32(const std::string& field) { return uint32_t(le(4, field)); }
  uint64_t u64(const std::string& field) { return le(8, field); }
  double f64(const std::string& field) {
    const uint64_t bits = le(8, field);
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  const uint8_t* take(uint64_t n, const std::string& field) {
    need(n, field);
    const uint8_t* p = f_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::string str(const std::string& field, size_t max_len) {
    const uint64_t at = pos_;
    const uint32_t n = u32(field + " length");
    if (n > max_len) fail(at, field, "length " + std::to_string(n) + " exceeds the limit of " + std::to_string(max_len));
    const uint8_t* p = take(n, field);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  void expect_end() const {
    if (pos_ != end_) fail(pos_, "end", std::to_string(end_ - pos_) + " unexpected trailing bytes");
  }
  [[noreturn]] void fail(uint64_t at, const std::string& field, const std::string& why) const {
    throw ProgramError(origin_ + ": byte " + std::to_string(at) + ": " + where_ + (where_.empty() ? "" : " ") + field +
                       ": " + why);
  }

 private:
  void need(uint64_t n, const std::string& field) const {
    if (n > remaining())
      fail(pos_, field, "truncated (needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left)");
  }
  uint64_t le(int n, const std::string& field) {
    const uint8_t* p = take(n, field);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    return v;
  }
  const std::vector<uint8_t>& f_;
  uint64_t pos_, end_;
  const std::string& origin_;
  std::string where_;
};

struct Section {
  uint64_t offset = 0, size = 0;
  bool present = false;
};

// Byte offsets of each entry, so validation issues found after parsing can still name a place in the file.
struct EntryOffsets {
  uint64_t header = 0, uops = 0;
  std::vector<uint64_t> insns, constants, tensors, steps;
  uint64_t of(const ProgramIssue& is) const {
    auto at = [&](const std::vector<uint64_t>& v) { return is.index < v.size() ? v[is.index] : header; };
    switch (is.part) {
      case ProgramPart::HEADER: return header;
      case ProgramPart::INSNS: return at(insns);
      case ProgramPart::UOPS: return uops;
      case ProgramPart::CONSTANTS: return at(constants);
      case ProgramPart::TENSORS: return at(tensors);
      case ProgramPart::STEPS: return at(steps);
    }
    return header;
  }
};

}  // namespace

std::vector<uint8_t> write_program(const Program& p, const std::string& origin) {
  const DerivedConfig cfg = derive(p.config, origin + " config");
  const auto issues = program_issues(p, cfg);
  if (!issues.empty()) throw ProgramError(origin + ": " + issue_label(issues[0]) + ": " + issues[0].message);
  const IsaCodec codec(cfg.layout);

  std::vector<Writer> sec(kNumSectionKinds + 1);
  const std::string json = canonical_json(p.config);
  sec[CONFIG].raw(reinterpret_cast<const uint8_t*>(json.data()), json.size());

  sec[INSNS].u64(p.insns.size());
  std::vector<uint8_t> buf(std::max(codec.insn_bytes(), codec.uop_bytes()));
  for (const auto& insn : p.insns) {
    codec.encode_bytes(insn, buf.data());
    sec[INSNS].raw(buf.data(), codec.insn_bytes());
  }

  sec[UOPS].u64(p.uop_dram_offset);
  sec[UOPS].u64(p.uops.size());
  for (const auto& u : p.uops) {
    codec.encode_uop(u, buf.data());
    sec[UOPS].raw(buf.data(), codec.uop_bytes());
  }

  sec[CONSTANTS].u64(p.constants.size());
  for (const auto& s : p.constants) {
    sec[CONSTANTS].u64(s.offset);
    sec[CONSTANTS].u64(s.bytes.size());
    sec[CONSTANTS].raw(s.bytes.data(), s.bytes.size());
  }

  Writer& t = sec[TENSORS];
  t.u32(uint32_t(p.tensors.size()));
  for (const auto& x : p.tensors) {
    t.str(x.name);
    t.u8(uint8_t(x.dir));
    t.u8(uint8_t(x.dtype));
    t.u8(uint8_t(x.shape.size()));
    t.u8(0);
    t.str(x.layout);
    for (int64_t d : x.shape) t.u64(uint64_t(d));
    t.f64(x.scale);
    t.u32(uint32_t(x.zero_point));
    t.u64(x.dram_offset);
    t.u64(x.bytes);
  }

  Writer& st = sec[STEPS];
  st.u32(uint32_t(p.steps.size()));
  for (const auto& s : p.steps) {
    st.u8(uint8_t(s.kind));
    st.u8(0);
    st.u8(0);
    st.u8(0);
    st.str(s.name);
    st.str(s.op);
    st.u64(s.insn_begin);
    st.u64(s.insn_end);
    for (const auto* names : {&s.inputs, &s.outputs}) {
      st.u32(uint32_t(names->size()));
      for (const auto& n : *names) st.str(n);
    }
    st.u32(uint32_t(s.attrs.size()));
    for (const auto& kv : s.attrs) {
      st.str(kv.first);
      st.str(kv.second);
    }
  }

  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kVersion);
  w.u32(kNumSectionKinds);
  w.u64(cfg.hash);
  w.u32(uint32_t(codec.insn_bytes()));
  w.u32(uint32_t(codec.uop_bytes()));
  w.u64(p.dram_bytes);
  w.u64(0);  // checksum, filled in last
  uint64_t pos = kHeaderBytes + kSectionEntryBytes * kNumSectionKinds;
  for (uint32_t k = 1; k <= kNumSectionKinds; ++k) {
    pos = (pos + 7) / 8 * 8;  // 8-byte aligned sections
    w.u32(k);
    w.u32(0);
    w.u64(pos);
    w.u64(sec[k].out.size());
    pos += sec[k].out.size();
  }
  for (uint32_t k = 1; k <= kNumSectionKinds; ++k) {
    w.out.resize((w.out.size() + 7) / 8 * 8, 0);
    w.raw(sec[k].out.data(), sec[k].out.size());
  }
  const uint64_t sum = checksum(w.out);
  for (int i = 0; i < 8; ++i) w.out[kChecksumOffset + i] = uint8_t(sum >> (8 * i));
  return w.out;
}

namespace {

// A u32 count that must fit both `limit` and the bytes left at `min_bytes` per entry.
uint32_t read_count(Reader& r, const std::string& field, uint64_t limit, uint64_t min_bytes) {
  const uint64_t at = r.pos();
  const uint32_t n = r.u32(field);
  if (n > limit) r.fail(at, field, std::to_string(n) + " exceeds the limit of " + std::to_string(limit));
  if (n > r.remaining() / min_bytes) r.fail(at, field, std::to_string(n) + " entries do not fit the section");
  return n;
}

void read_steps(Reader r, Program* p, EntryOffsets* where) {
  const uint32_t n = read_count(r, "count", kMaxProgramSteps, kMinStepBytes);
  p->steps.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const std::string f = "[" + std::to_string(i) + "]";
    const uint64_t at = r.pos();
    where->steps.push_back(at);
    Step s;
    const uint8_t kind = r.u8(f + ".kind");
    if (kind > uint8_t(StepKind::HOST)) r.fail(at, f + ".kind", "unknown step kind " + std::to_string(kind));
    s.kind = StepKind(kind);
    const uint8_t* reserved = r.take(3, f + ".reserved");
    if (reserved[0] | reserved[1] | reserved[2]) r.fail(at + 1, f + ".reserved", "must be 0");
    s.name = r.str(f + ".name", kMaxNameBytes);
    s.op = r.str(f + ".op", kMaxNameBytes);
    s.insn_begin = r.u64(f + ".insn_begin");
    s.insn_end = r.u64(f + ".insn_end");
    for (auto [list, what] : {std::pair{&s.inputs, ".inputs"}, std::pair{&s.outputs, ".outputs"}}) {
      const uint32_t m = read_count(r, f + what + " count", kMaxStepListEntries, kMinListEntryBytes);
      for (uint32_t k = 0; k < m; ++k) list->push_back(r.str(f + what + "[" + std::to_string(k) + "]", kMaxNameBytes));
    }
    const uint32_t na = read_count(r, f + ".attrs count", kMaxStepListEntries, kMinAttrBytes);
    for (uint32_t k = 0; k < na; ++k) {
      const uint64_t kat = r.pos();
      const std::string a = f + ".attrs[" + std::to_string(k) + "]";
      std::string key = r.str(a + ".key", kMaxNameBytes);
      std::string value = r.str(a + ".value", kMaxAttrValueBytes);
      if (!s.attrs.emplace(key, std::move(value)).second) r.fail(kat, a + ".key", "duplicate attribute '" + key + "'");
    }
    p->steps.push_back(std::move(s));
  }
  r.expect_end();
}

}  // namespace

Program read_program(const std::vector<uint8_t>& file, const std::string& origin) {
  Reader h(file, 0, file.size(), origin, "header");
  const uint8_t* magic = h.take(sizeof kMagic, "magic");
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) h.fail(0, "magic", "not a tessera program (.tsp) file");
  const uint32_t version = h.u32("version");
  if (version < kOldestVersion || version > kVersion)
    h.fail(8, "version", "format version " + std::to_string(version) + " is not supported (this reader reads " +
                             std::to_string(kOldestVersion) + " to " + std::to_string(kVersion) + ")");
  const uint32_t kinds = section_count(version);
  const uint32_t nsec = h.u32("section_count");
  const uint64_t hash = h.u64("config_hash");
  const uint32_t insn_bytes = h.u32("insn_bytes");
  const uint32_t uop_bytes = h.u32("uop_bytes");
  Program p;
  p.dram_bytes = h.u64("dram_bytes");
  const uint64_t sum = h.u64("checksum");
  if (sum != checksum(file)) h.fail(kChecksumOffset, "checksum", "does not match the file contents (corrupted file)");
  if (nsec != kinds)
    h.fail(12, "section_count", std::to_string(nsec) + " sections, expected " + std::to_string(kinds) + " in version " +
                                    std::to_string(version));

  std::vector<Section> sections(kNumSectionKinds + 1);
  const uint64_t table_end = kHeaderBytes + kSectionEntryBytes * nsec;
  for (uint32_t i = 0; i < nsec; ++i) {
    const uint64_t at = h.pos();
    const uint32_t kind = h.u32("section kind");
    const uint32_t flags = h.u32("section flags");
    Section s{h.u64("section offset"), h.u64("section size"), true};
    if (kind < 1 || kind > kinds)
      h.fail(at, "section kind", "unknown section kind " + std::to_string(kind) + " in version " + std::to_string(version));
    if (sections[kind].present) h.fail(at, "section kind", std::string("duplicate ") + section_name(kind) + " section");
    if (flags != 0) h.fail(at + 4, "section flags", "must be 0");
    uint64_t end;
    if (s.offset < table_end || add_overflows(s.offset, s.size, &end) || end > file.size())
      h.fail(at + 8, std::string(section_name(kind)) + " section",
             "bytes [" + std::to_string(s.offset) + ", +" + std::to_string(s.size) + ") lie outside the file body [" +
                 std::to_string(table_end) + ", " + std::to_string(file.size()) + ")");
    sections[kind] = s;
  }
  std::vector<Section> sorted(sections.begin() + 1, sections.begin() + 1 + kinds);
  std::sort(sorted.begin(), sorted.end(), [](const Section& a, const Section& b) { return a.offset < b.offset; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i].offset < sorted[i - 1].offset + sorted[i - 1].size)
      h.fail(sorted[i].offset, "section table", "sections overlap");
  auto reader = [&](uint32_t kind) {
    return Reader(file, sections[kind].offset, sections[kind].offset + sections[kind].size, origin,
                  section_name(kind));
  };

  const Section& cs = sections[CONFIG];
  const std::string json(reinterpret_cast<const char*>(file.data() + cs.offset), cs.size);
  DerivedConfig cfg;
  try {
    p.config = parse_config(json, "embedded config");
    cfg = derive(p.config, "embedded config");
  } catch (const ConfigError& e) {
    reader(CONFIG).fail(cs.offset, "json", e.what());
  }
  if (cfg.hash != hash)
    h.fail(16, "config_hash", "header says " + std::to_string(hash) + " but the embedded config hashes to " +
                                  std::to_string(cfg.hash) + " (" + cfg.hash_hex() + ")");
  if (insn_bytes != uint32_t(cfg.insn_bytes()))
    h.fail(24, "insn_bytes", std::to_string(insn_bytes) + " but the config's instructions are " +
                                 std::to_string(cfg.insn_bytes()) + " bytes");
  if (uop_bytes != uint32_t(cfg.uop_bytes()))
    h.fail(28, "uop_bytes", std::to_string(uop_bytes) + " but the config's micro-ops are " +
                                std::to_string(cfg.uop_bytes()) + " bytes");
  const IsaCodec codec(cfg.layout);
  EntryOffsets where;
  where.header = 32;

  Reader ri = reader(INSNS);
  const uint64_t ni = ri.u64("count");
  if (ni > ri.remaining() / insn_bytes)
    ri.fail(ri.pos() - 8, "count", std::to_string(ni) + " instructions do not fit the section");
  p.insns.reserve(ni);
  for (uint64_t i = 0; i < ni; ++i) {
    const uint64_t at = ri.pos();
    const uint8_t* b = ri.take(insn_bytes, "instruction");
    try {
      p.insns.push_back(codec.decode_bytes(b));
    } catch (const EncodeError& e) {
      ri.fail(at, "[" + std::to_string(i) + "]", e.what());
    }
    where.insns.push_back(at);
  }
  ri.expect_end();

  Reader ru = reader(UOPS);
  where.uops = ru.pos();
  p.uop_dram_offset = ru.u64("dram_offset");
  const uint64_t nu = ru.u64("count");
  if (nu > ru.remaining() / uop_bytes) ru.fail(ru.pos() - 8, "count", std::to_string(nu) + " micro-ops do not fit the section");
  p.uops.reserve(nu);
  for (uint64_t i = 0; i < nu; ++i) p.uops.push_back(codec.decode_uop(ru.take(uop_bytes, "micro-op")));
  ru.expect_end();

  Reader rc = reader(CONSTANTS);
  const uint64_t nc = rc.u64("count");
  if (nc > rc.remaining() / 16) rc.fail(rc.pos() - 8, "count", std::to_string(nc) + " segments do not fit the section");
  for (uint64_t i = 0; i < nc; ++i) {
    const std::string f = "[" + std::to_string(i) + "]";
    where.constants.push_back(rc.pos());
    DramSegment s;
    s.offset = rc.u64(f + ".offset");
    const uint64_t n = rc.u64(f + ".size");
    const uint8_t* b = rc.take(n, f + ".bytes");
    s.bytes.assign(b, b + n);
    p.constants.push_back(std::move(s));
  }
  rc.expect_end();

  Reader rt = reader(TENSORS);
  const uint32_t nt = rt.u32("count");
  for (uint32_t i = 0; i < nt; ++i) {
    const std::string f = "[" + std::to_string(i) + "]";
    where.tensors.push_back(rt.pos());
    TensorInfo t;
    t.name = rt.str(f + ".name", kMaxNameBytes);
    const uint64_t at = rt.pos();
    const uint8_t dir = rt.u8(f + ".dir"), dtype = rt.u8(f + ".dtype"), rank = rt.u8(f + ".rank");
    if (dir > uint8_t(TensorDir::INTERNAL)) rt.fail(at, f + ".dir", "unknown direction " + std::to_string(dir));
    if (dtype > uint8_t(DType::FLOAT32)) rt.fail(at + 1, f + ".dtype", "unknown dtype " + std::to_string(dtype));
    if (rank < 1 || rank > kMaxRank) rt.fail(at + 2, f + ".rank", "rank " + std::to_string(rank) + " outside [1, 8]");
    if (rt.u8(f + ".reserved") != 0) rt.fail(at + 3, f + ".reserved", "must be 0");
    t.dir = TensorDir(dir);
    t.dtype = DType(dtype);
    t.layout = rt.str(f + ".layout", kMaxNameBytes);
    for (int d = 0; d < rank; ++d) {
      const uint64_t dim = rt.u64(f + ".shape");
      if (dim < 1 || dim > uint64_t(INT64_MAX)) rt.fail(rt.pos() - 8, f + ".shape", "dimension " + std::to_string(dim) + " is not a positive int64");
      t.shape.push_back(int64_t(dim));
    }
    t.scale = rt.f64(f + ".scale");
    t.zero_point = int32_t(rt.u32(f + ".zero_point"));
    t.dram_offset = rt.u64(f + ".dram_offset");
    t.bytes = rt.u64(f + ".bytes");
    p.tensors.push_back(std::move(t));
  }
  rt.expect_end();

  if (sections[STEPS].present) read_steps(reader(STEPS), &p, &where);

  const auto issues = program_issues(p, cfg);
  if (!issues.empty())
    throw ProgramError(origin + ": byte " + std::to_string(where.of(issues[0])) + ": " + issue_label(issues[0]) + ": " +
                       issues[0].message);
  return p;
}

void write_program_file(const Program& p, const std::string& path) {
  const auto bytes = write_program(p, path);
  std::ofstream f(path, std::ios::binary);
  if (!f) throw ProgramError(path + ": cannot open for writing");
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) throw ProgramError(path + ": write failed");
}

Program read_program_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ProgramError(path + ": cannot open for reading");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return read_program(bytes, path);
}
}  // namespace tessera
