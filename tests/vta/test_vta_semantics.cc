// Issue #10: --isa vta programs under VTA's own semantics. Every --isa vta case of the compiler tests
// (tests/compiler/test_lower_conv.cc, test_lower_eltwise.cc, test_lower_conv_rtl.cc's layer) runs on
// fsim twice, with tessera's semantics and with VTA's (Semantics::VTA: FINISH ends the run when
// compute executes it, ALU ignores reset, ...): both outputs must be byte-identical and agree with
// the reference, and every stream must end as VTA's runtime ends one. Then the VTA mode itself: a
// plain FINISH loses stores, ALU reset is ignored, extensions and undefined shifts are errors.
#include <gtest/gtest.h>

#include "compiler/lower_eltwise.h"
#include "compiler/program_builder.h"
#include "sim/fsim/vta_check.h"
#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler {
namespace {

constexpr auto I8 = ElemType::INT8;
constexpr auto U8 = ElemType::UINT8;

std::string issues_text(const std::vector<VtaIssue>& v) {
  std::string s;
  for (const auto& i : v) s += "\n  [" + std::to_string(i.insn_index) + "] " + i.message;
  return s;
}

std::map<std::string, NpyArray> random_inputs(const Layer& l, uint64_t seed, std::vector<std::vector<int32_t>>* values) {
  std::map<std::string, NpyArray> in;
  for (const QTensor& x : l.inputs) {
    size_t count = 1;
    for (int64_t d : x.shape) count *= size_t(d);
    values->push_back(random_values(x.type, count, seed + values->size()));
    in[x.name] = testing::to_npy(values->back(), x.type, x.shape);
  }
  return in;
}

// Runs `p` under both semantics: identical outputs, and within one LSB of the reference (ties).
void expect_same_under_vta_semantics(const Layer& l, const Program& p, const DerivedConfig& cfg, uint64_t seed,
                                     testing::Agreement& agree) {
  EXPECT_EQ(issues_text(vta_stream_issues(p.insns, cfg)), "");
  std::vector<std::vector<int32_t>> values;
  const auto inputs = random_inputs(l, seed, &values);
  Device dev(cfg, "fsim");
  RunOptions tessera_rules, vta_rules;
  vta_rules.semantics = Semantics::VTA;
  const DeviceRun a = dev.run(p, inputs, tessera_rules);
  const DeviceRun b = dev.run(p, inputs, vta_rules);
  ASSERT_TRUE(a.outputs.at(l.output.name) == b.outputs.at(l.output.name)) << "VTA semantics changed the output";
  EXPECT_EQ(a.report.insns, b.report.insns);
  agree.add(testing::from_npy(b.outputs.at(l.output.name)), reference::run_layer(l, values));
}

Compiled compile_vta(const Layer& l, const DerivedConfig& cfg) {
  Model m;
  m.source = "test";
  m.layers = {l};
  CompileOptions opt;
  opt.isa = IsaTarget::VTA;
  return compile_model(m, cfg, opt);
}

RandomLayerSpec spec(LayerKind kind, ElemType t, int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int kernel,
                     int stride, int pad, bool relu, int group = 1) {
  RandomLayerSpec s;
  s.kind = kind, s.type = t, s.n = n, s.c = c, s.h = h, s.w = w, s.k = k, s.kernel = kernel, s.stride = stride;
  s.pad = pad, s.relu = relu, s.group = group;
  return s;
}

struct Case {
  const char* config;
  RandomLayerSpec spec;
  int shift;  // conv/dense/GAP: requantize by 2^-shift exactly (what --isa vta can express); -1: keep
};

class VtaSemantics : public ::testing::TestWithParam<Case> {};

TEST_P(VtaSemantics, SameOutputAsTesseraSemanticsAndVtaEnding) {
  const Case& c = GetParam();
  const DerivedConfig cfg = testing::config_named(c.config);
  testing::Agreement agree;
  for (uint64_t seed = 1; seed <= 2; ++seed) {
    Layer l = random_layer(c.spec, seed * 31);
    if (c.shift >= 0) {
      const double wscale = l.kind == LayerKind::GLOBAL_AVG_POOL ? 1.0 / double(c.spec.h * c.spec.w) : 1.0 / 64;
      l.weight_scales = {wscale};
      l.inputs[0].scale = 0.25, l.output.scale = 0.25 * wscale * double(int64_t{1} << c.shift);
    }
    const Compiled p = compile_vta(l, cfg);
    for (const Insn& in : p.program.insns)
      if (in.opcode() == Opcode::ALU) {
        EXPECT_EQ(in[Field::RESET], 0);
        EXPECT_FALSE(alu_ops()[size_t(in[Field::ALU_OPCODE])].extension);
      }
    expect_same_under_vta_semantics(l, p.program, cfg, seed, agree);
  }
  EXPECT_EQ(agree.worse, 0);
  EXPECT_LE(agree.off_by_one * 50, agree.elements) << agree.off_by_one << " of " << agree.elements;
}

constexpr auto CONV = LayerKind::CONV2D;
constexpr auto DENSE = LayerKind::DENSE;
constexpr auto GAP = LayerKind::GLOBAL_AVG_POOL;
constexpr auto ADD = LayerKind::ADD;
constexpr auto POOL = LayerKind::MAX_POOL;

INSTANTIATE_TEST_SUITE_P(
    Layers, VtaSemantics,
    ::testing::Values(
        // test_lower_conv.cc (LowerConvVta) and test_lower_conv_rtl.cc (VtaTargetMatchesFsim), then 1x1..7x7, strides 1-2
        Case{"default", spec(CONV, I8, 1, 19, 9, 11, 21, 3, 2, 1, true), 8},
        Case{"vta_4x8x8", spec(CONV, I8, 1, 13, 8, 10, 10, 3, 1, 1, false), 8},
        Case{"default", spec(CONV, U8, 1, 20, 7, 9, 33, 1, 1, 0, false), 6},
        Case{"default", spec(CONV, U8, 1, 5, 13, 15, 7, 5, 2, 2, true), 5},
        Case{"default", spec(CONV, I8, 1, 16, 15, 17, 16, 7, 2, 3, false), 9},
        Case{"tiny", spec(CONV, I8, 1, 9, 9, 11, 6, 3, 1, 1, true), 7},
        // issue #12 under --isa vta: depthwise (block-diagonal tiles) and groups of whole blocks
        Case{"default", spec(CONV, U8, 1, 40, 9, 10, 40, 3, 2, 1, true, 40), 4},
        Case{"vta_4x8x8", spec(CONV, I8, 1, 16, 7, 7, 24, 3, 1, 1, false, 2), 6},
        Case{"default", spec(DENSE, I8, 1, 100, 1, 1, 37, 1, 1, 0, false), 7},
        Case{"vta_4x8x8", spec(DENSE, U8, 6, 30, 1, 1, 9, 1, 1, 0, true), 6},
        Case{"default", spec(GAP, U8, 1, 40, 4, 4, 0, 1, 1, 0, false), 0},
        // test_lower_eltwise.cc (LowerEltwise, both targets): adds and max-pools
        Case{"default", spec(ADD, U8, 1, 20, 7, 9, 0, 1, 1, 0, true), -1},
        Case{"default", spec(ADD, I8, 2, 64, 14, 14, 0, 1, 1, 0, false), -1},
        Case{"tiny", spec(ADD, I8, 1, 5, 31, 33, 0, 1, 1, 0, false), -1},
        Case{"batch2_2x16x16", spec(ADD, U8, 3, 17, 5, 5, 0, 1, 1, 0, true), -1},
        Case{"default", spec(POOL, U8, 1, 20, 11, 12, 0, 3, 2, 1, false), -1},
        Case{"default", spec(POOL, I8, 1, 7, 9, 9, 0, 2, 2, 0, false), -1},
        Case{"tiny", spec(POOL, I8, 1, 9, 24, 12, 0, 3, 1, 1, false), -1},
        Case{"vta_4x8x8", spec(POOL, U8, 3, 10, 8, 8, 0, 3, 2, 1, false), -1}));

// test_lower_eltwise.cc (LowerMaxPool) calls lower_max_pool directly; the same shapes on a VTA builder.
TEST(VtaSemanticsMaxPool, DirectLoweringOnAVtaBuilder) {
  struct P { const char* config; RandomLayerSpec s; };
  for (const P& c : {P{"default", spec(POOL, I8, 1, 64, 112, 112, 0, 3, 2, 1, false)},
                     P{"default", spec(POOL, U8, 1, 20, 11, 12, 0, 3, 2, 1, false)},
                     P{"default", spec(POOL, I8, 1, 7, 10, 9, 0, 3, 2, 0, false)},
                     P{"default", spec(POOL, U8, 1, 33, 3, 3, 0, 3, 2, 1, false)},
                     P{"tiny", spec(POOL, I8, 1, 9, 23, 17, 0, 3, 2, 1, false)},
                     P{"vta_4x8x8", spec(POOL, U8, 3, 10, 8, 8, 0, 3, 2, 1, false)},
                     P{"default", spec(POOL, I8, 1, 7, 9, 9, 0, 2, 2, 0, false)},
                     P{"tiny", spec(POOL, I8, 1, 9, 24, 12, 0, 3, 1, 1, false)}}) {
    SCOPED_TRACE(c.config);
    const DerivedConfig cfg = testing::config_named(c.config);
    const Layer l = random_layer(c.s, 17);
    ProgramBuilder b(cfg, IsaTarget::VTA);
    lower_max_pool(l, b, nullptr, IsaTarget::VTA);
    const Program p = b.finish("test", nullptr);
    testing::Agreement agree;
    expect_same_under_vta_semantics(l, p, cfg, 3, agree);
    EXPECT_EQ(agree.worse + agree.off_by_one, 0);
  }
}

// The old ending (a plain FINISH behind the last stores' g2s token) loses the stores under VTA's rules.
TEST(VtaSemanticsFinish, PlainFinishLosesTheLastStores) {
  const DerivedConfig cfg = testing::config_named("default");
  const Layer l = random_layer(spec(POOL, U8, 1, 20, 11, 12, 0, 3, 2, 1, false), 5);
  ProgramBuilder old(cfg);  // TESSERA ending
  lower_max_pool(l, old, nullptr, IsaTarget::VTA);
  const Program p = old.finish("test", nullptr);
  EXPECT_NE(issues_text(vta_stream_issues(p.insns, cfg)).find("FINISH is not preceded by a compute instruction"),
            std::string::npos);
  std::vector<std::vector<int32_t>> values;
  const auto inputs = random_inputs(l, 3, &values);
  Device dev(cfg, "fsim");
  EXPECT_EQ(testing::from_npy(dev.run(p, inputs).outputs.at("y")), reference::run_layer(l, values));
  RunOptions vta;
  vta.semantics = Semantics::VTA;
  try {
    dev.run(p, inputs, vta);
    FAIL() << "a plain FINISH ran to the end under VTA semantics";
  } catch (const FsimError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("VTA semantics: FINISH (instruction " + std::to_string(p.insns.size() - 1) + ") raised done"),
              std::string::npos) << m;
    EXPECT_NE(m.find("(STORE) on the store unit"), std::string::npos) << m;
  }
}

// Hand-built streams: micro-op 0 = {dst 0, src 1}; ACC[0] = 5, ACC[1] = operand, then the op under test.
struct Mini {
  DerivedConfig cfg = testing::config_named("default");
  std::vector<uint8_t> dram = std::vector<uint8_t>(4096, 0);
  std::vector<Insn> insns;
  Mini() {
    IsaCodec(cfg.layout).encode_uop(Uop{0, 1, 0}, dram.data());
    insns.push_back(mem_insn(Opcode::LOAD, MemType::UOP, 0, 0, 1, 1, 1));
    UopLoopSpec one;
    one.uop_end = 1;
    insns.push_back(alu_insn(one, AluOp::ADD, true, 5));
  }
  void set_operand(int32_t v) {  // ACC[1] (the micro-op's src) = v
    Uop u{1, 0, 0};
    IsaCodec(cfg.layout).encode_uop(u, dram.data() + 4);
    insns.push_back(mem_insn(Opcode::LOAD, MemType::UOP, 1, 1, 1, 1, 1));
    UopLoopSpec l;
    l.uop_bgn = 1, l.uop_end = 2;
    insns.push_back(alu_insn(l, AluOp::ADD, true, v));
  }
  Insn op(AluOp o, bool use_imm, int64_t imm, bool reset = false) const {
    UopLoopSpec one;
    one.uop_end = 1;
    Insn i = alu_insn(one, o, use_imm, imm);
    i[Field::RESET] = reset;
    return i;
  }
  int32_t run(Semantics s, std::vector<Insn> tail) {
    std::vector<Insn> p = insns;
    p.insert(p.end(), tail.begin(), tail.end());
    Insn f;
    f[Field::OPCODE] = int64_t(Opcode::FINISH);
    p.push_back(f);
    Fsim sim(cfg);
    sim.set_semantics(s);
    sim.run(p, dram);
    return sim.acc(0)[0];
  }
};

TEST(VtaSemanticsAlu, ResetIsIgnored) {
  Mini m;
  EXPECT_EQ(m.run(Semantics::TESSERA, {m.op(AluOp::MIN, true, 3, true)}), 0);
  EXPECT_EQ(m.run(Semantics::VTA, {m.op(AluOp::MIN, true, 3, true)}), 3);  // min(5, 3) on the stale value
  EXPECT_EQ(m.run(Semantics::VTA, {m.op(AluOp::MAX, true, -9, true)}), 5);
}

TEST(VtaSemanticsAlu, ExtensionsAreErrors) {
  for (AluOp o : {AluOp::MOV, AluOp::MULHR}) {
    Mini m;
    EXPECT_NO_THROW(m.run(Semantics::TESSERA, {m.op(o, true, 3)}));
    try {
      m.run(Semantics::VTA, {m.op(o, true, 3)});
      FAIL() << "extension accepted under VTA semantics";
    } catch (const FsimError& e) {
      EXPECT_NE(std::string(e.what()).find("is a tessera extension"), std::string::npos) << e.what();
    }
  }
}

TEST(VtaSemanticsAlu, ShiftAmountsVtaLeavesUndefinedAreErrors) {
  Mini m;
  EXPECT_EQ(m.run(Semantics::VTA, {m.op(AluOp::SHR, true, -3)}), 40);  // a left shift, as VTA's fsim
  EXPECT_EQ(m.run(Semantics::VTA, {m.op(AluOp::SHR, true, 31)}), 0);
  EXPECT_EQ(m.run(Semantics::TESSERA, {m.op(AluOp::SHR, true, 40)}), 0);  // tessera saturates at 31
  EXPECT_THROW(m.run(Semantics::VTA, {m.op(AluOp::SHR, true, 40)}), FsimError);
  EXPECT_THROW(m.run(Semantics::VTA, {m.op(AluOp::SHR, true, -32)}), FsimError);
  Mini v;
  v.set_operand(2);
  EXPECT_EQ(v.run(Semantics::VTA, {v.op(AluOp::SHR, false, 0)}), 1);
  Mini w;
  w.set_operand(33);
  EXPECT_EQ(w.run(Semantics::TESSERA, {w.op(AluOp::SHR, false, 0)}), 0);
  try {
    w.run(Semantics::VTA, {w.op(AluOp::SHR, false, 0)});
    FAIL() << "SHR by 33 accepted under VTA semantics";
  } catch (const FsimError& e) {
    EXPECT_NE(std::string(e.what()).find("SHR by 33"), std::string::npos) << e.what();
  }
}

// A store behind a g2s token and a plain FINISH: tessera waits for it, VTA would lose it; with the
// runtime's ending (store pushes s2g, a compute NOP pops it) both write it.
TEST(VtaSemanticsFinish, RuntimeEndingKeepsTheStore) {
  const DerivedConfig cfg = testing::config_named("default");
  std::vector<uint8_t> dram(4096, 0);
  IsaCodec(cfg.layout).encode_uop(Uop{0, 0, 0}, dram.data());
  UopLoopSpec one;
  one.uop_end = 1;
  Insn add = alu_insn(one, AluOp::ADD, true, 7);
  add[Field::PUSH_NEXT] = 1;
  Insn store = mem_insn(Opcode::STORE, MemType::OUT, 0, 10, 1, 1, 1);
  store[Field::POP_PREV] = 1;
  Insn finish;
  finish[Field::OPCODE] = int64_t(Opcode::FINISH);
  const std::vector<Insn> plain = {mem_insn(Opcode::LOAD, MemType::UOP, 0, 0, 1, 1, 1), add, store, finish};
  Insn store_push = store;
  store_push[Field::PUSH_PREV] = 1;
  Insn wait = mem_insn(Opcode::LOAD, MemType::UOP, 0, 0, 0, 0, 0);
  wait[Field::POP_NEXT] = 1;
  const std::vector<Insn> synced = {plain[0], add, store_push, wait, finish};
  for (Semantics s : {Semantics::TESSERA, Semantics::VTA}) {
    std::vector<uint8_t> d = dram;
    Fsim sim(cfg);
    sim.set_semantics(s);
    sim.run(synced, d);
    EXPECT_EQ(d[size_t(10 * cfg.out.elem_bytes)], 7) << semantics_name(s);
  }
  std::vector<uint8_t> d = dram;
  Fsim sim(cfg);
  sim.run(plain, d);
  EXPECT_EQ(d[size_t(10 * cfg.out.elem_bytes)], 7);
  sim.set_semantics(Semantics::VTA);
  try {
    sim.run(plain, d);
    FAIL() << "plain FINISH accepted";
  } catch (const FsimError& e) {
    EXPECT_EQ(e.insn_index, 2);
    EXPECT_NE(std::string(e.what()).find("instruction 2 (STORE) on the store unit"), std::string::npos) << e.what();
  }
}

TEST(VtaSemanticsNames, ParseAndPrint) {
  Semantics s = Semantics::TESSERA;
  EXPECT_TRUE(parse_semantics("vta", &s));
  EXPECT_EQ(s, Semantics::VTA);
  EXPECT_STREQ(semantics_name(Semantics::TESSERA), "tessera");
  EXPECT_FALSE(parse_semantics("hls", &s));
}

}  // namespace
}  // namespace tessera::compiler
