// Constrained-random lockstep co-simulation (RTL vs fsim) and the generator's coverage of the ISA.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "sim/cosim/lockstep.h"
#include "sim/cosim/random_program.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

void run_seeds(const std::string& config, uint64_t first, int count, const CosimOptions& opt = {},
               bool pipeline = false) {
  const DerivedConfig cfg = programs::config(config);
  auto rtl = make_rtl_sim(cfg);
  int failures = 0;
  for (int k = 0; k < count && failures < 3; ++k) {
    const uint64_t seed = first + uint64_t(k);
    const RandomProgram p = pipeline ? pipeline_program(cfg, seed) : random_program(cfg, seed);
    try {
      const CosimResult r = run_lockstep(*rtl, p.insns, p.dram, opt);
      if (!r.ok) ++failures, ADD_FAILURE() << config << " seed " << seed << ": " << r.divergence;
    } catch (const std::exception& e) {
      ++failures;
      ADD_FAILURE() << config << " seed " << seed << ": " << e.what();
    }
  }
}

TEST(CosimRandom, Default300Programs) { run_seeds("default", 1, 300); }
TEST(CosimRandom, Tiny100Programs) { run_seeds("tiny", 1001, 100); }
TEST(CosimRandom, Vta4x8x8100Programs) { run_seeds("vta_4x8x8", 2001, 100); }
TEST(CosimRandom, TinyWithABackpressuredDram50Programs) {
  CosimOptions opt;
  opt.rtl.dram_latency_cycles = 5;
  opt.rtl.dram_bytes_per_cycle = 3;
  opt.rtl.dram_max_outstanding = 1;
  run_seeds("tiny", 3001, 50, opt);
}


TEST(CosimPipeline, Default100DoubleBufferedPipelines) { run_seeds("default", 4001, 100, {}, true); }
TEST(CosimPipeline, Tiny50DoubleBufferedPipelines) { run_seeds("tiny", 5001, 50, {}, true); }
TEST(CosimPipeline, Vta4x8x8With50DoubleBufferedPipelines) { run_seeds("vta_4x8x8", 6001, 50, {}, true); }

// About half the pipelines run each tile's epilogue beside the next tile's GEMMs (the overlap flag on
// GEMMs and ALU ops alike); the CosimPipeline runs above check them on the RTL.
TEST(PipelineProgram, HalfTheProgramsOverlapEpilogues) {
  const DerivedConfig cfg = programs::config("default");
  int overlapped = 0, with_alu = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    bool gemm = false, alu = false;
    for (const Insn& i : pipeline_program(cfg, seed).insns) {
      gemm |= i.opcode() == Opcode::GEMM && i[Field::OVERLAP];
      alu |= i.opcode() == Opcode::ALU && i[Field::OVERLAP];
    }
    overlapped += gemm, with_alu += alu;
  }
  EXPECT_GT(overlapped, 30);
  EXPECT_LT(overlapped, 70);
  EXPECT_GT(with_alu, 10);  // tiles with more than one ALU op flag the ones after the first
}

// The pipelines' epilogues draw REQ in every mode (fixed point, float scale, packed add of int8 and
// uint8), so the CosimPipeline runs check each of them beside overlapped GEMMs too.
TEST(PipelineProgram, DrawsEveryReqMode) {
  const DerivedConfig cfg = programs::config("default");
  std::map<int64_t, int> modes;
  for (uint64_t seed = 1; seed <= 100; ++seed)
    for (const Insn& i : pipeline_program(cfg, seed).insns)
      if (i.opcode() == Opcode::ALU && i[Field::ALU_OPCODE] == int64_t(AluOp::REQ)) {
        const int64_t imm = i[Field::IMM] & 0xffff, mode = imm >> 6 & 3;
        ++modes[mode];
        if (mode != 0) EXPECT_EQ(imm & 31, 0) << "seed " << seed;
      }
  for (int64_t m = 0; m < 4; ++m) EXPECT_GT(modes[m], 5) << "mode " << m;
}

// On a config with the depthwise mode the generator draws depthwise GEMMs: one tap, more taps than
// rows, both loop levels, the overlap flag; never with reset. Without the mode it draws none.
TEST(RandomProgram, DrawsDepthwiseGemmsWithTheMode) {
  const DerivedConfig cfg = programs::config("default");
  const int64_t R = cfg.hw.block_out;
  std::map<std::string, int> seen;
  for (uint64_t seed = 7001; seed <= 7060; ++seed)
    for (const Insn& i : random_program(cfg, seed).insns) {
      if (i.opcode() != Opcode::GEMM || !i[Field::DEPTHWISE]) continue;
      const int64_t taps = i[Field::UOP_END] - i[Field::UOP_BGN];
      EXPECT_EQ(i[Field::RESET], 0);
      ++seen["depthwise"];
      if (taps == 1) ++seen["one tap"];
      if (taps > 1 && taps <= R) ++seen["several taps"];
      if (taps > R) ++seen["more taps than rows"];
      if (i[Field::ITER_OUT] > 1 && i[Field::ITER_IN] > 1) ++seen["two-level loop"];
      if (i[Field::OVERLAP]) ++seen["overlap"];
    }
  EXPECT_GT(seen["depthwise"], 60) << "about 40% of the GEMMs";
  for (const char* w : {"one tap", "several taps", "more taps than rows", "two-level loop", "overlap"})
    EXPECT_GT(seen[w], 0) << w;
  for (uint64_t seed = 1; seed <= 30; ++seed)
    for (const Insn& i : random_program(programs::config("vta_4x8x8"), seed).insns)
      EXPECT_FALSE(i.opcode() == Opcode::GEMM && i[Field::DEPTHWISE]);
}

// Where the config allows it, the generator draws STORE OUT_TO_INP copies, strided ones among them, and
// GEMMs (depthwise ones with the mode) read copied input elements: replayed in program order (a valid
// serial schedule), a GEMM's sources (micro-op src plus loop offsets, R rows for a depthwise one)
// include an element whose latest writer is a copy. On BLOCK_IN != BLOCK_OUT it draws none.
TEST(RandomProgram, DrawsOutToInpCopiesThatGemmsRead) {
  for (const char* name : {"default", "tiny"}) {
    SCOPED_TRACE(name);
    const DerivedConfig cfg = programs::config(name);
    std::map<std::string, int> seen;
    for (uint64_t seed = 1; seed <= 100; ++seed) {
      RandomProgram p = random_program(cfg, seed);
      Fsim fsim(cfg);
      std::vector<bool> copied(size_t(cfg.inp.depth));
      for (const Insn& i : p.insns) {
        fsim.execute(i, p.dram);
        if (i.opcode() == Opcode::LOAD && i[Field::MEMORY_TYPE] == int(MemType::INP) && i[Field::X_SIZE] > 0) {
          const int64_t n = (i[Field::Y_PAD_0] + i[Field::Y_SIZE] + i[Field::Y_PAD_1]) *
                            (i[Field::X_PAD_0] + i[Field::X_SIZE] + i[Field::X_PAD_1]);
          for (int64_t e = 0; e < n; ++e) copied[size_t(i[Field::SRAM_BASE] + e)] = false;
        }
        if (i.opcode() == Opcode::STORE && i[Field::MEMORY_TYPE] == int(MemType::OUT_TO_INP)) {
          ++seen["copy"];
          if (i[Field::Y_SIZE] > 1 && i[Field::X_STRIDE] > i[Field::X_SIZE]) ++seen["strided copy"];
          for (int64_t y = 0; y < i[Field::Y_SIZE]; ++y)
            for (int64_t x = 0; x < i[Field::X_SIZE]; ++x)
              copied[size_t(i[Field::DRAM_BASE] + y * i[Field::X_STRIDE] + x)] = true;
        }
        if (i.opcode() != Opcode::GEMM || i[Field::RESET]) continue;
        const int64_t rows = i[Field::DEPTHWISE] ? cfg.hw.block_out : 1;
        bool reads = false;
        for (int64_t o = 0; o < i[Field::ITER_OUT]; ++o)
          for (int64_t n = 0; n < i[Field::ITER_IN]; ++n)
            for (int64_t k = i[Field::UOP_BGN]; k < i[Field::UOP_END]; ++k)
              for (int64_t r = 0; r < rows; ++r)
                reads |= copied[size_t(int64_t(fsim.uop(k).src) + o * i[Field::SRC_FACTOR_OUT] +
                                       n * i[Field::SRC_FACTOR_IN] + r)];
        if (reads) ++seen[i[Field::DEPTHWISE] ? "depthwise GEMM reads a copy" : "GEMM reads a copy"];
      }
    }
    EXPECT_GT(seen["copy"], 100) << "about 2 per program";
    EXPECT_GT(seen["strided copy"], 10);
    EXPECT_GT(seen["GEMM reads a copy"], 10);
    if (cfg.hw.depthwise) {
      EXPECT_GT(seen["depthwise GEMM reads a copy"], 5);
    }
  }
  for (uint64_t seed = 1; seed <= 30; ++seed)
    for (const Insn& i : random_program(programs::config("rect_1x16x32"), seed).insns)
      EXPECT_FALSE(i.opcode() == Opcode::STORE && i[Field::MEMORY_TYPE] == int(MemType::OUT_TO_INP));
}

// The generator must reach every instruction kind and the corner fields the brief lists.
TEST(RandomProgram, CoversTheIsa) {
  const DerivedConfig cfg = programs::config("default");
  std::map<std::string, int> seen;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const RandomProgram p = random_program(cfg, seed);
    ASSERT_EQ(p.insns.back().opcode(), Opcode::FINISH);
    for (const Insn& i : p.insns) {
      const Opcode op = i.opcode();
      const std::string u = unit_name(route(i));
      for (Field f : {Field::POP_PREV, Field::POP_NEXT, Field::PUSH_PREV, Field::PUSH_NEXT})
        if (i[f]) ++seen[u + " " + field_info(f).asm_name];
      if (op == Opcode::LOAD || op == Opcode::STORE) {
        ++seen[std::string(find_opcode(int(op))->name) + " " + mem_type_name(int(i[Field::MEMORY_TYPE]))];
        if (i[Field::OVERLAP]) ++seen["LOAD overlap"];
        if (i[Field::X_SIZE] == 0) ++seen["sync"];
        if (i[Field::X_SIZE] > 0 && i[Field::Y_SIZE] == 0) ++seen["padding rows only"];
        if (i[Field::X_STRIDE] > i[Field::X_SIZE]) ++seen["stride > x_size"];
        for (Field f : {Field::Y_PAD_0, Field::Y_PAD_1, Field::X_PAD_0, Field::X_PAD_1}) {
          if (i[f] > 0) ++seen[std::string(field_info(f).asm_name)];
          if (i[f] >= 8) ++seen["large pad"];
        }
      } else if (op == Opcode::GEMM || op == Opcode::ALU) {
        const std::string name = find_opcode(int(op))->name;
        if (i[Field::RESET]) ++seen[name + " reset"];
        if (i[Field::ITER_OUT] > 1 && i[Field::ITER_IN] > 1) ++seen[name + " two-level loop"];
        if (i[Field::UOP_END] == i[Field::UOP_BGN]) ++seen[name + " empty"];
        if (i[Field::OVERLAP]) ++seen[name + " overlap"];
        if (op == Opcode::ALU && !i[Field::RESET]) {
          ++seen[std::string(alu_op_name(int(i[Field::ALU_OPCODE]))) + (i[Field::USE_IMM] ? " imm" : " vector")];
          if (i[Field::USE_IMM] && i[Field::ALU_OPCODE] == int(AluOp::SHR) && i[Field::IMM] < 0) ++seen["negative shift"];
          if (i[Field::USE_IMM] && i[Field::ALU_OPCODE] == int(AluOp::SHR) && i[Field::IMM] > 31) ++seen["shift > 31"];
        }
      }
    }
  }
  std::vector<std::string> want = {"LOAD INP", "LOAD WGT", "LOAD UOP", "LOAD ACC", "LOAD ACC_8BIT", "STORE OUT", "STORE OUT_TO_INP",
                                   "sync", "padding rows only", "stride > x_size", "y_pad_0", "y_pad_1", "x_pad_0",
                                   "x_pad_1", "large pad", "GEMM reset", "ALU reset", "GEMM two-level loop",
                                   "ALU two-level loop", "GEMM empty", "GEMM overlap", "ALU overlap", "LOAD overlap",
                                   "negative shift", "shift > 31", "load pop_next", "load push_next",
                                   "compute pop_prev", "compute pop_next", "compute push_prev", "compute push_next",
                                   "store pop_prev", "store push_prev"};
  for (const NamedValue& op : alu_ops()) {
    if (op.value != int(AluOp::REQ)) want.push_back(std::string(op.name) + " imm");
    want.push_back(std::string(op.name) + " vector");
  }
  for (const std::string& w : want) EXPECT_GT(seen[w], 0) << w;
}

}  // namespace
}  // namespace tessera
