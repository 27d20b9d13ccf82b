// Untrusted programs: random encodings and random field values must end in a result or an FsimError.
#include <gmock/gmock.h>

#include "tests/fsim/fsim_fixture.h"

namespace tessera {
namespace {

using namespace programs;

// Keeps loop trip counts small so each random program stays cheap; everything else stays random.
Insn bound_work(Insn i) {
  if (i.opcode() == Opcode::GEMM || i.opcode() == Opcode::ALU) {
    i[Field::ITER_OUT] %= 4;
    i[Field::ITER_IN] %= 4;
    i[Field::UOP_END] = i[Field::UOP_BGN] + i[Field::UOP_END] % 6;
  }
  if (i.opcode() == Opcode::LOAD || i.opcode() == Opcode::STORE) {
    i[Field::Y_SIZE] %= 5;
    i[Field::X_SIZE] %= 9;
  }
  return i;
}

// Runs `prog` and reports how it ended; anything but completion or FsimError fails the test.
std::string outcome(Fsim& sim, const std::vector<Insn>& prog, std::vector<uint8_t>& dram) {
  try {
    sim.run(prog, dram);
    return "ok";
  } catch (const DeadlockError& e) {
    EXPECT_NE(std::string(e.what()).find("deadlock"), std::string::npos);
    return "deadlock";
  } catch (const FsimError& e) {
    EXPECT_THAT(e.what(), ::testing::AnyOf(::testing::HasSubstr("instruction"), ::testing::HasSubstr("FINISH")));
    return "error";
  }
}

class FsimRobust : public FsimTest {};

TEST_P(FsimRobust, RandomEncodedProgramsNeverCrash) {
  const IsaCodec codec(cfg.layout);
  std::mt19937_64 rng(2024);
  std::map<std::string, int> seen;
  std::vector<uint8_t> small(4096);
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<Insn> prog;
    const int n = 1 + int(rng() % 12);
    while (int(prog.size()) < n) {
      std::vector<uint64_t> words(size_t(codec.insn_words()));
      for (auto& w : words) w = rng();
      words[0] = (words[0] & ~uint64_t{7}) | (rng() % 5);  // a defined opcode, so decode succeeds
      if (rng() % 2) words[0] &= ~uint64_t{0x78};           // half the time, no tokens
      prog.push_back(bound_work(codec.decode(words.data())));
    }
    if (rng() % 4) prog.push_back(finish());
    Fsim fresh(cfg);
    ++seen[outcome(fresh, prog, small)];
  }
  // The generator must reach every ending, or the test proves little.
  EXPECT_GT(seen["ok"], 0);
  EXPECT_GT(seen["error"], 0);
  EXPECT_GT(seen["deadlock"], 0);
}

TEST_P(FsimRobust, FieldValuesOutsideTheirSlotAreRejected) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    Insn i = rng() % 2 ? load(MemType(rng() % 8), 0, 0, 1, 1, 1) : gemm(Loop{});
    const int f = 5 + int(rng() % (kNumFields - 5));  // any non-header field
    const int64_t extremes[] = {-1, INT64_MIN, INT64_MAX, int64_t{1} << 32, int64_t{1} << 16};
    i.f[size_t(f)] = extremes[rng() % 5];
    Fsim fresh(cfg);
    i = bound_work(i);
    const Slot* slot = cfg.layout.find(format_of(i[Field::OPCODE]), Field(f));
    const bool fits = !slot || IsaCodec::check_fits(*slot, field_info(Field(f)).is_signed, i.f[size_t(f)]).empty();
    const std::string end = outcome(fresh, {i, finish()}, dram);
    if (!fits) {
      EXPECT_EQ(end, "error") << field_info(Field(f)).asm_name << " = " << i.f[size_t(f)];
    }
    EXPECT_NE(end, "deadlock");
  }
}

// A random in-range instruction: every index stays inside its SRAM and DRAM, so both models must agree.
class RandomProgram {
 public:
  RandomProgram(const DerivedConfig& cfg, size_t dram_bytes, uint32_t seed) : cfg_(cfg), dram_(int64_t(dram_bytes)), rng_(seed) {}

  // Micro-ops the program may load, all with fields below 32, stored at DRAM element uop_elem().
  std::vector<Uop> uop_table() {
    std::vector<Uop> u(64);
    for (auto& x : u) x = {uint32_t(pick(32)), uint32_t(pick(32)), uint32_t(pick(32))};
    return u;
  }
  int64_t uop_elem() const { return dram_ / 2 / cfg_.elem_bytes(int(MemType::UOP)); }

  Insn next() {
    switch (pick(5)) {
      case 0: return random_load();
      case 1: {
        const int64_t x = 1 + pick(8), y = 1 + pick(3), stride = x + pick(4);
        const int64_t eb = cfg_.out.elem_bytes;
        return store(pick(cfg_.acc.depth - x * y), pick(dram_ / 2 / eb - y * stride), y, x, stride);
      }
      case 2: return gemm(random_loop(true), pick(6) == 0);
      case 3: {
        Insn i = alu(AluOp(pick(5)), random_loop(false), pick(2), pick(65536) - 32768);
        i[Field::RESET] = pick(8) == 0;
        return i;
      }
      default: {
        const int64_t n = 1 + pick(16);
        return load(MemType::UOP, pick(16), uop_elem() + pick(64 - n), 1, n, n);
      }
    }
  }

 private:
  int64_t pick(int64_t n) { return int64_t(rng_() % uint64_t(n)); }
  Insn random_load() {
    const MemType kinds[] = {MemType::WGT, MemType::INP, MemType::ACC, MemType::ACC_8BIT};
    const MemType m = kinds[pick(4)];
    const SramGeometry& g = cfg_.sram(int(m));
    const Pads p{pick(3), pick(3), pick(3), pick(3)};
    const int64_t x = 1 + pick(6), y = pick(4), stride = x + pick(4);
    const int64_t count = (p.y0 + y + p.y1) * (p.x0 + x + p.x1);
    return load(m, pick(g.depth - count), pick(dram_ / 2 / g.elem_bytes - (y + 1) * stride), y, x, stride, p);
  }
  Loop random_loop(bool gemm) {
    const int64_t bgn = pick(16);
    return Loop{bgn, bgn + pick(8), 1 + pick(3), 1 + pick(3), pick(5), pick(5), pick(5), pick(5),
                gemm ? pick(5) : 0, gemm ? pick(5) : 0};
  }

  const DerivedConfig& cfg_;
  int64_t dram_;
  std::mt19937_64 rng_;
};

TEST_P(FsimRobust, RandomInRangeProgramsMatchReferenceInstructionByInstruction) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    RandomProgram gen(cfg, dram.size(), seed);
    put_uops(dram, cfg, gen.uop_elem(), gen.uop_table());
    std::vector<uint8_t> ref_dram = dram;
    for (int n = 0; n < 300; ++n) {
      const Insn insn = gen.next();
      sim.execute(insn, dram, n);
      ref.step(insn, ref_dram);
    }
    EXPECT_TRUE(dram == ref_dram);
    expect_srams_match();
  }
  EXPECT_GT(sim.stats().gemm_uops, 0u);
  EXPECT_GT(sim.stats().alu_uops, 0u);
  EXPECT_GT(sim.stats().bytes_stored, 0u);
}

INSTANTIATE_TEST_SUITE_P(Configs, FsimRobust, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
