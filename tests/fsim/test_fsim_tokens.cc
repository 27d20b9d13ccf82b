// The token scheduler: double-buffered streams, syncs, deadlock shapes, illegal flags, FINISH rules, stats.
// The legal programs are the FsimStreams and FsimTokens cases of tests/fsim/instruction_cases.cc.
#include <gmock/gmock.h>

#include <algorithm>

#include "tests/fsim/fsim_fixture.h"

namespace tessera {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace programs;

using FsimTokens = FsimTest;

// Records retire order, to check that tokens really order the units.
struct Recorder : FsimObserver {
  std::vector<int64_t> order;
  void on_retire(int64_t index, Unit, const Insn&) override { order.push_back(index); }
  size_t position(int64_t index) const { return size_t(std::find(order.begin(), order.end(), index) - order.begin()); }
};

// Runs a program without appending FINISH and returns the DeadlockError message ("" if none).
std::string deadlock_of(Fsim& sim, const std::vector<Insn>& prog, std::vector<uint8_t>& dram) {
  try {
    sim.run(prog, dram);
  } catch (const DeadlockError& e) {
    return e.what();
  }
  return "";
}

class FsimStreams : public FsimTest {
 protected:
  static int64_t nth(const std::vector<Insn>& prog, Opcode op, int n) {
    for (size_t k = 0; k < prog.size(); ++k)
      if (prog[k].opcode() == op && prog[k][Field::X_SIZE] > 0 && prog[k][Field::MEMORY_TYPE] != int(MemType::UOP) &&
          prog[k][Field::MEMORY_TYPE] != int(MemType::WGT) && n-- == 0)
        return int64_t(k);
    return -1;
  }
};

TEST_P(FsimStreams, DoubleBufferedStreamMatchesReferenceAndOverlaps) {
  for_each_case([&](const cases::InstructionCase& c) {  // 6 tiles
    const std::vector<Insn>& prog = c.program;
    std::vector<uint8_t> ref_dram = dram;
    Recorder rec;
    const FsimStats stats = sim.run(prog, dram, &rec);
    ref.run(prog, ref_dram);
    EXPECT_TRUE(dram == ref_dram);
    expect_srams_match();
    ASSERT_EQ(rec.order.size(), prog.size());
    // The loader ran ahead: tile 1's input arrived before tile 0 was stored.
    EXPECT_LT(rec.position(nth(prog, Opcode::LOAD, 1)), rec.position(nth(prog, Opcode::STORE, 0)));
    // Tokens ordered every tile: load before its GEMM, GEMM before its store.
    for (int t = 0; t < 6; ++t) {
      const int64_t ld = nth(prog, Opcode::LOAD, t), st = nth(prog, Opcode::STORE, t);
      EXPECT_LT(rec.position(ld), rec.position(ld + 2));
      EXPECT_LT(rec.position(ld + 2), rec.position(st));
    }
    EXPECT_EQ(stats.insns[int(Unit::LOAD)], 7u);
    EXPECT_EQ(stats.insns[int(Unit::COMPUTE)], 1u + 2u + 12u + 1u);
    EXPECT_EQ(stats.insns[int(Unit::STORE)], 2u + 6u);
    EXPECT_EQ(stats.gemm_uops, 24u);
    EXPECT_EQ(stats.gemm_reset_uops, 24u);
    EXPECT_EQ(stats.macs, 24u * uint64_t(cfg.hw.batch * cfg.hw.block_in * cfg.hw.block_out));
    EXPECT_EQ(stats.bytes_loaded[int(MemType::INP)], uint64_t(24 * cfg.inp.elem_bytes));
    EXPECT_EQ(stats.bytes_loaded[int(MemType::WGT)], uint64_t(4 * cfg.wgt.elem_bytes));
    EXPECT_EQ(stats.bytes_loaded[int(MemType::UOP)], uint64_t(8 * cfg.uop.elem_bytes));
    EXPECT_EQ(stats.bytes_stored, uint64_t(24 * cfg.out.elem_bytes));
  });
}

TEST_P(FsimStreams, SchedulingIsDeterministic) {
  for_each_case([&](const cases::InstructionCase& c) {  // 5 tiles
    std::vector<uint8_t> d1 = dram, d2 = dram;
    Recorder a, b;
    Fsim(cfg).run(c.program, d1, &a);
    Fsim(cfg).run(c.program, d2, &b);
    EXPECT_EQ(a.order, b.order);
    EXPECT_TRUE(d1 == d2);
  });
}

TEST_P(FsimStreams, WithoutTheFreeBufferGrantsTheStreamDeadlocks) {
  auto prog = cases::double_buffered_stream(cfg, dram, 3);
  prog.erase(prog.begin() + 2, prog.begin() + 6);  // drop the four initial grants
  const std::string msg = deadlock_of(sim, prog, dram);
  EXPECT_THAT(msg, AllOf(HasSubstr("load waits on g2l (pop_next) at instruction 2 (LOAD)"),
                         HasSubstr("compute waits on l2g (pop_prev) at instruction 3 (GEMM)"),
                         HasSubstr("store waits on g2s (pop_prev) at instruction 5 (STORE)"),
                         HasSubstr("FINISH not retired"), HasSubstr("l2g=0 g2l=0 g2s=0 s2g=0")));
}

TEST_P(FsimTokens, SyncInstructionsCarryTokensAcrossAllUnits) {
  for_each_case([&](const cases::InstructionCase& c) {  // store, load, compute syncs and a FINISH waiting on s2g
    Recorder rec;
    sim.run(c.program, dram, &rec);
    EXPECT_EQ(rec.order, (std::vector<int64_t>{1, 2, 0, 3}));
    EXPECT_EQ(sim.stats().insns[int(Unit::COMPUTE)], 2u);
  });
}

TEST_P(FsimTokens, MissingPushDeadlocksWithUnitStates) {
  const std::string msg = deadlock_of(sim, {gemm(Loop{}, false, Tokens{true}), finish()}, dram);
  EXPECT_THAT(msg, AllOf(HasSubstr("deadlock"), HasSubstr("compute waits on l2g (pop_prev) at instruction 0 (GEMM), 1 more queued"),
                         HasSubstr("load is idle"), HasSubstr("store is idle"),
                         HasSubstr("fetch has dispatched all 2 instructions"), HasSubstr("l2g=0 g2l=0 g2s=0 s2g=0")));
}

TEST_P(FsimTokens, PushIntoFullTokenQueueStallsAndDeadlocks) {
  const int depth = cfg.hw.token_queue_depth;
  for_each_case([&](const cases::InstructionCase& c) {  // depth + 1 pushes to l2g, FINISH pops one
    std::vector<Insn> prog = c.program;
    prog.back() = finish();  // without the pop
    std::string msg;
    try {
      sim.run(prog, dram);
    } catch (const DeadlockError& e) {
      msg = e.what();
      EXPECT_EQ(e.insn_index, depth);
    }
    EXPECT_THAT(msg, AllOf(HasSubstr("load cannot push to full l2g (push_next) after instruction " + std::to_string(depth) + " (LOAD)"),
                           HasSubstr("FINISH retired"), HasSubstr("l2g=" + std::to_string(depth)),
                           HasSubstr("(depth " + std::to_string(depth) + ")")));
    // With one pop on the consumer side the same stream completes.
    Fsim fresh(cfg);
    EXPECT_NO_THROW(fresh.run(c.program, dram));
  });
}

TEST_P(FsimTokens, FullCommandQueueStallsFetchAndCanDeadlock) {
  DerivedConfig small = cfg;
  small.hw.command_queue_depth = 2;
  Fsim sim2(small);
  // Compute waits for a token that only instruction 4 (on the load unit) would push, but fetch
  // cannot reach it: the compute queue holds 2 more instructions and fetch stops at the third.
  std::vector<Insn> prog = {gemm(Loop{}, false, Tokens{true}), gemm(Loop{}), gemm(Loop{}), gemm(Loop{}),
                            sync(Unit::LOAD, Tokens{false, false, false, true}), finish()};
  EXPECT_THAT(deadlock_of(sim2, prog, dram),
              AllOf(HasSubstr("compute waits on l2g (pop_prev) at instruction 0 (GEMM), 2 more queued"),
                    HasSubstr("fetch stalled at instruction 3 (GEMM) on the full compute command queue (2/2)")));
  // The same program with the token producer first runs fine: the stall is about order, not content.
  std::swap(prog[0], prog[4]);
  std::rotate(prog.begin(), prog.begin() + 4, prog.begin() + 5);
  Fsim sim3(small);
  EXPECT_NO_THROW(sim3.run(prog, dram));
}

TEST_P(FsimTokens, IllegalTokenFlagsPerUnitAreErrors) {
  struct Case {
    Insn insn;
    const char* flag;
    const char* unit;
  } cases[] = {
      {sync(Unit::LOAD, Tokens{true}), "pop_prev", "load"},
      {sync(Unit::LOAD, Tokens{false, false, true}), "push_prev", "load"},
      {sync(Unit::STORE, Tokens{false, true}), "pop_next", "store"},
      {sync(Unit::STORE, Tokens{false, false, false, true}), "push_next", "store"},
  };
  for (const Case& c : cases)
    EXPECT_THAT(run_error({gemm(Loop{}), c.insn}),
                AllOf(HasSubstr("instruction 1"), HasSubstr(std::string(c.flag) + " must be 0 on the " + c.unit + " unit")));
  Insn two = gemm(Loop{});
  two[Field::PUSH_NEXT] = 2;
  EXPECT_THAT(run_error({two}), AllOf(HasSubstr("instruction 0 (GEMM)"), HasSubstr("push_next is 2")));
}

TEST_P(FsimTokens, FinishRules) {
  std::vector<cases::InstructionCase> legal;  // FINISH alone; FINISH before load and store work
  for_each_case([&](const cases::InstructionCase& c) { legal.push_back(c); });
  ASSERT_EQ(legal.size(), 2u);
  EXPECT_NO_THROW(sim.run(legal[0].program, dram)) << "FINISH alone is a complete program";
  std::string msg;
  try {
    sim.run({gemm(Loop{})}, dram);
  } catch (const FsimError& e) {
    msg = e.what();
  }
  EXPECT_THAT(msg, HasSubstr("has no FINISH"));
  msg.clear();
  try {
    sim.run({finish(), sync(Unit::LOAD, {}), gemm(Loop{})}, dram);
  } catch (const FsimError& e) {
    msg = e.what();
    EXPECT_EQ(e.insn_index, 2);
  }
  EXPECT_THAT(msg, HasSubstr("instruction 2 (GEMM) follows FINISH (instruction 0) in the compute queue"));
  // Load and store work after FINISH still drains before run() returns.
  Recorder rec;
  Fsim fresh(cfg);
  fresh.run(legal[1].program, dram, &rec);
  EXPECT_EQ(rec.order.size(), 3u);
  EXPECT_EQ(fresh.stats().insns[int(Unit::STORE)], 1u);
}

TEST_P(FsimTokens, UndefinedOpcodeIsAnError) {
  Insn bad;
  bad[Field::OPCODE] = 6;
  EXPECT_THAT(run_error({bad}), AllOf(HasSubstr("instruction 0"), HasSubstr("opcode 6 is not defined")));
  std::vector<uint8_t> d(16);
  EXPECT_THROW(sim.execute(bad, d, 3), FsimError);
}

TEST_P(FsimTokens, ExecuteAppliesDataEffectsIgnoringTokens) {
  // The co-simulator replays retire order through execute(): a pop with no token must not block.
  const Insn ld = load(MemType::ACC_8BIT, 3, 5, 1, 2, 2, {}, Tokens{true, true, true, true});
  sim.execute(ld, dram, 17);
  const int64_t lanes = int64_t(cfg.hw.batch) * cfg.hw.block_out;
  for (int64_t l = 0; l < lanes; ++l) EXPECT_EQ(sim.acc(4)[l], int32_t(int8_t(dram[size_t(6 * lanes + l)])));
  EXPECT_EQ(sim.stats().insns[int(Unit::COMPUTE)], 1u);
  EXPECT_EQ(sim.stats().bytes_loaded[int(MemType::ACC_8BIT)], uint64_t(2 * lanes));
  try {
    sim.execute(load(MemType::ACC, cfg.acc.depth, 0, 1, 1, 1), dram, 17);
    ADD_FAILURE() << "no error";
  } catch (const FsimError& e) {
    EXPECT_EQ(e.insn_index, 17);
    EXPECT_THAT(e.what(), HasSubstr("instruction 17 (LOAD, compute unit): sram_base"));
  }
  // State persists across run() calls, as SRAM does on the device; stats accumulate until reset.
  sim.run({finish()}, dram);
  EXPECT_EQ(sim.acc(4)[0], int32_t(int8_t(dram[size_t(6 * lanes)])));
  EXPECT_EQ(sim.stats().insns[int(Unit::COMPUTE)], 2u);
  sim.reset_stats();
  EXPECT_EQ(sim.stats().insns[int(Unit::COMPUTE)], 0u);
}

INSTANTIATE_TEST_SUITE_P(Configs, FsimStreams, ::testing::ValuesIn(test_configs()));
INSTANTIATE_TEST_SUITE_P(Configs, FsimTokens, ::testing::ValuesIn(test_configs()));

}  // namespace
}  // namespace tessera
