// The SystemC/TLM-2.0 model: results equal the fsim's, cycles equal RtlSim's, registers, errors, deadlocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "driver/tensor_io.h"
#include "isa/asm.h"
#include "isa/npy.h"
#include "sim/fsim/fsim.h"
#include "sim/rtl/rtl_backend.h"
#include "isa/regs.h"
#include "sim/systemc/tlm_system.h"
#include "tests/fsim/programs.h"

namespace tessera {
namespace {

using namespace programs;

class TlmFixture {
 protected:
  explicit TlmFixture(const std::string& config_name) : cfg(config(config_name)) {
    // SystemC elaborates once per kernel context; a fresh context per test keeps the tests independent
    // within one process (the old one is leaked on purpose: its objects are gone, freeing it is unsafe).
    sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
    sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  }

  DerivedConfig cfg;
  std::vector<uint8_t> dram = std::vector<uint8_t>(1 << 16);
  int64_t out_elem = (1 << 15) / cfg.elem_bytes(int(MemType::OUT));  // stores go to the upper half

  // Loads, a reset and an accumulating GEMM, three ALU operations, a store: every unit and token path.
  std::vector<Insn> gemm_alu_program() {
    fill_random(dram, 7);
    put_uops(dram, cfg, 0, {{0, 0, 0}, {1, 1, 1}, {2, 2, 0}, {3, 0, 1}});
    const Loop gemm_loop{0, 4, 2, 2, 4, 1, 2, 1, 1, 0};
    const Loop alu_loop{0, 4, 2, 2, 4, 1, 4, 1};
    return {load(MemType::INP, 0, 0, 2, 4, 5),
            load(MemType::WGT, 0, 3, 1, 3, 3, {}, {false, false, false, true}),
            load(MemType::UOP, 0, 0, 1, 4, 4),
            gemm(gemm_loop, true),
            gemm(gemm_loop, false, {true, false, false, false}),
            alu(AluOp::ADD, alu_loop, true, 5),
            alu(AluOp::MAX, alu_loop, true, 0),
            alu(AluOp::SHR, alu_loop, true, 2, {false, false, false, true}),
            store(0, out_elem, 3, 4, 4, {true, false, false, false}),
            finish()};
  }
};

class TlmTest : public ::testing::Test, protected TlmFixture {
 protected:
  TlmTest() : TlmFixture("default") {}
};

// Every config whose RTL model this binary holds (bus width, clock and DRAM figures differ).
class TlmConfigTest : public ::testing::TestWithParam<std::string>, protected TlmFixture {
 protected:
  TlmConfigTest() : TlmFixture(GetParam()) {}
};
INSTANTIATE_TEST_SUITE_P(BuiltModels, TlmConfigTest, ::testing::ValuesIn(built_rtl_configs()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

void expect_same_counters(const TlmRunStats& tlm, const RtlStats& rtl) {
  EXPECT_EQ(tlm.cycles, rtl.cycles);
  for (int u = 0; u < kNumUnits; ++u) {
    EXPECT_EQ(tlm.busy[u], rtl.units[u].busy) << unit_name(Unit(u));
    EXPECT_EQ(tlm.stall[u], rtl.units[u].stall) << unit_name(Unit(u));
  }
  EXPECT_EQ(tlm.gemm_uops, rtl.gemm_uops);
  EXPECT_EQ(tlm.alu_uops, rtl.alu_uops);
}

// One b_transport through the host's socket with the payload fields TlmHost::access does not set.
tlm::tlm_response_status transport(TlmHost& h, tlm::tlm_command cmd, uint64_t addr, unsigned char* data, unsigned len,
                                   unsigned width, unsigned char* enables = nullptr, unsigned enables_len = 0) {
  tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(data);
  t.set_data_length(len);
  t.set_streaming_width(width);
  t.set_byte_enable_ptr(enables);
  t.set_byte_enable_length(enables_len);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  h.bus->b_transport(t, delay);
  return t.get_response_status();
}

uint64_t bursts(const DramTraffic& t) {
  uint64_t n = 0;
  for (int id = 0; id < 4; ++id) n += t.read_bursts[id] + t.write_bursts[id];
  return n;
}

TEST_P(TlmConfigTest, GemmAluProgramMatchesFsimDataAndRtlSimCycles) {
  const std::vector<Insn> p = gemm_alu_program();
  const std::vector<uint8_t> before = dram;
  std::vector<uint8_t> golden = dram, rtl_dram = dram;
  Fsim(cfg).run(p, golden);
  ASSERT_NE(golden, before) << "the program must store something";
  const RtlStats rtl = make_rtl_sim(cfg)->run(p, rtl_dram);

  TlmSystem sys("sys", cfg);
  const TlmRunStats st = run_program(sys, p, dram);
  EXPECT_TRUE(dram == golden) << "DRAM after the TLM run differs from the fsim's";
  expect_same_counters(st, rtl);
  EXPECT_GT(st.gemm_uops, 0u);
  EXPECT_EQ(sys.memory.reads() + sys.memory.writes(), bursts(rtl.traffic));  // one transaction per burst
  EXPECT_EQ(sys.accel.mem_transactions(), bursts(rtl.traffic));
  EXPECT_EQ(sys.memory.writes(), rtl.traffic.write_bursts[3]);
}

TEST_P(TlmConfigTest, MemoryLatencySlowsTheAcceleratorExactlyAsRtlSimDramLatency) {
  const std::vector<Insn> p = gemm_alu_program();
  const int slow = 4 * cfg.hw.dram_latency_cycles;
  RtlOptions opt;
  opt.dram_latency_cycles = slow;
  std::vector<uint8_t> rtl_dram = dram;
  const RtlStats rtl_slow = make_rtl_sim(cfg)->run(p, rtl_dram, opt);
  rtl_dram = dram;
  const RtlStats rtl_default = make_rtl_sim(cfg)->run(p, rtl_dram);

  TlmSystem sys("sys", cfg, TlmOptions{}, TesseraTlm::clock_period(cfg) * slow);
  const TlmRunStats st = run_program(sys, p, dram);
  expect_same_counters(st, rtl_slow);
  EXPECT_GT(st.cycles, rtl_default.cycles);
}

TEST_P(TlmConfigTest, NarrowSlowPortMatchesRtlSimWithTheSameLimits) {
  const std::vector<Insn> p = gemm_alu_program();
  RtlOptions ropt;
  ropt.dram_latency_cycles = 3;
  ropt.dram_bytes_per_cycle = 1;
  ropt.dram_max_outstanding = 1;
  std::vector<uint8_t> rtl_dram = dram;
  const RtlStats rtl = make_rtl_sim(cfg)->run(p, rtl_dram, ropt);

  TlmOptions opt;
  opt.bytes_per_cycle = 1;
  opt.max_outstanding = 1;
  TlmSystem sys("sys", cfg, opt, TesseraTlm::clock_period(cfg) * 3);
  const TlmRunStats st = run_program(sys, p, dram);
  expect_same_counters(st, rtl);
  EXPECT_TRUE(dram == rtl_dram);
}

// An interconnect that turns the delay annotated downstream into wait(): approximately-timed style.
struct SyncingBus : sc_core::sc_module {
  tlm_utils::simple_target_socket<SyncingBus> in{"in"};
  tlm_utils::simple_initiator_socket<SyncingBus> out{"out"};
  explicit SyncingBus(sc_core::sc_module_name name) : sc_module(name) {
    in.register_b_transport(this, &SyncingBus::transport);
  }
  void transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    out->b_transport(t, delay);
    wait(delay);
    delay = sc_core::SC_ZERO_TIME;
  }
};

TEST_F(TlmTest, TimeATargetWaitsCountsLikeTheDelayItAnnotates) {
  // One burst in flight per direction and no read overlapping a write in this program, so waiting
  // (which serializes the transactions) and annotating give the same bus timing.
  const std::vector<Insn> p = gemm_alu_program();
  const int latency = 3 * cfg.hw.dram_latency_cycles;
  RtlOptions ropt;
  ropt.dram_latency_cycles = latency;
  ropt.dram_max_outstanding = 1;
  std::vector<uint8_t> rtl_dram = dram, golden = dram;
  const RtlStats rtl = make_rtl_sim(cfg)->run(p, rtl_dram, ropt);
  Fsim(cfg).run(p, golden);

  TlmOptions opt;
  opt.max_outstanding = 1;
  TesseraTlm accel("accel", cfg, opt);
  SyncingBus bus("bus");
  TlmMemory memory("memory", TesseraTlm::clock_period(cfg) * latency);
  TlmHost host("host", cfg);
  sc_core::sc_signal<bool> irq("irq");
  accel.mem.bind(bus.in);
  bus.out.bind(memory.socket);
  host.bus.bind(accel.ctrl);
  accel.irq(irq);
  host.irq(irq);
  const TlmRunStats st = run_program(accel, memory, host, p, dram);
  expect_same_counters(st, rtl);
  EXPECT_TRUE(dram == golden);
}

TEST_F(TlmTest, SecondProgramSeesTheFirstOnesSramsLikeTheFsim) {
  // The second program has no loads: its ALU pass runs on the micro-ops and accumulators the first left.
  const std::vector<Insn> first = gemm_alu_program();
  const std::vector<Insn> second = {alu(AluOp::ADD, {0, 4, 2, 2, 4, 1, 4, 1}, true, 100, {false, false, false, true}),
                                    store(0, out_elem + 64, 3, 4, 4, {true, false, false, false}), finish()};
  std::vector<uint8_t> golden = dram, rtl_dram = dram;
  Fsim fsim(cfg);
  fsim.run(first, golden);
  fsim.run(second, golden);
  const RtlStats rtl_second = make_rtl_sim(cfg)->run(second, rtl_dram);  // a fresh model: other data, same timing

  TlmSystem sys("sys", cfg);
  const TlmProgramRun where;
  const uint64_t second_addr = where.insn_addr + (1u << 20);
  map_program(sys.memory, cfg, "first", where.insn_addr, first);
  map_program(sys.memory, cfg, "second", second_addr, second);
  std::vector<uint8_t>& data = map_data(sys.memory, cfg, where.data_addr, dram);
  TlmRunStats st;
  int runs = 0;
  sc_core::sc_spawn([&] {
    sys.host.run({where.insn_addr, uint32_t(first.size()), where.data_addr});
    ++runs;
    st = sys.host.run({second_addr, uint32_t(second.size()), where.data_addr});
    ++runs;
    sc_core::sc_stop();
  });
  sc_core::sc_start();
  ASSERT_EQ(runs, 2) << sys.accel.error();
  EXPECT_TRUE(std::equal(golden.begin(), golden.end(), data.begin())) << "DRAM differs from the fsim's after two runs";
  expect_same_counters(st, rtl_second);
}

TEST_F(TlmTest, CompiledDenseReluExampleGivesTheExpectedOutputInRtlSimCycles) {
  const std::string dir = std::string(TESSERA_SOURCE_DIR) + "/examples/";
  std::ifstream in(dir + "dense_relu.s");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Program prog = assemble(text, cfg, "dense_relu.s");
  std::vector<uint8_t> d = initial_dram(prog, cfg);
  const TensorInfo* x = nullptr;
  const TensorInfo* y = nullptr;
  for (const TensorInfo& t : prog.tensors) (t.dir == TensorDir::INPUT ? x : y) = &t;
  ASSERT_TRUE(x && y);
  place_tensor(read_npy_file(dir + "dense_relu_x.npy"), *x, d);
  std::vector<uint8_t> rtl_dram = d;
  const RtlStats rtl = make_rtl_sim(cfg)->run(prog.insns, rtl_dram);

  TlmSystem sys("sys", cfg);
  const TlmRunStats st = run_program(sys, prog.insns, d);
  const NpyArray expected = read_npy_file(dir + "dense_relu_expected.npy");
  EXPECT_EQ(fetch_tensor(*y, d).data, expected.data);
  expect_same_counters(st, rtl);
}

TEST_F(TlmTest, VcdCoversTheWholeSimulation) {
#if TESSERA_RTL_TRACE_OFF
  GTEST_SKIP() << "the RTL models were built with TESSERA_RTL_TRACE=OFF";
#endif
  const std::string path = ::testing::TempDir() + "tessera_tlm_waves.vcd";
  std::remove(path.c_str());
  TlmOptions opt;
  opt.vcd_path = path;
  uint64_t cycles = 0;
  {
    TlmSystem sys("sys", cfg, opt);
    run_program(sys, gemm_alu_program(), dram);
    cycles = sys.accel.cycles();
  }
  std::ifstream in(path);
  std::string line, last_time;
  bool header_done = false, has_clock = false;
  while (std::getline(in, line)) {
    header_done |= line.find("$enddefinitions") != std::string::npos;
    has_clock |= !header_done && line.find(" clk_i ") != std::string::npos;
    if (!line.empty() && line[0] == '#') last_time = line.substr(1);
  }
  EXPECT_TRUE(header_done && has_clock) << path;
  EXPECT_EQ(last_time, std::to_string(2 * cycles)) << "two time steps per clock cycle, every cycle dumped";
}

TEST_F(TlmTest, RegistersThroughTheSocket) {
  namespace r = regmap;
  uint32_t unmapped = 0;
  while (r::find_reg(unmapped)) unmapped += 4;  // the first word offset hw/regs.def leaves free
  TlmSystem sys("sys", cfg);
  bool checked = false;
  sc_core::sc_spawn([&] {
    TlmHost& h = sys.host;
    EXPECT_EQ(h.read(r::CONFIG_HASH_LO) | uint64_t(h.read(r::CONFIG_HASH_HI)) << 32, cfg.hash);
#define TESSERA_VERSION(MAJOR, MINOR) EXPECT_EQ(h.read(r::VERSION), uint32_t(MAJOR) << 16 | uint32_t(MINOR));
#include "hw/regs.def"
#undef TESSERA_VERSION
    h.write(r::DATA_ADDR_LO, 0x12345678);
    EXPECT_EQ(h.read(r::DATA_ADDR_LO), 0x12345678u);
    uint32_t v = 0;
    EXPECT_EQ(h.access(tlm::TLM_READ_COMMAND, unmapped, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(h.access(tlm::TLM_WRITE_COMMAND, unmapped, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(h.access(tlm::TLM_READ_COMMAND, r::DATA_ADDR_LO + 1, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(h.access(tlm::TLM_READ_COMMAND, 1ull << 32, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(h.access(tlm::TLM_WRITE_COMMAND, r::CONFIG_HASH_LO, v), tlm::TLM_COMMAND_ERROR_RESPONSE);

    // Byte enables become the AXI write strobe: only byte 1 changes.
    uint32_t word = 0xaabbccdd;
    unsigned char enables[4] = {0, 0xff, 0, 0};
    EXPECT_EQ(transport(h, tlm::TLM_WRITE_COMMAND, r::DATA_ADDR_LO, reinterpret_cast<unsigned char*>(&word), 4, 4,
                        enables, 4),
              tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read(r::DATA_ADDR_LO), 0x1234cc78u);

    uint64_t wide = 0;
    EXPECT_EQ(transport(h, tlm::TLM_READ_COMMAND, r::DATA_ADDR_LO, reinterpret_cast<unsigned char*>(&wide), 8, 8),
              tlm::TLM_BURST_ERROR_RESPONSE);

    tlm::tlm_generic_payload t;
    tlm::tlm_dmi dmi;
    EXPECT_FALSE(h.bus->get_direct_mem_ptr(t, dmi));
    checked = true;
    sc_core::sc_stop();
  });
  sc_core::sc_start();
  EXPECT_TRUE(checked);
  EXPECT_TRUE(sys.accel.error().empty()) << sys.accel.error();
}

TEST_F(TlmTest, DeadlockIsReportedInsteadOfHangingTheSimulation) {
  const std::vector<Insn> p = {load(MemType::INP, 0, 0, 1, 1, 1), gemm({0, 1}, false, {true, false, false, false}),
                               finish()};
  TlmOptions opt;
  opt.watchdog_cycles = 3000;
  TlmSystem sys("sys", cfg, opt);
  try {
    run_program(sys, p, dram);
    FAIL() << "a GEMM popping an empty l2g queue must not finish";
  } catch (const TlmError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("watchdog"), std::string::npos) << m;
    EXPECT_NE(m.find("compute: stalled waiting on token queue l2g, 0 retired"), std::string::npos) << m;
    EXPECT_NE(m.find("load: idle, 1 retired (last program index 0)"), std::string::npos) << m;
  }
  EXPECT_FALSE(sys.accel.error().empty());
  EXPECT_LT(sys.accel.cycles(), 5000u);
}

TEST_F(TlmTest, WithoutStopOnErrorTheDeadlockIsAnEventThePlatformHandles) {
  const std::vector<Insn> p = {load(MemType::INP, 0, 0, 1, 1, 1), gemm({0, 1}, false, {true, false, false, false}),
                               finish()};
  TlmOptions opt;
  opt.watchdog_cycles = 3000;
  opt.stop_on_error = false;
  TlmSystem sys("sys", cfg, opt);
  const TlmProgramRun where;
  map_program(sys.memory, cfg, "instructions", where.insn_addr, p);
  map_data(sys.memory, cfg, where.data_addr, dram);
  sc_core::sc_spawn([&] { sys.host.run({where.insn_addr, uint32_t(p.size()), where.data_addr}); });
  uint64_t noticed_at = 0;
  sc_core::sc_spawn([&] {
    wait(sys.accel.error_event());
    noticed_at = sys.accel.cycles();
    sc_core::sc_stop();
  });
  sc_core::sc_start();
  EXPECT_NE(sys.accel.error().find("compute: stalled waiting on token queue l2g"), std::string::npos) << sys.accel.error();
  EXPECT_GT(noticed_at, opt.watchdog_cycles);
  EXPECT_LT(noticed_at, 2 * opt.watchdog_cycles);
}

TEST_F(TlmTest, MemoryErrorResponseStopsTheModelWithTheBurst) {
  dram.resize(4096);
  const std::vector<Insn> p = {load(MemType::INP, 0, 1 << 12, 1, 1, 1), finish()};  // element far past 4 KiB
  TlmSystem sys("sys", cfg);
  try {
    run_program(sys, p, dram);
    FAIL() << "a load outside every memory region must fail";
  } catch (const TlmError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("read burst of AXI ID 1"), std::string::npos) << m;
    EXPECT_NE(m.find("TLM_ADDRESS_ERROR_RESPONSE"), std::string::npos) << m;
  }
}

TEST_F(TlmTest, MemoryTargetHonorsLatencyByteEnablesStreamingWidthAndBounds) {
  const sc_core::sc_time latency(7, sc_core::SC_NS);
  TlmMemory memory("memory", latency);
  TlmHost host("host", cfg);  // only its initiator socket is used here
  sc_core::sc_signal<bool> irq("irq");
  host.bus.bind(memory.socket);
  host.irq(irq);
  std::vector<uint8_t>& r = memory.add_region("r", 0x1000, 16);
  EXPECT_THROW(memory.add_region("overlap", 0x100c, 8), std::invalid_argument);
  bool checked = false;
  sc_core::sc_spawn([&] {
    uint32_t v = 0x44332211;
    EXPECT_EQ(host.access(tlm::TLM_WRITE_COMMAND, 0x1004, v), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(sc_core::sc_time_stamp(), latency);  // the annotated delay, waited by the initiator
    EXPECT_EQ(std::vector<uint8_t>(r.begin() + 3, r.begin() + 9), (std::vector<uint8_t>{0, 0x11, 0x22, 0x33, 0x44, 0}));
    EXPECT_EQ(host.access(tlm::TLM_READ_COMMAND, 0x100e, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // runs past the end
    EXPECT_EQ(host.access(tlm::TLM_READ_COMMAND, 0x0ffe, v), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // starts before it

    uint8_t bytes[4] = {0xdd, 0xcc, 0xbb, 0xaa};
    unsigned char enables[2] = {0xff, 0};  // repeats: bytes 0 and 2 written
    EXPECT_EQ(transport(host, tlm::TLM_WRITE_COMMAND, 0x1004, bytes, 4, 4, enables, 2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(std::vector<uint8_t>(r.begin() + 4, r.begin() + 8), (std::vector<uint8_t>{0xdd, 0x22, 0xbb, 0x44}));
    // A 2-byte window read twice.
    EXPECT_EQ(transport(host, tlm::TLM_READ_COMMAND, 0x1004, bytes, 4, 2), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + 4), (std::vector<uint8_t>{0xdd, 0x22, 0xdd, 0x22}));
    EXPECT_EQ(memory.reads(), 1u);
    EXPECT_EQ(memory.writes(), 2u);
    checked = true;
    sc_core::sc_stop();
  });
  sc_core::sc_start();
  EXPECT_TRUE(checked);
}

TEST_F(TlmTest, ConfigWithoutABuiltModelIsRefusedByName) {
  DerivedConfig other = cfg;
  other.hash ^= 1;
  other.hw.name = "not_built";
  try {
    TesseraTlm accel("accel", other);
    FAIL() << "no model exists for a config of another hash";
  } catch (const TlmError& e) {
    EXPECT_NE(std::string(e.what()).find("no RTL model for config 'not_built'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
