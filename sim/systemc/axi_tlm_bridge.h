// AXI4 slave for tessera's DRAM master port that turns every burst into one TLM-2.0 transaction.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "sim/rtl/model.h"

namespace tessera {

// The bridge's own port limits; the memory's latency is whatever delay its b_transport takes or annotates.
struct AxiBridgeLimits {
  int bytes_per_cycle = 1;  // data rate per direction (read and write channels are independent)
  int max_outstanding = 1;  // bursts in flight per direction
  int max_burst_beats = 1;  // longest legal burst
};

class AxiTlmBridge {
 public:
  AxiTlmBridge(int bus_bits, const AxiBridgeLimits& limits);

  // Drives the slave side of the bus for the cycle starting at `now`.
  void drive(TopInputs& in, const sc_core::sc_time& now);
  // Completes the handshakes of the cycle whose outputs were sampled; true if anything moved.
  bool sample(const TopInputs& in, const TopOutputs& out);

  // Bursts whose transaction has not been sent yet; serve() sends the oldest one through `target`.
  bool has_work() const { return !unsent_.empty(); }
  const sc_core::sc_event& work_event() const { return work_; }
  void serve(tlm::tlm_fw_transport_if<>& target);

  // The first protocol violation or failed transaction, empty while all is well.
  const std::string& error() const { return error_; }
  // One line per burst still in flight, for deadlock reports.
  std::string describe_pending() const;
  uint64_t transactions() const { return transactions_; }

 private:
  struct Burst {
    bool write = false;
    uint64_t addr = 0;  // beat-aligned address of beat 0
    int beats = 0, done = 0, id = 0;
    std::vector<uint8_t> data, byte_enable;  // byte_enable: 0xff per written byte (writes only)
    bool sent = false, answered = false, ok = true;
    sc_core::sc_time ready;  // valid once answered: when the data (read) or response (write) is available
    std::string what() const;
  };
  using BurstPtr = std::shared_ptr<Burst>;

  BurstPtr accept(bool write, uint64_t addr, int len, int size, int burst, int id);
  bool available(const Burst& b, const sc_core::sc_time& now) const { return b.answered && b.ready <= now; }
  void fail(const std::string& msg);

  int beat_bytes_;
  AxiBridgeLimits lim_;
  std::deque<BurstPtr> reads_;      // accepted read bursts, answered in acceptance order
  std::deque<BurstPtr> writes_;     // accepted write bursts still receiving data
  std::deque<BurstPtr> responses_;  // write bursts whose last beat arrived, in completion order
  std::deque<BurstPtr> unsent_;     // transactions for the worker thread
  int writes_open_ = 0;             // write bursts accepted whose response has not been taken
  int64_t read_credit_ = 0, write_credit_ = 0;
  bool r_presenting_ = false;
  sc_core::sc_event work_;
  tlm::tlm_generic_payload trans_;
  std::string error_;
  uint64_t transactions_ = 0;
};

}  // namespace tessera
