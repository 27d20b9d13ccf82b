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

INSTANTIATE_TEST_SUITE_P(Configs, FsimRobust, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
