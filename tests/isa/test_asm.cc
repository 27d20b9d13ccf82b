// Assembler/disassembler round trips in every shipped config, error reporting, and token balance.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "isa/asm.h"
#include "isa/tokens.h"

namespace tessera {
namespace {

const std::string kConfigs = std::string(TESSERA_SOURCE_DIR) + "/configs";

std::vector<std::string> config_paths() {
  std::vector<std::string> v;
  for (const auto& e : std::filesystem::directory_iterator(kConfigs))
    if (e.path().extension() == ".json") v.push_back(e.path().string());
  std::sort(v.begin(), v.end());
  return v;
}

// A random instruction that fits its format: extremes are over-represented, where bugs live.
Insn random_insn(std::mt19937_64& rng, const IsaLayout& L, const OpcodeInfo& op) {
  Insn insn;
  insn[Field::OPCODE] = op.value;
  for (const auto& s : L.formats[static_cast<int>(op.format)]) {
    if (s.field == Field::OPCODE) continue;
    const bool sgn = field_info(s.field).is_signed;
    const int64_t lo = sgn ? -(int64_t{1} << (s.width - 1)) : 0;
    const int64_t hi = sgn ? (int64_t{1} << (s.width - 1)) - 1 : (int64_t{1} << s.width) - 1;
    switch (rng() % 4) {
      case 0: insn[s.field] = lo; break;
      case 1: insn[s.field] = hi; break;
      default: insn[s.field] = lo + int64_t(rng() % uint64_t(hi - lo + 1));
    }
  }
  return insn;
}

Insn assemble_one(const std::string& line, const DerivedConfig& cfg) {
  const Program p = assemble(line, cfg, "line", AsmOptions{false});
  EXPECT_EQ(p.insns.size(), 1u) << line;
  return p.insns.at(0);
}

TEST(Asm, RandomInstructionsRoundTripInEveryConfig) {
  std::mt19937_64 rng(7);
  for (const auto& path : config_paths()) {
    const DerivedConfig cfg = load_derived(path);
    const IsaCodec codec(cfg.layout);
    std::vector<uint8_t> bytes(codec.insn_bytes());
    for (const auto& op : opcodes()) {
      for (int n = 0; n < 200; ++n) {
        const Insn insn = random_insn(rng, cfg.layout, op);
        const std::string text = disassemble_insn(insn, cfg.layout);
        const Insn back = assemble_one(text, cfg);
        ASSERT_EQ(back, insn) << path << ": " << text;
        ASSERT_EQ(disassemble_insn(back, cfg.layout), text);
        codec.encode_bytes(insn, bytes.data());  // the text must also survive the binary form
        ASSERT_EQ(disassemble_insn(codec.decode_bytes(bytes.data()), cfg.layout), text);
      }
    }
  }
}

TEST(Asm, CanonicalProgramTextReproducesItself) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const std::string text = ".config_hash " + cfg.hash_hex() +
                           "\n"
                           ".dram_bytes 8192\n"
                           ".uop_offset 4096\n"
                           ".uop dst_idx=0 src_idx=0 wgt_idx=0\n"
                           ".uop dst_idx=1 src_idx=2 wgt_idx=3\n"
                           ".const 0\n"
                           ".bytes 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
                           ".bytes ff80\n"
                           ".tensor input x dtype=int8 shape=1x16 layout=NC offset=256 bytes=16 scale=0.1 zero_point=-3\n"
                           ".tensor output y dtype=int32 shape=2x3x4 layout=NCHW offset=512 bytes=96 scale=1 zero_point=0\n"
                           "LOAD memory_type=UOP dram_base=1024 y_size=1 x_size=2 x_stride=2\n"
                           "LOAD memory_type=INP dram_base=16 y_size=1 x_size=1 x_stride=1 push_next\n"
                           "GEMM uop_end=2 iter_out=1 iter_in=1 pop_prev push_next reset\n"
                           "ALU uop_end=1 iter_out=1 iter_in=1 alu_op=SHR imm=-8 use_imm\n"
                           "STORE memory_type=OUT dram_base=32 y_size=1 x_size=1 x_stride=1 pop_prev\n"
                           "FINISH\n";
  const Program p = assemble(text, cfg, "canon.s");
  EXPECT_EQ(disassemble(p, cfg), text);
  ASSERT_EQ(p.insns.size(), 6u);
  EXPECT_EQ(p.insns[1][Field::MEMORY_TYPE], int(MemType::INP));
  EXPECT_EQ(p.insns[3][Field::IMM], -8);
  EXPECT_EQ(p.insns[3][Field::ALU_OPCODE], int(AluOp::SHR));
  ASSERT_EQ(p.constants.size(), 1u);
  EXPECT_EQ(p.constants[0].bytes.size(), 34u);
  EXPECT_EQ(p.constants[0].bytes[33], 0x80);
  EXPECT_EQ(p.tensors[0].zero_point, -3);
  EXPECT_EQ(p.tensors[0].scale, 0.1);
  EXPECT_EQ(p.uops[1], (Uop{1, 2, 3}));
}

TEST(Asm, HandWrittenFormsMeanTheSameAsCanonical) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  // Fields in any order, hex, explicit flag values, comments, blank lines, numeric enum values.
  const Program a = assemble(
      "  # a comment line\n\n"
      "LOAD push_next=1 x_stride=0x10 memory_type=2 x_size=1 y_size=1   # trailing comment\n"
      "ALU alu_op=2 uop_end=1 iter_out=1 iter_in=1 pop_prev=1\n"
      "FINISH\n",
      cfg, "a.s");
  const Program b = assemble(
      "LOAD memory_type=INP y_size=1 x_size=1 x_stride=16 push_next\n"
      "ALU uop_end=1 iter_out=1 iter_in=1 alu_op=ADD pop_prev\n"
      "FINISH\n",
      cfg, "b.s");
  EXPECT_EQ(a.insns, b.insns);
  EXPECT_EQ(a.dram_bytes, 0u);  // nothing placed in DRAM: no DRAM needed
}

TEST(Asm, ImpliedDramBytesCoverEverythingPlaced) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const Program p = assemble(".uop_offset 64\n.uop dst_idx=1\n.const 100\n.bytes 0102\n"
                             ".tensor input t dtype=int32 shape=2x2 layout=NC offset=40\n",
                             cfg, "d.s");
  EXPECT_EQ(p.dram_bytes, 102u);  // the constant ends last, at 100 + 2
  EXPECT_EQ(p.tensors[0].bytes, 16u);
  EXPECT_EQ(p.uop_dram_offset + uint64_t(cfg.uop_bytes()), 68u);
}

TEST(Asm, ProgramsRoundTripThroughText) {
  std::mt19937_64 rng(11);
  for (const auto& path : config_paths()) {
    const DerivedConfig cfg = load_derived(path);
    Program p;
    p.config = cfg.hw;
    p.dram_bytes = 1 << 20;
    p.uop_dram_offset = uint64_t(cfg.uop_bytes()) * 3;
    for (int i = 0; i < 5; ++i)
      p.uops.push_back({uint32_t(rng() % (1u << cfg.layout.uop[0].width)), uint32_t(rng() % (1u << cfg.layout.uop[1].width)),
                        uint32_t(rng() % (1u << cfg.layout.uop[2].width))});
    p.constants.push_back({4096, std::vector<uint8_t>(70)});
    for (auto& b : p.constants[0].bytes) b = uint8_t(rng());
    p.tensors.push_back({"in.0", TensorDir::INPUT, DType::UINT8, {1, 3, 5}, "NCHW", 0.0078125, 128, 8192, 15});
    p.tensors.push_back({"onnx::out", TensorDir::OUTPUT, DType::INT8, {7}, "N", 1.0 / 3.0, -1, 9000, 64});
    for (const auto& op : opcodes()) p.insns.push_back(random_insn(rng, cfg.layout, op));
    const std::string text = disassemble(p, cfg);
    const Program back = assemble(text, cfg, path, AsmOptions{false});
    EXPECT_TRUE(back == p) << path << "\n" << text << "\n---\n" << disassemble(back, cfg);
    EXPECT_EQ(disassemble(back, cfg), text);
  }
}

// A network in `cfg`: two accelerator runs of random instructions, each ending in FINISH, through an
// internal tensor, then a host step producing float32.
Program random_network(std::mt19937_64& rng, const DerivedConfig& cfg) {
  Program p;
  p.config = cfg.hw;
  p.dram_bytes = 1 << 16;
  p.tensors.push_back({"x", TensorDir::INPUT, DType::UINT8, {1, 16, 2, 2}, "NCHW1n16c_pad1_1_1_1", 0.02, 128, 0, 256});
  p.tensors.push_back({"conv1:out", TensorDir::INTERNAL, DType::INT8, {1, 16}, "NC1n16c", 0.5, -4, 1024, 16});
  p.tensors.push_back({"logits", TensorDir::OUTPUT, DType::INT32, {1, 10}, "NC", 1e-3, 0, 2048, 40});
  p.tensors.push_back({"probs", TensorDir::OUTPUT, DType::FLOAT32, {1, 10}, "NC", 1, 0, 4096, 40});
  for (const char* name : {"conv1", "fc"}) {
    Step s{StepKind::ACCEL, name, name[0] == 'c' ? "conv" : "dense", p.insns.size(), 0, {}, {}, {}};
    for (const auto& op : opcodes())
      if (op.value != int(Opcode::FINISH)) p.insns.push_back(random_insn(rng, cfg.layout, op));
    for (const auto& op : opcodes())
      if (op.value == int(Opcode::FINISH)) p.insns.push_back(random_insn(rng, cfg.layout, op));
    s.insn_end = p.insns.size();
    p.steps.push_back(s);
  }
  p.steps[0].inputs = {"x"};
  p.steps[0].outputs = {"conv1:out"};
  p.steps[0].attrs = {{"macs", std::to_string(rng() % 100000)}, {"predicted_cycles", "12"}};
  p.steps[1].inputs = {"conv1:out"};
  p.steps[1].outputs = {"logits"};
  p.steps.push_back({StepKind::HOST, "/head/Softmax", "Softmax", 0, 0, {"logits", "x"}, {"probs"}, {{"axis", "-1"}}});
  p.steps.push_back({StepKind::HOST, "noop", "Identity", 0, 0, {}, {}, {}});
  return p;
}

TEST(Asm, NetworkProgramsRoundTripThroughText) {
  std::mt19937_64 rng(13);
  for (const auto& path : config_paths()) {
    const DerivedConfig cfg = load_derived(path);
    const Program p = random_network(rng, cfg);
    ASSERT_TRUE(program_issues(p, cfg).empty()) << path << ": " << program_issues(p, cfg)[0].message;
    const std::string text = disassemble(p, cfg);
    const Program back = assemble(text, cfg, path, AsmOptions{false});
    EXPECT_TRUE(back == p) << path << "\n" << text << "\n---\n" << disassemble(back, cfg);
    EXPECT_EQ(disassemble(back, cfg), text);
  }
}

TEST(Asm, CanonicalStepTextReproducesItself) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const std::string text = ".config_hash " + cfg.hash_hex() +
                           "\n"
                           ".dram_bytes 256\n"
                           ".uop_offset 0\n"
                           ".tensor input x dtype=int8 shape=1x16 layout=NC offset=0 bytes=16 scale=0.5 zero_point=0\n"
                           ".tensor internal h dtype=int8 shape=1x16 layout=NC offset=16 bytes=16 scale=0.25 zero_point=1\n"
                           ".tensor output y dtype=float32 shape=1x16 layout=NC offset=32 bytes=64 scale=1 zero_point=0\n"
                           ".step accel relu1 op=add begin=0 end=1 inputs=x outputs=h @macs=0\n"
                           ".step accel relu2 op=add begin=1 end=2 inputs=h,x outputs=h\n"
                           ".step host sm op=Softmax inputs=h outputs=y @axis=1 @onnx.domain=ai.onnx\n"
                           "FINISH\n"
                           "FINISH\n";
  const Program p = assemble(text, cfg, "canon.s");
  EXPECT_EQ(disassemble(p, cfg), text);
  ASSERT_EQ(p.steps.size(), 3u);
  EXPECT_EQ(p.tensors[1].dir, TensorDir::INTERNAL);
  EXPECT_EQ(p.tensors[2].dtype, DType::FLOAT32);
  const Step want{StepKind::ACCEL, "relu2", "add", 1, 2, {"h", "x"}, {"h"}, {}};
  EXPECT_TRUE(p.steps[1] == want);
  EXPECT_EQ(p.steps[2].kind, StepKind::HOST);
  EXPECT_EQ(p.steps[2].attrs, (std::map<std::string, std::string>{{"axis", "1"}, {"onnx.domain", "ai.onnx"}}));
  EXPECT_EQ(p.steps[0].attrs.at("macs"), "0");
}

TEST(Asm, StepFieldsInAnyOrderMeanTheSame) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const std::string head = ".tensor input x dtype=int8 shape=4 layout=N offset=0\n"
                           ".tensor output y dtype=float32 shape=4 layout=N offset=4\n";
  const Program a = assemble(head + ".step accel s @k=v end=0x1 outputs=y inputs=x begin=0 op=conv  # comment\n"
                                    ".step host t op=Relu begin=0 end=0 inputs=y\nFINISH\n",
                             cfg, "a.s");
  const Program b = assemble(head + ".step accel s op=conv begin=0 end=1 inputs=x outputs=y @k=v\n"
                                    ".step host t op=Relu inputs=y\nFINISH\n",
                             cfg, "b.s");
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.tensors[1].bytes, 16u);  // float32: 4 bytes per element
  EXPECT_EQ(a.dram_bytes, 20u);
}

// Assembles text that must fail and returns the error message.
std::string asm_error(const std::string& text, const std::string& cfg_name = "default") {
  const DerivedConfig cfg = load_derived(kConfigs + "/" + cfg_name + ".json");
  try {
    assemble(text, cfg, "bad.s");
  } catch (const AsmError& e) {
    return e.what();
  }
  ADD_FAILURE() << "assembled without error: " << text;
  return "";
}

TEST(AsmErrors, NameFileLineColumnAndTheProblem) {
  EXPECT_EQ(asm_error("FINISH\n  LAOD x_size=1\n").rfind("bad.s:2:3: unknown mnemonic 'LAOD'", 0), 0u);
  EXPECT_NE(asm_error("LOAD y_sise=1\nFINISH\n").find("bad.s:1:6: unknown field 'y_sise' for LOAD"), std::string::npos);
  EXPECT_NE(asm_error("GEMM memory_type=INP\n").find("bad.s:1:6: GEMM has no field 'memory_type'"), std::string::npos);
  EXPECT_NE(asm_error("LOAD y_size=1 y_size=2\n").find("bad.s:1:15: duplicate field 'y_size' (first set at column 6)"),
            std::string::npos);
  EXPECT_NE(asm_error("LOAD memory_type=FOO\n").find("bad.s:1:18: bad value 'FOO' for memory_type: expected one of UOP"),
            std::string::npos);
  EXPECT_NE(asm_error("LOAD y_size\n").find("bad.s:1:6: field 'y_size' needs a value"), std::string::npos);
  EXPECT_NE(asm_error("LOAD opcode=1\n").find("opcode is given by the mnemonic"), std::string::npos);
  EXPECT_NE(asm_error("ALU imm=1.5\n").find("bad.s:1:9: bad value '1.5' for imm"), std::string::npos);
  EXPECT_NE(asm_error(".bytes 00\n").find("bad.s:1:1: .bytes before any .const"), std::string::npos);
  EXPECT_NE(asm_error(".const 0\n.bytes 0g\n").find("bad.s:2:8: bad hex byte '0g'"), std::string::npos);
  EXPECT_NE(asm_error(".frobnicate\n").find("unknown directive '.frobnicate'"), std::string::npos);
  EXPECT_NE(asm_error(".config_hash 0123456789abcdef\n").find("bad.s:1:14: program was written for config hash"),
            std::string::npos);
  EXPECT_NE(asm_error(".uop dst_idx=1 dst_idx=2\n").find("duplicate micro-op field 'dst_idx'"), std::string::npos);
  EXPECT_NE(asm_error(".tensor input x dtype=float16 shape=1 layout=N offset=0\n").find("unknown dtype 'float16'"),
            std::string::npos);
  EXPECT_NE(asm_error(".tensor inout x dtype=int8 shape=1 layout=N offset=0\n").find("direction must be input, output or internal"),
            std::string::npos);
  EXPECT_NE(asm_error(".tensor input x dtype=int8 shape=2x0 layout=N offset=0\n").find("bad.s:1:36: dimension 0"),
            std::string::npos);
  EXPECT_NE(asm_error(".tensor input x dtype=int8 shape=4 layout=N offset=0\n.tensor output x dtype=int8 shape=4 layout=N offset=8\n")
                .find("bad.s:2:1: duplicate name 'x'"),
            std::string::npos);
  EXPECT_NE(asm_error(".dram_bytes 10\n.const 8\n.bytes 000000\n").find("bad.s:2:1: bytes [8, +3) exceed dram_bytes 10"),
            std::string::npos);
}

TEST(AsmErrors, StepDirectivesNameTheLineAndColumn) {
  const std::string head = ".tensor input x dtype=int8 shape=4 layout=N offset=0\n"
                           ".tensor internal h dtype=float32 shape=4 layout=N offset=4\n";  // lines 1-2
  auto err = [&](const std::string& step_lines, const std::string& what) {
    const std::string e = asm_error(head + step_lines);
    EXPECT_NE(e.find(what), std::string::npos) << "want: " << what << "\ngot: " << e;
  };
  err(".step gpu s op=conv\n", "bad.s:3:7: step kind must be accel or host, not 'gpu'");
  err(".step host\n", "bad.s:3:1: .step takes a kind (accel/host), a name, op= and optional fields");
  err(".step host op=Relu inputs=x\n", "bad.s:3:12: step name missing before 'op=Relu'");
  err(".step host s inputs=x\n", "bad.s:3:1: .step needs op=");
  err(".step accel s op=conv begin=0\nFINISH\n", "bad.s:3:1: accel step needs begin= and end=");
  err(".step host s op=Relu colour=red\n", "bad.s:3:22: unknown step field 'colour' (expected op, begin, end, inputs");
  err(".step host s op=Relu op=Add\n", "bad.s:3:22: duplicate step field 'op' (first set at column 14)");
  err(".step host s op=Relu @a=1 @a=2\n", "bad.s:3:27: duplicate step field '@a'");
  err(".step host s op=Relu inputs\n", "bad.s:3:22: step field 'inputs' needs a value");
  err(".step host s op=Relu outputs=\n", "bad.s:3:30: step field 'outputs' needs a value");
  err(".step host s op=Relu @=1\n", "bad.s:3:22: unknown step field '@'");
  err(".step host s op=Relu inputs=x,,h\n", "bad.s:3:31: empty tensor name in inputs=");
  err(".step host s op=Relu inputs=x,\n", "bad.s:3:31: empty tensor name in inputs=");
  err(".step accel s op=conv begin=-1 end=1\nFINISH\n", "bad.s:3:29: instruction index must not be negative");
  err(".step accel s op=conv begin=0 end=z\nFINISH\n", "bad.s:3:35: bad instruction index 'z'");
  // Whole-program step rules are reported at the .step line or at the instruction left out.
  err(".step host s op=Relu inputs=nope\n", "bad.s:3:1: 's': input 'nope' is not in the tensor table");
  err(".step host s op=Relu outputs=x\n", "bad.s:3:1: 's': output 'x' is a graph input tensor");
  err(".step host s op=Relu @Axis=1\n", "bad.s:3:1: 's': attribute key 'Axis' must match [a-z0-9_.]+");
  err(".step host s op=Relu begin=0 end=1\n", "bad.s:3:1: 's': host step has instructions [0, 1)");
  err(".step accel s op=conv begin=0 end=1\nFINISH\nFINISH\n", "bad.s:5:1: instructions [1, 2) belong to no accel step");
  err(".step accel s op=conv begin=0 end=2\nFINISH\nFINISH\n",
      "bad.s:3:1: 's': instructions [0, 2): instruction 0 is a FINISH before the end of the step");
  err(".step accel s op=conv begin=0 end=1\n.step accel t op=conv begin=0 end=2\nFINISH\nFINISH\n",
      "bad.s:4:1: 't': instructions [0, 2) overlap or precede");
}

TEST(AsmErrors, TokensBalanceWithinEachAcceleratorStep) {
  // Balanced as one stream, but each step is a run of its own: the push in s is never popped in s,
  // and the pop in t waits forever.
  const std::string body = "LOAD memory_type=INP x_size=1 push_next\nFINISH\nGEMM pop_prev\nFINISH\n";
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  EXPECT_NO_THROW(assemble(body, cfg, "one_run.s"));
  const std::string e = asm_error(".step accel s op=conv begin=0 end=2\n.step accel t op=conv begin=2 end=4\n" + body);
  EXPECT_NE(e.find("bad.s:3:1: 1 token(s) pushed into l2g"), std::string::npos) << e;
  EXPECT_NE(e.find("bad.s:5:1:"), std::string::npos) << e;
}

TEST(AsmErrors, OverflowNamesTheFieldWidthInEveryConfig) {
  for (const auto& path : config_paths()) {
    const DerivedConfig cfg = load_derived(path);
    const std::string name = std::filesystem::path(path).stem().string();
    for (Field f : {Field::SRAM_BASE, Field::Y_SIZE, Field::DRAM_BASE}) {
      const int w = cfg.layout.find(Format::MEM, f)->width;
      const std::string text = std::string("LOAD ") + field_info(f).asm_name + "=" + std::to_string(int64_t{1} << w) + "\n";
      EXPECT_NE(asm_error(text, name).find("does not fit unsigned " + std::to_string(w) + "-bit field " + field_info(f).asm_name),
                std::string::npos)
          << name;
      // The largest value that fits is accepted: nothing is truncated and nothing is refused early.
      EXPECT_EQ(assemble_one(std::string("LOAD ") + field_info(f).asm_name + "=" + std::to_string((int64_t{1} << w) - 1), cfg)[f],
                (int64_t{1} << w) - 1);
    }
    const int iw = cfg.layout.find(Format::ALU, Field::IMM)->width;
    EXPECT_NE(asm_error("ALU imm=" + std::to_string(-(int64_t{1} << (iw - 1)) - 1) + "\n", name)
                  .find("does not fit signed " + std::to_string(iw) + "-bit field imm"),
              std::string::npos);
    const int uw = cfg.layout.uop[2].width;
    EXPECT_NE(asm_error(".uop wgt_idx=" + std::to_string(int64_t{1} << uw) + "\n", name)
                  .find("does not fit unsigned " + std::to_string(uw) + "-bit micro-op field wgt_idx"),
              std::string::npos);
  }
}

TEST(AsmErrors, ReportsEveryBadLineAtOnce) {
  const std::string e = asm_error("LAOD\nFINISH\nSTOER\n");
  EXPECT_NE(e.find("bad.s:1:1:"), std::string::npos);
  EXPECT_NE(e.find("bad.s:3:1:"), std::string::npos);
  EXPECT_EQ(e.find("bad.s:2:"), std::string::npos);
}

TEST(AsmErrors, UnbalancedTokensAreRejectedAtTheirLine) {
  const std::string e = asm_error("LOAD memory_type=INP x_size=1 push_next\nFINISH\n");
  EXPECT_NE(e.find("bad.s:1:1: 1 token(s) pushed into l2g"), std::string::npos) << e;
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  EXPECT_NO_THROW(assemble("LOAD memory_type=INP x_size=1 push_next\nFINISH\n", cfg, "ok.s", AsmOptions{false}));
}

Insn flags(Opcode op, MemType m, bool pop_prev, bool pop_next, bool push_prev, bool push_next) {
  Insn i;
  i[Field::OPCODE] = int(op);
  if (op == Opcode::LOAD || op == Opcode::STORE) i[Field::MEMORY_TYPE] = int(m);
  i[Field::POP_PREV] = pop_prev;
  i[Field::POP_NEXT] = pop_next;
  i[Field::PUSH_PREV] = push_prev;
  i[Field::PUSH_NEXT] = push_next;
  return i;
}

TEST(Tokens, ProducerLaterInProgramOrderIsStillLegal) {
  // Compute pops l2g before the load that pushes it: the load unit runs ahead, so this is fine.
  const std::vector<Insn> prog = {flags(Opcode::GEMM, MemType::UOP, 1, 0, 0, 0),
                                  flags(Opcode::LOAD, MemType::INP, 0, 0, 0, 1),
                                  flags(Opcode::FINISH, MemType::UOP, 0, 0, 0, 0)};
  EXPECT_TRUE(check_token_balance(prog).empty());
}

TEST(Tokens, CircularWaitIsReportedAtTheStuckInstructions) {
  const std::vector<Insn> prog = {flags(Opcode::LOAD, MemType::WGT, 0, 1, 0, 1),   // waits g2l
                                  flags(Opcode::GEMM, MemType::UOP, 1, 0, 1, 0),   // waits l2g
                                  flags(Opcode::FINISH, MemType::UOP, 0, 0, 0, 0)};
  const auto issues = check_token_balance(prog);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].insn_index, 0);
  EXPECT_NE(issues[0].message.find("pops g2l"), std::string::npos) << issues[0].message;
  EXPECT_EQ(issues[1].insn_index, 1);
  EXPECT_NE(issues[1].message.find("pops l2g"), std::string::npos) << issues[1].message;
}

TEST(Tokens, FlagsWithoutAQueueAreReported) {
  const auto issues = check_token_balance({flags(Opcode::LOAD, MemType::INP, 1, 0, 0, 0),
                                           flags(Opcode::STORE, MemType::OUT, 0, 0, 0, 1)});
  ASSERT_GE(issues.size(), 2u);
  EXPECT_NE(issues[0].message.find("sets pop_prev, but the load unit"), std::string::npos) << issues[0].message;
  EXPECT_NE(issues[1].message.find("sets push_next, but the store unit"), std::string::npos) << issues[1].message;
}

TEST(Tokens, UopAndAccLoadsBelongToCompute) {
  // LOAD UOP/ACC run on compute, so their push_next feeds g2s (store), not l2g.
  const std::vector<Insn> prog = {flags(Opcode::LOAD, MemType::ACC, 0, 0, 0, 1),
                                  flags(Opcode::STORE, MemType::OUT, 1, 0, 0, 0)};
  EXPECT_TRUE(check_token_balance(prog).empty());
}

// Independent oracle: exhaustive search over every interleaving of the three units' streams.
bool some_schedule_finishes(const std::vector<Insn>& prog) {
  struct State {
    std::array<size_t, 3> next;
    std::array<int, 4> tokens;
    bool operator<(const State& o) const { return std::tie(next, tokens) < std::tie(o.next, o.tokens); }
  };
  std::array<std::vector<size_t>, 3> order;
  for (size_t i = 0; i < prog.size(); ++i) order[int(route(prog[i]))].push_back(i);
  // queue index (l2g 0, g2l 1, g2s 2, s2g 3) popped/pushed per unit by prev/next flags, -1 if none
  const int pop_prev[3] = {-1, 0, 2}, pop_next[3] = {1, 3, -1}, push_prev[3] = {-1, 1, 3}, push_next[3] = {0, 2, -1};
  std::set<State> seen;
  std::vector<State> stack = {State{{0, 0, 0}, {0, 0, 0, 0}}};
  while (!stack.empty()) {
    const State s = stack.back();
    stack.pop_back();
    if (!seen.insert(s).second) continue;
    bool all_done = true;
    for (int u = 0; u < 3; ++u) {
      if (s.next[u] == order[u].size()) continue;
      all_done = false;
      const Insn& in = prog[order[u][s.next[u]]];
      State t = s;
      bool ok = true;
      if (in[Field::POP_PREV] && pop_prev[u] >= 0) ok &= t.tokens[pop_prev[u]]-- > 0;
      if (in[Field::POP_NEXT] && pop_next[u] >= 0) ok &= t.tokens[pop_next[u]]-- > 0;
      if (!ok) continue;
      if (in[Field::PUSH_PREV] && push_prev[u] >= 0) ++t.tokens[push_prev[u]];
      if (in[Field::PUSH_NEXT] && push_next[u] >= 0) ++t.tokens[push_next[u]];
      ++t.next[u];
      stack.push_back(t);
    }
    if (all_done) return true;
  }
  return false;
}

TEST(Tokens, AgreesWithExhaustiveSearchOnRandomPrograms) {
  std::mt19937_64 rng(3);
  const std::pair<Opcode, MemType> kinds[] = {{Opcode::LOAD, MemType::INP}, {Opcode::LOAD, MemType::UOP},
                                              {Opcode::GEMM, MemType::UOP}, {Opcode::STORE, MemType::OUT}};
  int deadlocks = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<Insn> prog;
    const int n = 1 + int(rng() % 7);
    for (int i = 0; i < n; ++i) {
      const auto& k = kinds[rng() % 4];
      const Unit u = route(flags(k.first, k.second, 0, 0, 0, 0));
      // only flags the unit has a queue for, so the check's verdict is purely about scheduling
      const bool has_prev = u != Unit::LOAD, has_next = u != Unit::STORE;
      prog.push_back(flags(k.first, k.second, has_prev && rng() % 3 == 0, has_next && rng() % 3 == 0,
                           has_prev && rng() % 3 == 0, has_next && rng() % 3 == 0));
    }
    const auto issues = check_token_balance(prog);
    bool stuck = false;
    for (const auto& is : issues) stuck |= is.message.find("can never execute") != std::string::npos;
    ASSERT_EQ(stuck, !some_schedule_finishes(prog)) << "trial " << trial;
    deadlocks += stuck;
  }
  EXPECT_GT(deadlocks, 100);  // the generator really exercises both outcomes
  EXPECT_LT(deadlocks, 2900);
}

TEST(Raw, DisassemblesVtaBitsAtTheDefaultConfig) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const IsaCodec codec(cfg.layout);
  // Two hand-assembled 128-bit VTA words: LOAD INP (VTA-ISA.md bit positions) then FINISH.
  std::vector<uint8_t> bytes(32, 0);
  auto set = [&](int lsb, int width, uint64_t v) {
    for (int i = 0; i < width; ++i)
      if ((v >> i) & 1) bytes[(lsb + i) / 8] |= uint8_t(1u << ((lsb + i) % 8));
  };
  set(0, 3, 0);     // LOAD
  set(6, 1, 1);     // push_next
  set(7, 3, 2);     // INP
  set(10, 16, 5);   // sram_base
  set(26, 32, 64);  // dram_base
  set(64, 16, 2);   // y_size
  set(80, 16, 3);   // x_size
  set(96, 16, 7);   // x_stride
  set(120, 4, 1);   // x_pad_0
  set(128, 3, 3);   // FINISH
  EXPECT_EQ(disassemble_raw(bytes, codec, "vta.bin"),
            "LOAD memory_type=INP sram_base=5 dram_base=64 y_size=2 x_size=3 x_stride=7 x_pad_0=1 push_next\nFINISH\n");
}

TEST(Raw, RejectsPartialInstructionsAndUndefinedOpcodes) {
  const DerivedConfig cfg = load_derived(kConfigs + "/default.json");
  const IsaCodec codec(cfg.layout);
  std::vector<uint8_t> bytes(16 + 5, 0);
  bytes[0] = 3;
  try {
    disassemble_raw(bytes, codec, "s.bin");
    ADD_FAILURE() << "accepted a partial instruction";
  } catch (const AsmError& e) {
    EXPECT_NE(std::string(e.what()).find("s.bin: byte 16: 5 trailing bytes"), std::string::npos) << e.what();
  }
  std::vector<uint8_t> two(32, 0);
  two[0] = 3;
  two[16] = 6;  // opcode 6 is not in the table
  try {
    disassemble_raw(two, codec, "s.bin");
    ADD_FAILURE() << "accepted opcode 6";
  } catch (const AsmError& e) {
    EXPECT_NE(std::string(e.what()).find("s.bin: byte 16: instruction 1: undefined opcode 6"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera
