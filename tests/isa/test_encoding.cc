// Encoding invariants over every shipped config, and golden VTA bit layouts at the default config.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "isa/config.h"
#include "isa/insn.h"

namespace tessera {
namespace {

const std::string kConfigs = std::string(TESSERA_SOURCE_DIR) + "/configs";

// Independent oracle: VTA's hw_spec.h bit positions, written out by hand from ../shared/VTA-ISA.md.
struct Bits128 {
  uint64_t w[2] = {0, 0};
  void set(int lsb, int width, uint64_t v) {
    for (int i = 0; i < width; ++i)
      if ((v >> i) & 1) w[(lsb + i) / 64] |= uint64_t{1} << ((lsb + i) % 64);
  }
};

class DefaultEncoding : public ::testing::Test {
 protected:
  DerivedConfig d = load_derived(kConfigs + "/default.json");
  IsaCodec codec{d.layout};
  void expect_encodes(const Insn& insn, const Bits128& want) {
    uint64_t got[2];
    codec.encode(insn, got);
    EXPECT_EQ(got[0], want.w[0]) << std::hex << got[0] << " vs " << want.w[0];
    EXPECT_EQ(got[1], want.w[1]) << std::hex << got[1] << " vs " << want.w[1];
    EXPECT_EQ(codec.decode(got), insn);
  }
};

TEST_F(DefaultEncoding, LoadMatchesVtaMemInsn) {
  Insn i;
  i[Field::OPCODE] = int(Opcode::LOAD);
  i[Field::POP_NEXT] = 1;
  i[Field::PUSH_NEXT] = 1;
  i[Field::MEMORY_TYPE] = int(MemType::INP);
  i[Field::SRAM_BASE] = 0xBEEF;
  i[Field::DRAM_BASE] = 0xDEADBEEF;
  i[Field::Y_SIZE] = 0x1234;
  i[Field::X_SIZE] = 0x5678;
  i[Field::X_STRIDE] = 0x9ABC;
  i[Field::Y_PAD_0] = 1;
  i[Field::Y_PAD_1] = 2;
  i[Field::X_PAD_0] = 3;
  i[Field::X_PAD_1] = 15;
  Bits128 b;
  b.set(0, 3, 0);
  b.set(4, 1, 1);
  b.set(6, 1, 1);
  b.set(7, 3, 2);
  b.set(10, 16, 0xBEEF);
  b.set(26, 32, 0xDEADBEEF);
  b.set(64, 16, 0x1234);
  b.set(80, 16, 0x5678);
  b.set(96, 16, 0x9ABC);
  b.set(112, 4, 1);
  b.set(116, 4, 2);
  b.set(120, 4, 3);
  b.set(124, 4, 15);
  expect_encodes(i, b);
}

TEST_F(DefaultEncoding, GemmMatchesVtaGemInsn) {
  Insn i;
  i[Field::OPCODE] = int(Opcode::GEMM);
  i[Field::POP_PREV] = 1;
  i[Field::PUSH_PREV] = 1;
  i[Field::RESET] = 1;
  i[Field::UOP_BGN] = 8191;
  i[Field::UOP_END] = 8192;
  i[Field::ITER_OUT] = 16383;
  i[Field::ITER_IN] = 0x1555;
  i[Field::DST_FACTOR_OUT] = 2047;
  i[Field::DST_FACTOR_IN] = 0x555;
  i[Field::SRC_FACTOR_OUT] = 0x2AA;
  i[Field::SRC_FACTOR_IN] = 1;
  i[Field::WGT_FACTOR_OUT] = 1023;
  i[Field::WGT_FACTOR_IN] = 0x155;
  Bits128 b;
  b.set(0, 3, 2);
  b.set(3, 1, 1);
  b.set(5, 1, 1);
  b.set(7, 1, 1);
  b.set(8, 13, 8191);
  b.set(21, 14, 8192);
  b.set(35, 14, 16383);
  b.set(49, 14, 0x1555);
  b.set(64, 11, 2047);
  b.set(75, 11, 0x555);
  b.set(86, 11, 0x2AA);
  b.set(97, 11, 1);
  b.set(108, 10, 1023);
  b.set(118, 10, 0x155);
  expect_encodes(i, b);
}

TEST_F(DefaultEncoding, AluMatchesVtaAluInsn) {
  Insn i;
  i[Field::OPCODE] = int(Opcode::ALU);
  i[Field::UOP_BGN] = 3;
  i[Field::UOP_END] = 9;
  i[Field::ITER_OUT] = 7;
  i[Field::ITER_IN] = 5;
  i[Field::DST_FACTOR_OUT] = 100;
  i[Field::DST_FACTOR_IN] = 1;
  i[Field::SRC_FACTOR_OUT] = 2000;
  i[Field::SRC_FACTOR_IN] = 3;
  i[Field::ALU_OPCODE] = int(AluOp::SHR);
  i[Field::USE_IMM] = 1;
  i[Field::IMM] = -2;
  Bits128 b;
  b.set(0, 3, 4);
  b.set(8, 13, 3);
  b.set(21, 14, 9);
  b.set(35, 14, 7);
  b.set(49, 14, 5);
  b.set(64, 11, 100);
  b.set(75, 11, 1);
  b.set(86, 11, 2000);
  b.set(97, 11, 3);
  b.set(108, 3, 3);
  b.set(111, 1, 1);
  b.set(112, 16, 0xFFFE);
  expect_encodes(i, b);
}

TEST_F(DefaultEncoding, FinishIsOpcodeThree) {
  Insn i;
  i[Field::OPCODE] = int(Opcode::FINISH);
  i[Field::POP_NEXT] = 1;
  Bits128 b;
  b.set(0, 3, 3);
  b.set(4, 1, 1);
  expect_encodes(i, b);
}

TEST_F(DefaultEncoding, UopMatchesVtaUop) {
  uint8_t bytes[4];
  codec.encode_uop({0x7FF, 0x555, 0x3FF}, bytes);
  const uint32_t want = 0x7FFu | (0x555u << 11) | (0x3FFu << 22);
  EXPECT_EQ(uint32_t(bytes[0] | bytes[1] << 8 | bytes[2] << 16 | uint32_t(bytes[3]) << 24), want);
  EXPECT_EQ(codec.decode_uop(bytes), (Uop{0x7FF, 0x555, 0x3FF}));
}

TEST_F(DefaultEncoding, NeverTruncates) {
  Insn i;
  i[Field::OPCODE] = int(Opcode::GEMM);
  i[Field::UOP_BGN] = 8192;  // 13-bit field
  uint64_t w[2];
  try {
    codec.encode(i, w);
    FAIL();
  } catch (const EncodeError& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit unsigned 13-bit field uop_bgn"), std::string::npos) << e.what();
  }
  Insn a;
  a[Field::OPCODE] = int(Opcode::ALU);
  a[Field::IMM] = 40000;
  EXPECT_THROW(codec.encode(a, w), EncodeError);
  a[Field::IMM] = -32768;
  EXPECT_NO_THROW(codec.encode(a, w));
  Insn f;
  f[Field::OPCODE] = int(Opcode::FINISH);
  f[Field::X_SIZE] = 1;  // FINISH carries no x_size
  EXPECT_THROW(codec.encode(f, w), EncodeError);
  uint8_t u[4];
  EXPECT_THROW(codec.encode_uop({2048, 0, 0}, u), EncodeError);
}

TEST_F(DefaultEncoding, UndefinedOpcodeIsRejected) {
  for (uint64_t op : {6, 7}) {
    uint64_t w[2] = {op, 0};
    EXPECT_THROW(codec.decode(w), EncodeError) << op;
  }
}

// VTA's default accelerator: configs/default.json without the depthwise mode.
DerivedConfig vta_default() {
  HwConfig c = load_config_file(kConfigs + "/default.json");
  c.depthwise = 0;
  return derive(c);
}

// The depthwise flag rides on opcode 5 (GEMM_DW), so the mode keeps VTA's 128-bit instruction and
// every other GEMM bit where VTA has it.
TEST(DepthwiseEncoding, FlagIsOpcodeFiveInVtasGemmLayout) {
  const DerivedConfig dw = load_derived(kConfigs + "/default.json");
  ASSERT_EQ(dw.hw.depthwise, 1);
  const DerivedConfig plain = vta_default();
  ASSERT_EQ(dw.layout.insn_bits, 128);
  IsaCodec codec(dw.layout), plain_codec(plain.layout);
  Insn i;
  i[Field::OPCODE] = int(Opcode::GEMM);
  i[Field::UOP_BGN] = 3;
  i[Field::UOP_END] = 12;
  i[Field::ITER_OUT] = 7;
  i[Field::ITER_IN] = 2;
  i[Field::DST_FACTOR_OUT] = 2047;
  i[Field::WGT_FACTOR_IN] = 0x155;
  uint64_t want[2];
  plain_codec.encode(i, want);
  i[Field::DEPTHWISE] = 1;
  uint64_t got[2];
  codec.encode(i, got);
  EXPECT_EQ(got[0], (want[0] & ~uint64_t{7}) | 5);
  EXPECT_EQ(got[1], want[1]);
  EXPECT_EQ(codec.decode(got), i);
  i[Field::DEPTHWISE] = 0;
  codec.encode(i, got);
  EXPECT_EQ(got[0], want[0]);  // without the flag: plain GEMM, opcode 2
}

TEST(DepthwiseEncoding, ConfigsWithoutTheModeRejectTheFlagAndTheOpcode) {
  const DerivedConfig plain = vta_default();
  IsaCodec codec(plain.layout);
  Insn i;
  i[Field::OPCODE] = int(Opcode::GEMM);
  i[Field::DEPTHWISE] = 1;
  uint64_t w[2];
  try {
    codec.encode(i, w);
    ADD_FAILURE() << "encoded a depthwise GEMM without the mode";
  } catch (const EncodeError& e) {
    EXPECT_NE(std::string(e.what()).find("depthwise is not encoded in this config"), std::string::npos) << e.what();
  }
  const uint64_t gemm_dw[2] = {5, 0};
  EXPECT_THROW(codec.decode(gemm_dw), EncodeError);
  const DerivedConfig dw = load_derived(kConfigs + "/default.json");
  IsaCodec dw_codec(dw.layout);
  i[Field::DEPTHWISE] = 2;  // one bit
  EXPECT_THROW(dw_codec.encode(i, w), EncodeError);
  i[Field::DEPTHWISE] = 0;
  i[Field::OPCODE] = int(Opcode::ALU);  // the flag belongs to GEMM only
  i[Field::DEPTHWISE] = 1;
  EXPECT_THROW(dw_codec.encode(i, w), EncodeError);
}

std::vector<std::string> shipped_configs() {
  std::vector<std::string> v;
  for (const auto& e : std::filesystem::directory_iterator(kConfigs))
    if (e.path().extension() == ".json") v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

TEST(EncodingInvariants, TableValuesAreUnique) {
  std::set<int> ops, mems, alus;
  for (const auto& o : opcodes()) EXPECT_TRUE(ops.insert(o.value).second) << o.name;
  for (const auto& f : opcode_flags()) EXPECT_TRUE(ops.insert(f.value).second) << f.name;
  for (const auto& m : mem_types()) EXPECT_TRUE(mems.insert(m.value).second) << m.name;
  for (const auto& a : alu_ops()) EXPECT_TRUE(alus.insert(a.value).second) << a.name;
  for (int v : ops) EXPECT_LT(v, 8);
  for (int v : alus) EXPECT_LT(v, 8);
}

TEST(EncodingInvariants, SlotsFitAndNeverOverlapInEveryConfig) {
  for (const auto& f : shipped_configs()) {
    SCOPED_TRACE(f);
    const DerivedConfig d = load_derived(f);
    for (const auto& fmt : d.layout.formats) {
      std::vector<bool> used(d.layout.insn_bits, false);
      for (const auto& s : fmt) {
        ASSERT_LE(s.lsb + s.width, d.layout.insn_bits);
        if (s.width > 0) {  // a zero-width slot (a unit the config lacks) occupies no word
          EXPECT_EQ(s.lsb / 64, (s.lsb + s.width - 1) / 64) << field_info(s.field).asm_name;
        }
        for (int b = s.lsb; b < s.lsb + s.width; ++b) {
          EXPECT_FALSE(used[b]) << "overlap at bit " << b;
          used[b] = true;
        }
      }
    }
    int total = 0;
    for (const auto& u : d.layout.uop) total += u.width;
    EXPECT_LE(total, d.layout.uop_bits);
    // Index fields can address the whole of their buffer.
    EXPECT_EQ(d.layout.uop[0].width, d.acc.idx_bits);
    EXPECT_EQ(d.layout.uop[2].width, d.wgt.idx_bits);
    EXPECT_GE(d.layout.sram_addr_bits, d.wgt.idx_bits);
  }
}

TEST(EncodingInvariants, RandomRoundTripsInEveryConfig) {
  std::mt19937_64 rng(1234);
  for (const auto& f : shipped_configs()) {
    SCOPED_TRACE(f);
    const DerivedConfig d = load_derived(f);
    IsaCodec codec(d.layout);
    for (int n = 0; n < 2000; ++n) {
      const auto& op = opcodes()[rng() % opcodes().size()];
      Insn i;
      for (const auto& s : d.layout.formats[int(op.format)]) {
        const bool sgn = field_info(s.field).is_signed;
        uint64_t v = rng() & ((s.width >= 64) ? ~0ull : ((1ull << s.width) - 1));
        if (sgn && s.width < 64 && ((v >> (s.width - 1)) & 1)) v |= ~((1ull << s.width) - 1);
        i[s.field] = int64_t(v);
      }
      i[Field::OPCODE] = op.value;
      for (const auto& fl : opcode_flags())  // a flag the config has: 0 or 1
        if (fl.base == Opcode(op.value) && d.layout.find(op.format, fl.field)->width == 1)
          i[fl.field] = int64_t(rng() & 1);
      std::vector<uint8_t> bytes(codec.insn_bytes());
      codec.encode_bytes(i, bytes.data());
      ASSERT_EQ(codec.decode_bytes(bytes.data()), i);
    }
    for (int n = 0; n < 1000; ++n) {
      Uop u{uint32_t(rng() % d.acc.depth), uint32_t(rng() % std::max(d.acc.depth, d.inp.depth)),
            uint32_t(rng() % d.wgt.depth)};
      std::vector<uint8_t> bytes(codec.uop_bytes());
      codec.encode_uop(u, bytes.data());
      ASSERT_EQ(codec.decode_uop(bytes.data()), u);
    }
  }
}

}  // namespace
}  // namespace tessera
