// AXI4 burst <-> TLM-2.0 transaction bridge: handshakes per clock, transactions sent by a worker thread.
//
// The per-cycle rules (in-order read data, per-direction byte-rate credit, outstanding limits, write
// response after the last beat) are those of sim/rtl/dram_model.h, so with a memory whose delay is
// the config's dram.latency_cycles the accelerator sees the same bus timing as under RtlSim. The
// difference is where the latency comes from: a burst's data (or write response) becomes available
// at the simulation time its b_transport returned plus the delay it annotated.
#include "sim/systemc/axi_tlm_bridge.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace tessera {
namespace {
constexpr int kBurstIncr = 1;
constexpr int kRespOkay = 0, kRespSlvErr = 2;
constexpr uint64_t kPage = 4096;  // AXI bursts must not cross a 4 KiB boundary

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
}  // namespace

std::string AxiTlmBridge::Burst::what() const {
  return std::string(write ? "write" : "read") + " burst of AXI ID " + std::to_string(id) + " at " + hex(addr) +
         ", " + std::to_string(beats) + " beats";
}

AxiTlmBridge::AxiTlmBridge(int bus_bits, const AxiBridgeLimits& limits) : beat_bytes_(bus_bits / 8), lim_(limits) {
  if (bus_bits % 32 != 0 || bus_bits / 32 > kMaxBusWords)
    throw std::runtime_error("AXI/TLM bridge: unsupported AXI data width " + std::to_string(bus_bits));
  if (lim_.bytes_per_cycle < 1 || lim_.max_outstanding < 1 || lim_.max_burst_beats < 1)
    throw std::runtime_error("AXI/TLM bridge: bytes per cycle, outstanding and burst limits must be >= 1");
  read_credit_ = write_credit_ = beat_bytes_;
}

void AxiTlmBridge::fail(const std::string& msg) {
  if (error_.empty()) error_ = "AXI/TLM bridge: " + msg;
}

AxiTlmBridge::BurstPtr AxiTlmBridge::accept(bool write, uint64_t addr, int len, int size, int burst, int id) {
  auto b = std::make_shared<Burst>();
  b->write = write;
  b->addr = addr & ~uint64_t(beat_bytes_ - 1);
  b->beats = len + 1;
  b->id = id;
  b->data.resize(size_t(b->beats) * beat_bytes_);
  if (write) b->byte_enable.resize(b->data.size());
  std::string bad;
  if (burst != kBurstIncr) bad = "burst type " + std::to_string(burst) + " is not INCR";
  else if ((1 << size) != beat_bytes_) bad = "size " + std::to_string(1 << size) + " bytes is not the bus width";
  else if (b->beats > lim_.max_burst_beats) bad = "longer than the " + std::to_string(lim_.max_burst_beats) + "-beat limit";
  else if (b->addr / kPage != (b->addr + b->data.size() - 1) / kPage) bad = "crosses a 4 KiB boundary";
  if (!bad.empty()) {
    fail(b->what() + ": " + bad);
    b->sent = b->answered = true;  // answered at once with an error, never sent to the memory
    b->ok = false;
  } else if (!write) {
    unsent_.push_back(b);
    work_.notify(sc_core::SC_ZERO_TIME);
  }
  return b;
}

void AxiTlmBridge::drive(TopInputs& in, const sc_core::sc_time& now) {
  in.m_arready = static_cast<int>(reads_.size()) < lim_.max_outstanding;
  in.m_awready = writes_open_ < lim_.max_outstanding;
  // A presented read beat stays valid and stable until taken (AXI rule), so credit is spent on presenting.
  if (!r_presenting_ && !reads_.empty() && available(*reads_.front(), now) && read_credit_ >= beat_bytes_) {
    r_presenting_ = true;
    read_credit_ -= beat_bytes_;
  }
  in.m_rvalid = r_presenting_;
  if (r_presenting_) {
    const Burst& b = *reads_.front();
    std::memcpy(in.m_rdata.data(), &b.data[size_t(b.done) * beat_bytes_], beat_bytes_);
    in.m_rid = static_cast<uint8_t>(b.id);
    in.m_rlast = b.done + 1 == b.beats;
    in.m_rresp = b.ok ? kRespOkay : kRespSlvErr;
  }
  in.m_wready = !writes_.empty() && write_credit_ >= beat_bytes_;
  in.m_bvalid = !responses_.empty() && available(*responses_.front(), now);
  if (in.m_bvalid) {
    in.m_bid = static_cast<uint8_t>(responses_.front()->id);
    in.m_bresp = responses_.front()->ok ? kRespOkay : kRespSlvErr;
  }
}

bool AxiTlmBridge::sample(const TopInputs& in, const TopOutputs& out) {
  bool moved = false;
  if (in.m_arready && out.m_arvalid) {
    reads_.push_back(accept(false, out.m_araddr, out.m_arlen, out.m_arsize, out.m_arburst, out.m_arid));
    moved = true;
  }
  if (in.m_rvalid && out.m_rready) {
    r_presenting_ = false;
    if (++reads_.front()->done == reads_.front()->beats) reads_.pop_front();
    moved = true;
  }
  if (in.m_awready && out.m_awvalid) {
    writes_.push_back(accept(true, out.m_awaddr, out.m_awlen, out.m_awsize, out.m_awburst, out.m_awid));
    ++writes_open_;
    moved = true;
  }
  if (in.m_wready && out.m_wvalid) {
    const BurstPtr b = writes_.front();
    write_credit_ -= beat_bytes_;
    const size_t at = size_t(b->done) * beat_bytes_;
    std::memcpy(&b->data[at], out.m_wdata.data(), beat_bytes_);
    for (int i = 0; i < beat_bytes_; ++i) b->byte_enable[at + i] = (out.m_wstrb >> i & 1) ? 0xff : 0x00;
    const bool last = ++b->done == b->beats;
    if (out.m_wlast != last)
      fail(b->what() + ": WLAST " + (last ? "missing on" : "set before") + " beat " + std::to_string(b->done - 1));
    if (last) {
      writes_.pop_front();
      responses_.push_back(b);
      if (!b->sent) {
        unsent_.push_back(b);
        work_.notify(sc_core::SC_ZERO_TIME);
      }
    }
    moved = true;
  }
  if (in.m_bvalid && out.m_bready) {
    responses_.pop_front();
    --writes_open_;
    moved = true;
  }
  const int64_t cap = std::max(beat_bytes_, lim_.bytes_per_cycle);
  read_credit_ = std::min<int64_t>(read_credit_ + lim_.bytes_per_cycle, cap);
  write_credit_ = std::min<int64_t>(write_credit_ + lim_.bytes_per_cycle, cap);
  return moved;
}

void AxiTlmBridge::serve(tlm::tlm_fw_transport_if<>& target) {
  const BurstPtr b = unsent_.front();  // keeps the data buffer alive while the memory works on it
  unsent_.pop_front();
  b->sent = true;
  const bool masked = b->write && std::any_of(b->byte_enable.begin(), b->byte_enable.end(), [](uint8_t e) { return !e; });
  trans_.set_command(b->write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  trans_.set_address(b->addr);
  trans_.set_data_ptr(b->data.data());
  trans_.set_data_length(static_cast<unsigned>(b->data.size()));
  trans_.set_streaming_width(static_cast<unsigned>(b->data.size()));
  trans_.set_byte_enable_ptr(masked ? b->byte_enable.data() : nullptr);
  trans_.set_byte_enable_length(masked ? static_cast<unsigned>(b->byte_enable.size()) : 0);
  trans_.set_dmi_allowed(false);
  trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  target.b_transport(trans_, delay);  // may wait(): that time passes for this burst, the clock keeps running
  ++transactions_;
  b->ready = sc_core::sc_time_stamp() + delay;
  b->answered = true;
  if (trans_.is_response_error()) {
    b->ok = false;
    fail(b->what() + ": the memory answered " + trans_.get_response_string());
  }
}

std::string AxiTlmBridge::describe_pending() const {
  std::string s;
  for (const auto& b : reads_)
    s += "  " + b->what() + ": " + (b->answered ? "" : "transaction not answered yet, ") + std::to_string(b->done) +
         " beats returned\n";
  for (const auto& b : writes_) s += "  " + b->what() + ": " + std::to_string(b->done) + " beats received\n";
  for (const auto& b : responses_)
    s += "  " + b->what() + ": " + (b->answered ? "response not yet taken" : "transaction not answered yet") + "\n";
  return s;
}

}  // namespace tessera
