// .tsp container: round trips, the initial DRAM image, and rejection of damaged or inconsistent files.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "isa/program.h"

namespace tessera {
namespace {

const std::string kConfigs = std::string(TESSERA_SOURCE_DIR) + "/configs";

// Header offsets as docs/program-format.md specifies them (a golden of the format, not of the code).
constexpr size_t kVersionAt = 8, kHashAt = 16, kChecksumAt = 40, kTableAt = 48, kEntryBytes = 24;

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

}  // namespace
}  // namespace tessera
