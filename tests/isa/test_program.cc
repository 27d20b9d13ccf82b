// .tsp container: round trips, the initial DRAM image, and rejection of damaged or inconsistent files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>

#include "isa/program.h"

namespace tessera {
namespace {

const std::string kConfigs = std::string(TESSERA_SOURCE_DIR) + "/configs";

// Header offsets as docs/program-format.md specifies them (a golden of the format, not of the code).
constexpr size_t kVersionAt = 8, kSectionCountAt = 12, kHashAt = 16, kChecksumAt = 40, kTableAt = 48, kEntryBytes = 24;
constexpr size_t kStepsEntry = kTableAt + 5 * kEntryBytes;  // the writer's sixth table entry: steps

uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i));
}

uint64_t le64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(b[at + i]) << (8 * i);
  return v;
}
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = uint8_t(v >> (8 * i));
}
// FNV-1a 64 over the file with the checksum field as zeros, re-derived here from the format spec.
void fix_checksum(std::vector<uint8_t>& b) {
  put64(b, kChecksumAt, 0);
  uint64_t h = 14695981039346656037ull;
  for (uint8_t x : b) h = (h ^ x) * 1099511628211ull;
  put64(b, kChecksumAt, h);
}

Program sample(const DerivedConfig& cfg, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Program p;
  p.config = cfg.hw;
  p.dram_bytes = 1 << 16;
  p.uop_dram_offset = uint64_t(cfg.uop_bytes()) * 16;
  for (int i = 0; i < 9; ++i)
    p.uops.push_back({uint32_t(rng() % (1u << cfg.layout.uop[0].width)), uint32_t(rng() % (1u << cfg.layout.uop[1].width)),
                      uint32_t(rng() % (1u << cfg.layout.uop[2].width))});
  p.constants.push_back({2048, std::vector<uint8_t>(100)});
  p.constants.push_back({1024, std::vector<uint8_t>(3)});
  for (auto& s : p.constants)
    for (auto& b : s.bytes) b = uint8_t(rng());
  p.tensors.push_back({"data", TensorDir::INPUT, DType::INT8, {1, 16, 4, 4}, "NCHW1n16c", 0.25, 3, 4096, 256});
  p.tensors.push_back({"logits", TensorDir::OUTPUT, DType::INT32, {1, 10}, "NC", 1e-3, 0, 8192, 40});
  Insn load;
  load[Field::OPCODE] = int(Opcode::LOAD);
  load[Field::MEMORY_TYPE] = int(MemType::UOP);
  load[Field::DRAM_BASE] = 16;
  load[Field::Y_SIZE] = 1;
  load[Field::X_SIZE] = 9;
  load[Field::X_STRIDE] = 9;
  Insn alu;
  alu[Field::OPCODE] = int(Opcode::ALU);
  alu[Field::IMM] = -5;
  alu[Field::USE_IMM] = 1;
  Insn finish;
  finish[Field::OPCODE] = int(Opcode::FINISH);
  p.insns = {load, alu, finish};
  return p;
}

Insn opcode_only(Opcode op) {
  Insn i;
  i[Field::OPCODE] = int(op);
  return i;
}

// A three-step network: two accelerator runs through an internal tensor, then a host Softmax to float32.
Program network(const DerivedConfig& cfg, uint64_t seed) {
  Program p = sample(cfg, seed);
  p.insns.push_back(opcode_only(Opcode::ALU));
  p.insns.push_back(opcode_only(Opcode::FINISH));  // instructions: LOAD ALU FINISH | ALU FINISH
  p.tensors.push_back({"mid", TensorDir::INTERNAL, DType::INT8, {1, 16, 4, 4}, "NCHW1n16c", 0.5, -1, 12288, 256});
  p.tensors.push_back({"probs", TensorDir::OUTPUT, DType::FLOAT32, {1, 10}, "NC", 1, 0, 16384, 40});
  p.steps.push_back({StepKind::ACCEL, "conv1", "conv", 0, 3, {"data"}, {"mid"}, {{"macs", "4096"}, {"predicted_cycles", "77"}}});
  p.steps.push_back({StepKind::ACCEL, "fc", "dense", 3, 5, {"mid"}, {"logits"}, {}});
  p.steps.push_back({StepKind::HOST, "softmax/1", "Softmax", 0, 0, {"logits"}, {"probs"}, {{"axis", "-1"}}});
  return p;
}

std::string read_error(const std::vector<uint8_t>& bytes) {
  try {
    read_program(bytes, "p.tsp");
  } catch (const ProgramError& e) {
    return e.what();
  }
  ADD_FAILURE() << "read a damaged file without error";
  return "";
}

TEST(Program, RoundTripsInEveryConfig) {
  for (const auto& e : std::filesystem::directory_iterator(kConfigs)) {
    if (e.path().extension() != ".json") continue;
    const DerivedConfig cfg = load_derived(e.path().string());
    const Program p = sample(cfg, 1);
    const auto bytes = write_program(p);
    const Program back = read_program(bytes, "mem");
    EXPECT_TRUE(back == p) << e.path();
    EXPECT_EQ(write_program(back), bytes);
    EXPECT_EQ(le64(bytes, kHashAt), cfg.hash);  // the header carries the hash the hardware reports
  }
}

TEST(Program, FileVariantsRoundTrip) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const Program p = sample(cfg, 2);
  const std::string path = (std::filesystem::temp_directory_path() / "tessera_test_program.tsp").string();
  write_program_file(p, path);
  EXPECT_TRUE(read_program_file(path) == p);
  std::filesystem::remove(path);
  try {
    read_program_file(path);
    ADD_FAILURE() << "read a missing file";
  } catch (const ProgramError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
}

TEST(Program, InitialDramPlacesMicroOpsAndConstants) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const Program p = sample(cfg, 3);
  const auto dram = initial_dram(p, cfg);
  ASSERT_EQ(dram.size(), p.dram_bytes);
  std::vector<bool> placed(dram.size(), false);
  for (const auto& s : p.constants)
    for (size_t i = 0; i < s.bytes.size(); ++i) {
      EXPECT_EQ(dram[s.offset + i], s.bytes[i]);
      placed[s.offset + i] = true;
    }
  // Default config micro-op: dst[10:0] src[21:11] wgt[31:22], little-endian 32-bit words (VTA layout).
  for (size_t i = 0; i < p.uops.size(); ++i) {
    const size_t at = p.uop_dram_offset + 4 * i;
    const uint32_t word = dram[at] | dram[at + 1] << 8 | dram[at + 2] << 16 | uint32_t(dram[at + 3]) << 24;
    EXPECT_EQ(word, p.uops[i].dst | p.uops[i].src << 11 | p.uops[i].wgt << 22);
    for (int k = 0; k < 4; ++k) placed[at + k] = true;
  }
  for (size_t i = 0; i < dram.size(); ++i)
    if (!placed[i]) {
      ASSERT_EQ(dram[i], 0) << "byte " << i;
    }
}

TEST(ProgramErrors, WrongMagicVersionAndChecksum) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const auto good = write_program(sample(cfg, 4));
  auto b = good;
  b[1] = 'X';
  EXPECT_NE(read_error(b).find("p.tsp: byte 0: header magic: not a tessera program"), std::string::npos);
  b = good;
  b[kVersionAt] = 9;
  fix_checksum(b);
  EXPECT_NE(read_error(b).find("p.tsp: byte 8: header version: format version 9 is not supported"), std::string::npos);
  b = good;
  b[b.size() - 30] ^= 0x40;  // a flipped bit anywhere in the body
  EXPECT_NE(read_error(b).find("byte 40: header checksum: does not match"), std::string::npos);
}

TEST(ProgramErrors, EveryTruncationIsAClearError) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const auto good = write_program(sample(cfg, 5));
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> b(good.begin(), good.begin() + std::ptrdiff_t(n));
    if (n > kChecksumAt + 8) fix_checksum(b);  // get past the checksum to reach the structural checks
    const std::string e = read_error(b);
    EXPECT_EQ(e.rfind("p.tsp: byte ", 0), 0u) << n << ": " << e;
  }
}

TEST(ProgramErrors, ConfigHashMismatchNamesBothHashes) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  auto b = write_program(sample(cfg, 6));
  put64(b, kHashAt, cfg.hash ^ 1);
  fix_checksum(b);
  const std::string e = read_error(b);
  EXPECT_NE(e.find("byte 16: header config_hash:"), std::string::npos) << e;
  EXPECT_NE(e.find(cfg.hash_hex()), std::string::npos) << e;
}

TEST(ProgramErrors, EmbeddedConfigIsParsedStrictly) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  auto b = write_program(sample(cfg, 7));
  const uint64_t off = le64(b, kTableAt + 8), size = le64(b, kTableAt + 16);  // section 0 = config
  const std::string json(b.begin() + std::ptrdiff_t(off), b.begin() + std::ptrdiff_t(off + size));
  const size_t at = json.find("\"block_in\":16");
  ASSERT_NE(at, std::string::npos) << json;
  b[off + at + 12] = '7';  // block_in 17: not a power of two
  fix_checksum(b);
  const std::string e = read_error(b);
  EXPECT_NE(e.find("config json: embedded config: /gemm/block_in: must be a power of two"), std::string::npos) << e;
}

TEST(ProgramErrors, SectionsOutsideTheFileAreRejected) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  auto b = write_program(sample(cfg, 8));
  put64(b, kTableAt + kEntryBytes + 16, uint64_t(1) << 62);  // insns section size
  fix_checksum(b);
  EXPECT_NE(read_error(b).find("byte 80: header insns section: bytes ["), std::string::npos) << read_error(b);
}

TEST(ProgramErrors, InconsistentProgramsCannotBeWritten) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  auto expect_refused = [&](const Program& p, const std::string& what) {
    try {
      write_program(p, "out.tsp");
      ADD_FAILURE() << "wrote a program with: " << what;
    } catch (const ProgramError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  Program p = sample(cfg, 9);
  p.constants[1].offset = 2046;
  expect_refused(p, "out.tsp: constants[0]: overlaps constant segment 1");
  p = sample(cfg, 9);
  p.uop_dram_offset += 2;
  expect_refused(p, "out.tsp: uops: uop_dram_offset");
  p = sample(cfg, 9);
  p.tensors[1].name = "data";
  expect_refused(p, "tensors[1]: duplicate name 'data'");
  p = sample(cfg, 9);
  p.tensors[0].bytes = 255;
  expect_refused(p, "tensors[0]: bytes 255 is less than the 256");
  p = sample(cfg, 9);
  p.tensors[0].dram_offset = p.dram_bytes - 1;
  expect_refused(p, "tensors[0]: bytes [");
  p = sample(cfg, 9);
  p.tensors[0].zero_point = 300;
  expect_refused(p, "zero_point 300 outside the int8 range");
  p = sample(cfg, 9);
  p.tensors[0].name = "has space";
  expect_refused(p, "tensors[0]: name 'has space'");
  p = sample(cfg, 9);
  p.insns[0][Field::RESET] = 1;  // LOAD has no reset field
  expect_refused(p, "insns[0]: MEM instruction has no field reset");
  p = sample(cfg, 9);
  p.uops[0].wgt = 1u << cfg.layout.uop[2].width;
  expect_refused(p, "uops: micro-op 0:");
  p = sample(cfg, 9);
  p.dram_bytes = 1000;
  expect_refused(p, "exceed dram_bytes 1000");
}

TEST(ProgramErrors, ValidationIssuesInAReadFileNameTheirByteOffset) {
  // Hand-build a file whose tensor lies outside dram_bytes: the reader must point at that tensor record.
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  auto b = write_program(sample(cfg, 10));
  const uint64_t toff = le64(b, kTableAt + 4 * kEntryBytes + 8);  // section 4 = tensors
  // record 0 starts after the u32 count; its dram_offset field sits after name, dir/dtype/rank/reserved,
  // layout, 4 dims, scale and zero point: 4+4+4 ("data") +4 +4+9 ("NCHW1n16c") +32 +8 +4
  const size_t field = toff + 4 + 4 + 4 + 4 + 4 + 9 + 32 + 8 + 4;
  put64(b, field, 1ull << 20);
  fix_checksum(b);
  const std::string e = read_error(b);
  EXPECT_NE(e.find("p.tsp: byte " + std::to_string(toff + 4) + ": tensors[0]: bytes [1048576, +256) exceed dram_bytes"),
            std::string::npos)
      << e;
}

TEST(Program, NetworksWithStepsRoundTripInEveryConfig) {
  for (const auto& e : std::filesystem::directory_iterator(kConfigs)) {
    if (e.path().extension() != ".json") continue;
    const DerivedConfig cfg = load_derived(e.path().string());
    const Program p = network(cfg, 1);
    ASSERT_TRUE(program_issues(p, cfg).empty()) << program_issues(p, cfg)[0].message;
    const auto bytes = write_program(p);
    EXPECT_EQ(le32(bytes, kVersionAt), 2u);
    EXPECT_EQ(le32(bytes, kSectionCountAt), 6u);
    EXPECT_EQ(le32(bytes, kStepsEntry), 6u);  // section kind 6: steps
    const Program back = read_program(bytes, "mem");
    EXPECT_TRUE(back == p) << e.path();
    EXPECT_EQ(back.steps.at(2).attrs.at("axis"), "-1");
    EXPECT_EQ(back.tensors.at(3).dtype, DType::FLOAT32);
    EXPECT_EQ(write_program(back), bytes);
  }
}

TEST(Program, StepEqualityComparesEveryField) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const Program p = network(cfg, 2);
  std::vector<Program> changed(7, p);
  changed[0].steps[2].kind = StepKind::ACCEL;
  changed[1].steps[0].name = "conv2";
  changed[2].steps[0].op = "add";
  changed[3].steps[0].insn_begin = 1;
  changed[4].steps[0].inputs.push_back("mid");
  changed[5].steps[0].outputs.clear();
  changed[6].steps[0].attrs["macs"] = "1";
  for (const auto& c : changed) EXPECT_FALSE(c == p);
  Program fewer = p;
  fewer.steps.pop_back();
  EXPECT_FALSE(fewer == p);
}

TEST(Program, TensorNamesForDirectionsKindsAndFloat32) {
  EXPECT_STREQ(tensor_dir_name(TensorDir::INTERNAL), "internal");
  EXPECT_STREQ(dtype_name(DType::FLOAT32), "float32");
  EXPECT_EQ(dtype_bytes(DType::FLOAT32), 4);
  EXPECT_STREQ(step_kind_name(StepKind::ACCEL), "accel");
  EXPECT_STREQ(step_kind_name(StepKind::HOST), "host");
  TensorDir d;
  DType t;
  StepKind k = StepKind::ACCEL;
  EXPECT_TRUE(parse_tensor_dir("internal", &d) && d == TensorDir::INTERNAL);
  EXPECT_TRUE(parse_dtype("float32", &t) && t == DType::FLOAT32);
  EXPECT_TRUE(parse_step_kind("host", &k) && k == StepKind::HOST);
  EXPECT_FALSE(parse_step_kind("gpu", &k));
}

TEST(Program, InternalTensorsNeedNoSteps) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  Program p = sample(cfg, 3);
  p.tensors.push_back({"scratch", TensorDir::INTERNAL, DType::FLOAT32, {4}, "N", 1, 0, 20000, 16});
  EXPECT_TRUE(read_program(write_program(p), "mem") == p);
}

// Rewrites a version-2 file without steps into the version-1 layout: five table entries, no steps section.
std::vector<uint8_t> as_version_1(std::vector<uint8_t> b) {
  EXPECT_EQ(le32(b, kStepsEntry), 6u);
  const uint64_t steps_at = le64(b, kStepsEntry + 8);
  EXPECT_EQ(steps_at + le64(b, kStepsEntry + 16), b.size());  // the steps section is the last one
  b.resize(steps_at);
  std::fill(b.begin() + std::ptrdiff_t(kStepsEntry), b.begin() + std::ptrdiff_t(kStepsEntry + kEntryBytes), 0);
  put32(b, kVersionAt, 1);
  put32(b, kSectionCountAt, 5);
  fix_checksum(b);
  return b;
}

TEST(Program, ReadsVersion1Files) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const Program p = sample(cfg, 4);
  const auto v1 = as_version_1(write_program(p));
  const Program back = read_program(v1, "v1.tsp");
  EXPECT_TRUE(back == p);
  EXPECT_TRUE(back.steps.empty());
}

TEST(ProgramErrors, VersionsAndSectionCountsMustAgree) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const auto good = write_program(sample(cfg, 5));
  for (uint32_t v : {0u, 3u}) {
    auto b = good;
    put32(b, kVersionAt, v);
    fix_checksum(b);
    EXPECT_NE(read_error(b).find("byte 8: header version: format version " + std::to_string(v) +
                                 " is not supported (this reader reads 1 to 2)"),
              std::string::npos)
        << read_error(b);
  }
  auto b = good;
  put32(b, kVersionAt, 1);  // version 1 with the six sections of version 2
  fix_checksum(b);
  EXPECT_NE(read_error(b).find("byte 12: header section_count: 6 sections, expected 5 in version 1"), std::string::npos)
      << read_error(b);
  b = as_version_1(good);
  put32(b, kTableAt + 4 * kEntryBytes, 6);  // a steps section in a version-1 file
  fix_checksum(b);
  EXPECT_NE(read_error(b).find("header section kind: unknown section kind 6 in version 1"), std::string::npos)
      << read_error(b);
}

// Every issue program_issues reports, as "part[index]: message" lines.
std::string issues_text(const Program& p, const DerivedConfig& cfg) {
  static const char* kParts[] = {"header", "insns", "uops", "constants", "tensors", "steps"};
  std::string s;
  for (const auto& is : program_issues(p, cfg))
    s += std::string(kParts[int(is.part)]) + "[" + std::to_string(is.index) + "]: " + is.message + "\n";
  return s;
}

TEST(ProgramErrors, StepRulesNameTheStep) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const Program good = network(cfg, 6);
  auto expect_issue = [&](const std::function<void(Program&)>& change, const std::string& what) {
    Program p = good;
    change(p);
    const std::string all = issues_text(p, cfg);
    EXPECT_NE(all.find(what), std::string::npos) << "want: " << what << "\ngot:\n" << all;
  };
  expect_issue([](Program& p) { p.steps[0].name = ""; }, "steps[0]: '': name must be 1-255 printable");
  expect_issue([](Program& p) { p.steps[1].name = "f c"; }, "steps[1]: 'f c': name must be");
  expect_issue([](Program& p) { p.steps[1].name = "a=b"; }, "steps[1]: 'a=b': name must be");
  expect_issue([](Program& p) { p.steps[2].op = ""; }, "steps[2]: 'softmax/1': op '' must be");
  expect_issue([](Program& p) { p.steps[2].op = "Soft#max"; }, "steps[2]: 'softmax/1': op 'Soft#max' must be");
  expect_issue([](Program& p) { p.steps[2].kind = StepKind(7); }, "steps[2]: 'softmax/1': unknown kind 7");
  expect_issue([](Program& p) { p.steps[1].insn_begin = 5; }, "steps[1]: 'fc': instructions [5, 5) are empty");
  expect_issue([](Program& p) { p.steps[1].insn_end = 6; }, "steps[1]: 'fc': instructions [3, 6) exceed the 5 instructions");
  expect_issue([](Program& p) { std::swap(p.steps[0], p.steps[1]); },
               "steps[1]: 'conv1': instructions [0, 3) overlap or precede an earlier step's (which end at 5)");
  expect_issue([](Program& p) { p.steps[1].insn_begin = 2; }, "steps[1]: 'fc': instructions [2, 5) overlap");
  expect_issue([](Program& p) { p.steps[0].insn_end = 2; },
               "steps[0]: 'conv1': instructions [0, 2): the last instruction 1 is not a FINISH");
  expect_issue([](Program& p) { p.steps[0].insn_end = 2; }, "insns[2]: instructions [2, 3) belong to no accel step");
  expect_issue([](Program& p) { p.steps.erase(p.steps.begin() + 1); },
               "insns[3]: instructions [3, 5) belong to no accel step");
  expect_issue([](Program& p) { p.steps[0].insn_begin = 1; }, "insns[0]: instructions [0, 1) belong to no accel step");
  expect_issue([](Program& p) { p.steps[0].insn_end = 5, p.steps.erase(p.steps.begin() + 1); },
               "steps[0]: 'conv1': instructions [0, 5): instruction 2 is a FINISH before the end of the step");
  expect_issue([](Program& p) { p.steps[2].insn_end = 1; }, "steps[2]: 'softmax/1': host step has instructions [0, 1)");
  expect_issue([](Program& p) { p.steps[2].inputs = {"nope"}; }, "steps[2]: 'softmax/1': input 'nope' is not in the tensor table");
  expect_issue([](Program& p) { p.steps[0].outputs = {"data"}; }, "steps[0]: 'conv1': output 'data' is a graph input tensor");
  expect_issue([](Program& p) { p.tensors[2].name = "m,d", p.steps[0].outputs = {"m,d"}; },
               "steps[0]: 'conv1': output 'm,d' contains a comma");
  expect_issue([](Program& p) { p.steps[2].attrs["Axis"] = "1"; }, "steps[2]: 'softmax/1': attribute key 'Axis' must match");
  expect_issue([](Program& p) { p.steps[2].attrs[""] = "1"; }, "attribute key '' must match");
  expect_issue([](Program& p) { p.steps[2].attrs["axis"] = "1 2"; }, "steps[2]: 'softmax/1': attribute 'axis' value must be");
  expect_issue([](Program& p) { p.steps[2].attrs["axis"] = ""; }, "attribute 'axis' value must be");
  expect_issue([](Program& p) { p.steps[2].attrs["axis"] = "\"1\""; }, "attribute 'axis' value must be");
  expect_issue([](Program& p) { p.steps[2].inputs.assign(65, "logits"); }, "steps[2]: 'softmax/1': 65 inputs exceed the limit of 64");
  expect_issue([](Program& p) { p.steps[2].outputs.assign(65, "probs"); }, "65 outputs exceed the limit of 64");
  expect_issue([](Program& p) {
    for (int i = 0; i < 64; ++i) p.steps[2].attrs["k" + std::to_string(i)] = "1";
  }, "steps[2]: 'softmax/1': 65 attributes exceed the limit of 64");
  expect_issue([](Program& p) { p.steps.resize(kMaxProgramSteps + 1, p.steps[2]); },
               "steps[0]: 100001 steps exceed the limit of 100000");
  expect_issue([](Program& p) { p.tensors[3].bytes = 39; }, "tensors[3]: bytes 39 is less than the 40");
  // The writer refuses with the same message, naming the step.
  Program p = good;
  p.steps[2].inputs = {"nope"};
  try {
    write_program(p, "out.tsp");
    ADD_FAILURE() << "wrote a step with an unknown input";
  } catch (const ProgramError& e) {
    EXPECT_NE(std::string(e.what()).find("out.tsp: steps[2]: 'softmax/1': input 'nope'"), std::string::npos) << e.what();
  }
}

TEST(ProgramErrors, CorruptStepsSectionIsAClearError) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const auto good = write_program(network(cfg, 7));
  const size_t at = le64(good, kStepsEntry + 8);  // the steps section: u32 count, then step 0 ("conv1", "conv")
  const size_t step0 = at + 4, name0 = step0 + 4, op0 = name0 + 4 + 5, begin0 = op0 + 4 + 4, inputs0 = begin0 + 16;
  ASSERT_EQ(le32(good, at), 3u);
  ASSERT_EQ(std::string(good.begin() + std::ptrdiff_t(name0 + 4), good.begin() + std::ptrdiff_t(name0 + 9)), "conv1");
  auto expect = [&](const std::function<void(std::vector<uint8_t>&)>& change, const std::string& what) {
    auto b = good;
    change(b);
    fix_checksum(b);
    EXPECT_NE(read_error(b).find(what), std::string::npos) << "want: " << what << "\ngot: " << read_error(b);
  };
  const std::string byte = "p.tsp: byte ";
  expect([&](auto& b) { put32(b, at, 0xffffffffu); },
         byte + std::to_string(at) + ": steps count: 4294967295 exceeds the limit of 100000");
  expect([&](auto& b) { put32(b, at, 50000); }, byte + std::to_string(at) + ": steps count: 50000 entries do not fit the section");
  expect([&](auto& b) { b[step0] = 2; }, byte + std::to_string(step0) + ": steps [0].kind: unknown step kind 2");
  expect([&](auto& b) { b[step0 + 3] = 1; }, byte + std::to_string(step0 + 1) + ": steps [0].reserved: must be 0");
  expect([&](auto& b) { put32(b, name0, 256); }, byte + std::to_string(name0) + ": steps [0].name: length 256 exceeds the limit of 255");
  expect([&](auto& b) { put32(b, op0, 4096); }, byte + std::to_string(op0) + ": steps [0].op: length 4096 exceeds the limit of 255");
  expect([&](auto& b) { put32(b, inputs0, 65); }, byte + std::to_string(inputs0) + ": steps [0].inputs count: 65 exceeds the limit of 64");
  expect([&](auto& b) { put32(b, inputs0, 60); }, "steps [0].inputs count: 60 entries do not fit the section");
  // A checked field that reads fine but breaks a rule: the issue names the step's byte offset.
  expect([&](auto& b) { put64(b, begin0 + 8, 2); },
         byte + std::to_string(step0) + ": steps[0]: 'conv1': instructions [0, 2): the last instruction 1 is not a FINISH");
  // Duplicate attribute keys: conv1's attributes are "macs" then "predicted_cycles"; rename the second.
  const std::string pc = "predicted_cycles";
  const auto it = std::search(good.begin() + std::ptrdiff_t(at), good.end(), pc.begin(), pc.end());
  ASSERT_NE(it, good.end());
  const size_t key1 = size_t(it - good.begin()) - 4;
  expect([&](auto& b) {
    put32(b, key1, 4);
    std::copy_n("macs", 4, b.begin() + std::ptrdiff_t(key1 + 4));
    b.erase(b.begin() + std::ptrdiff_t(key1 + 8), b.begin() + std::ptrdiff_t(key1 + 4 + pc.size()));
    put64(b, kStepsEntry + 16, le64(b, kStepsEntry + 16) - (pc.size() - 4));
  }, byte + std::to_string(key1) + ": steps [0].attrs[1].key: duplicate attribute 'macs'");
}

TEST(ProgramErrors, EveryTruncatedStepsSectionIsAClearError) {
  // Shrinking the section (not the file) reaches each field's own bounds check.
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const auto good = write_program(network(cfg, 8));
  const uint64_t at = le64(good, kStepsEntry + 8), size = le64(good, kStepsEntry + 16);
  for (uint64_t n = 0; n < size; ++n) {
    std::vector<uint8_t> b(good.begin(), good.begin() + std::ptrdiff_t(at + n));
    put64(b, kStepsEntry + 16, n);
    fix_checksum(b);
    const std::string e = read_error(b);
    EXPECT_EQ(e.rfind("p.tsp: byte ", 0), 0u) << n << ": " << e;
    EXPECT_NE(e.find(": steps "), std::string::npos) << n << ": " << e;
  }
}

}  // namespace
}  // namespace tessera
