// DRAM model: latency, byte rate, outstanding limit, strobes and address/protocol errors, driven as a master would.
#include <gtest/gtest.h>

#include "sim/rtl/dram_model.h"

namespace tessera {
namespace {

constexpr int kBusBits = 64;

struct Master {
  DramModel dram;
  std::vector<uint8_t> mem = std::vector<uint8_t>(8192);
  uint64_t now = 0;
  TopInputs in;
  TopOutputs out;

  explicit Master(DramTiming t) : dram(kBusBits, t) {
    for (size_t i = 0; i < mem.size(); ++i) mem[i] = uint8_t(i * 7 + 1);
    dram.add_region({"data", 0x1000, {mem.data(), mem.size()}, true});
  }
  void cycle() {
    dram.drive(in, now);
    dram.sample(in, out, now);
    ++now;
  }
  void read(uint64_t addr, int beats, int id = 1) {
    out.m_arvalid = true;
    out.m_araddr = addr;
    out.m_arlen = uint8_t(beats - 1);
    out.m_arsize = 3;
    out.m_arburst = 1;
    out.m_arid = uint8_t(id);
  }
};

DramTiming timing(int latency, int bpc, int outstanding) {
  DramTiming t;
  t.latency_cycles = latency;
  t.bytes_per_cycle = bpc;
  t.max_outstanding = outstanding;
  t.max_burst_beats = 16;
  return t;
}

TEST(DramModel, FirstBeatAfterLatencyThenOneBeatPerCycle) {
  Master m(timing(10, 8, 4));
  m.read(0x1008, 4);
  m.out.m_rready = true;
  std::vector<uint64_t> beat_cycles;
  std::vector<uint64_t> data;
  for (int c = 0; c < 40; ++c) {
    m.dram.drive(m.in, m.now);
    if (m.in.m_arready && m.out.m_arvalid) {
      m.dram.sample(m.in, m.out, m.now);
      m.out.m_arvalid = false;
    } else {
      if (m.in.m_rvalid) {
        beat_cycles.push_back(m.now);
        data.push_back(uint64_t(m.in.m_rdata[1]) << 32 | m.in.m_rdata[0]);
        EXPECT_EQ(m.in.m_rlast, beat_cycles.size() == 4);
        EXPECT_EQ(m.in.m_rid, 1);
      }
      m.dram.sample(m.in, m.out, m.now);
    }
    ++m.now;
  }
  ASSERT_EQ(beat_cycles.size(), 4u);
  EXPECT_EQ(beat_cycles[0], 10u);
  EXPECT_EQ(beat_cycles[3], 13u);
  for (int b = 0; b < 4; ++b) {
    uint64_t want = 0;
    for (int i = 7; i >= 0; --i) want = want << 8 | m.mem[size_t(8 + b * 8 + i)];
    EXPECT_EQ(data[size_t(b)], want) << "beat " << b;
  }
  EXPECT_EQ(m.dram.traffic().bytes_read[1], 32u);
  EXPECT_TRUE(m.dram.error().empty());
}

TEST(DramModel, ByteRateBelowBusWidthSpacesBeats) {
  Master m(timing(1, 2, 4));  // 2 bytes per cycle on an 8-byte bus: one beat every 4 cycles
  m.read(0x1000, 8);
  m.out.m_rready = true;
  std::vector<uint64_t> beats;
  for (int c = 0; c < 60; ++c) {
    m.dram.drive(m.in, m.now);
    if (m.in.m_rvalid) beats.push_back(m.now);
    m.dram.sample(m.in, m.out, m.now);
    m.out.m_arvalid = false;
    ++m.now;
  }
  ASSERT_EQ(beats.size(), 8u);
  for (size_t i = 1; i < beats.size(); ++i) EXPECT_EQ(beats[i] - beats[i - 1], 4u);
}

TEST(DramModel, OutstandingLimitHoldsArready) {
  Master m(timing(50, 8, 2));
  int accepted = 0;
  for (int c = 0; c < 10; ++c) {
    m.read(0x1000 + 64 * uint64_t(accepted), 1);
    m.dram.drive(m.in, m.now);
    if (m.in.m_arready) ++accepted;
    m.dram.sample(m.in, m.out, m.now);
    ++m.now;
  }
  EXPECT_EQ(accepted, 2);
}

TEST(DramModel, WritesHonourStrobesAndRespondAfterLatency) {
  Master m(timing(5, 8, 2));
  m.out.m_awvalid = true;
  m.out.m_awaddr = 0x1010;
  m.out.m_awlen = 1;
  m.out.m_awsize = 3;
  m.out.m_awburst = 1;
  m.out.m_awid = 3;
  m.out.m_bready = true;
  int beat = 0;
  uint64_t b_cycle = 0;
  const std::vector<uint8_t> before = m.mem;
  for (int c = 0; c < 30; ++c) {
    m.out.m_wvalid = beat < 2;
    m.out.m_wlast = beat == 1;
    m.out.m_wdata.fill(0);
    m.out.m_wdata[0] = 0xaabbccdd;
    m.out.m_wdata[1] = 0x11223344;
    m.out.m_wstrb = beat == 0 ? 0x0f : 0xf0;
    m.dram.drive(m.in, m.now);
    const bool w = m.in.m_wready && m.out.m_wvalid;
    if (m.in.m_bvalid && !b_cycle) {
      b_cycle = m.now;
      EXPECT_EQ(m.in.m_bid, 3);
    }
    m.dram.sample(m.in, m.out, m.now);
    if (m.in.m_awready) m.out.m_awvalid = false;
    if (w) ++beat;
    ++m.now;
  }
  EXPECT_EQ(beat, 2);
  EXPECT_GT(b_cycle, 5u);
  EXPECT_EQ(m.mem[0x10], 0xdd);
  EXPECT_EQ(m.mem[0x13], 0xaa);
  EXPECT_EQ(m.mem[0x14], before[0x14]);  // strobe clear: untouched
  EXPECT_EQ(m.mem[0x18], before[0x18]);
  EXPECT_EQ(m.mem[0x1c], 0x44);
  EXPECT_EQ(m.mem[0x1f], 0x11);
  EXPECT_EQ(m.dram.traffic().bytes_written[3], 8u);
  EXPECT_TRUE(m.dram.error().empty()) << m.dram.error();
  EXPECT_TRUE(m.dram.idle());
}

TEST(DramModel, ReportsOutOfRegionAndPageCrossingBursts) {
  Master a(timing(1, 8, 2));
  a.read(0x1000 + 8192, 1, 2);
  a.cycle();
  EXPECT_NE(a.dram.error().find("outside every mapped region"), std::string::npos) << a.dram.error();
  EXPECT_NE(a.dram.error().find("compute"), std::string::npos) << a.dram.error();

  Master b(timing(1, 8, 2));
  b.read(0x1ff8, 2);
  b.cycle();
  EXPECT_NE(b.dram.error().find("4 KiB"), std::string::npos) << b.dram.error();

  Master c(timing(1, 8, 2));
  c.read(0x1000, 17);
  c.cycle();
  EXPECT_NE(c.dram.error().find("16-beat limit"), std::string::npos) << c.dram.error();
}

}  // namespace
}  // namespace tessera
