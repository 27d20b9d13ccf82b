// tessera export-vta (issue #10): relocation of every dram_base to a physical base in element units
// (phys_addr / element_bytes, as VTA's runtime), the raw files and the manifest, and refusals.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/compiler/lowering_harness.h"
#include "tests/isa/gen/gen_test_util.h"

namespace tessera::compiler {
namespace {

using namespace gen_test;

const std::string kTessera = TESSERA_CLI;

Layer vta_conv() {
  RandomLayerSpec s;
  s.kind = LayerKind::CONV2D, s.type = ElemType::INT8, s.c = 19, s.h = 9, s.w = 11, s.k = 21, s.kernel = 3;
  s.stride = 2, s.pad = 1, s.relu = true;
  Layer l = random_layer(s, 5);
  l.inputs[0].scale = 0.25, l.weight_scales = {1.0 / 64}, l.output.scale = 1.0;  // 2^-8: expressible on VTA
  return l;
}

Program compile_to(const Layer& l, IsaTarget isa, const fs::path& tsp) {
  Model m;
  m.source = "test";
  m.layers = {l};
  CompileOptions opt;
  opt.isa = isa;
  const Program p = compile_model(m, testing::config_named("default"), opt).program;
  fs::create_directories(tsp.parent_path());
  write_program_file(p, tsp.string());
  return p;
}

std::vector<uint8_t> bytes_of(const fs::path& p) {
  const std::string s = slurp(p);
  return {s.begin(), s.end()};
}

CmdResult export_vta(const fs::path& tsp, const std::string& base, const fs::path& dir) {
  return run(kTessera + " export-vta " + tsp.string() + " --base " + base + " -o " + dir.string());
}

TEST(ExportVta, RelocatesEveryDramBaseInElementUnitsAndRunsTheSame) {
  const DerivedConfig cfg = testing::config_named("default");
  const Layer l = vta_conv();
  const fs::path tsp = scratch() / "conv" / "p.tsp";
  const Program p = compile_to(l, IsaTarget::VTA, tsp);
  const IsaCodec codec(cfg.layout);
  for (uint64_t base : {uint64_t{0x10000}, uint64_t{0xF0000000}}) {
    SCOPED_TRACE(base);
    const fs::path dir = scratch() / ("out_" + std::to_string(base));
    const CmdResult r = export_vta(tsp, "0x" + [&] { std::ostringstream o; o << std::hex << base; return o.str(); }(), dir);
    ASSERT_EQ(r.rc, 0) << r.output;
    const auto insns = bytes_of(dir / "insns.bin");
    ASSERT_EQ(insns.size(), p.insns.size() * 16);
    int64_t relocated = 0;
    std::vector<Insn> moved;
    for (size_t n = 0; n < p.insns.size(); ++n) {
      const Insn got = codec.decode_bytes(insns.data() + n * 16);
      Insn want = p.insns[n];
      const Opcode op = want.opcode();
      if ((op == Opcode::LOAD || op == Opcode::STORE) && want[Field::X_SIZE] > 0) {
        const int64_t eb = cfg.elem_bytes(int(want[Field::MEMORY_TYPE]));
        // VTA's runtime: dram_base = phys_addr / element_bytes + offset.
        EXPECT_EQ(uint64_t(got[Field::DRAM_BASE]) * uint64_t(eb), base + uint64_t(want[Field::DRAM_BASE] * eb)) << n;
        want[Field::DRAM_BASE] = got[Field::DRAM_BASE];
        ++relocated;
      }
      EXPECT_TRUE(got == want) << "instruction " << n << " changed beyond dram_base";
      moved.push_back(got);
    }
    EXPECT_GT(relocated, 3);
    std::vector<uint8_t> uops(p.uops.size() * 4);
    for (size_t k = 0; k < p.uops.size(); ++k) codec.encode_uop(p.uops[k], uops.data() + k * 4);
    EXPECT_TRUE(bytes_of(dir / "uops.bin") == uops);
    EXPECT_TRUE(bytes_of(dir / "dram.bin") == initial_dram(p, cfg));
    const auto m = nlohmann::json::parse(slurp(dir / "manifest.json"));
    EXPECT_EQ(m["base"].get<uint64_t>(), base);
    EXPECT_EQ(m["instructions"]["count"].get<size_t>(), p.insns.size());
    EXPECT_EQ(m["micro_ops"]["phys_addr"].get<uint64_t>(), base + p.uop_dram_offset);
    EXPECT_EQ(m["runs"].size(), 1u);
    EXPECT_EQ(m["element_bytes"]["WGT"].get<int64_t>(), 256);
    ASSERT_EQ(m["tensors"].size(), p.tensors.size());
    for (size_t t = 0; t < p.tensors.size(); ++t) {
      EXPECT_EQ(m["tensors"][t]["name"].get<std::string>(), p.tensors[t].name);
      EXPECT_EQ(m["tensors"][t]["phys_addr"].get<uint64_t>(), base + p.tensors[t].dram_offset);
    }
    if (base > (1u << 20)) continue;
    // The relocated stream on a DRAM whose image sits at `base` (no base register) gives the same output.
    Program q = p;
    q.insns = moved;
    q.uop_dram_offset += base, q.dram_bytes += base;
    for (auto& c : q.constants) c.offset += base;
    for (auto& t : q.tensors) t.dram_offset += base;
    std::vector<std::vector<int32_t>> values;
    size_t count = 1;
    for (int64_t d : l.inputs[0].shape) count *= size_t(d);
    values.push_back(random_values(l.inputs[0].type, count, 7));
    const std::map<std::string, NpyArray> in{{"x", testing::to_npy(values[0], l.inputs[0].type, l.inputs[0].shape)}};
    Device dev(cfg, "fsim");
    RunOptions vta;
    vta.semantics = Semantics::VTA;
    EXPECT_TRUE(dev.run(q, in, vta).outputs.at("y") == dev.run(p, in).outputs.at("y"));
  }
}

TEST(ExportVta, RefusesBadInputWithClearErrors) {
  const Layer l = vta_conv();
  const fs::path vta = scratch() / "bad" / "vta.tsp", tess = scratch() / "bad" / "tessera.tsp";
  compile_to(l, IsaTarget::VTA, vta);
  compile_to(l, IsaTarget::TESSERA, tess);
  const fs::path dir = scratch() / "bad" / "out";
  struct Bad { fs::path tsp; std::string base, message; };
  for (const Bad& b : {Bad{tess, "0x10000", "not a --isa vta program (compile it with --isa vta)"},
                       Bad{tess, "0x10000", "is not VTA's (a tessera extension)"},
                       Bad{tess, "0x10000", "FINISH is not preceded by a compute instruction popping l2g and s2g"},
                       Bad{vta, "0x10010", "--base 0x10010: not a multiple of 256 bytes (the WGT element"},
                       Bad{vta, "0", "physical address 0 is invalid on VTA"},
                       Bad{vta, "0xffffff00", "past VTA's 32-bit physical address space"},
                       Bad{vta, "12k", "--base '12k': not an address"}}) {
    const CmdResult r = export_vta(b.tsp, b.base, dir);
    EXPECT_NE(r.rc, 0) << b.message;
    EXPECT_NE(r.output.find(b.message), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "insns.bin"));
}

}  // namespace
}  // namespace tessera::compiler
