// AXI4 slave model of the DRAM behind tessera's master port: latency, bandwidth and outstanding limits.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "isa/program.h"
#include "sim/rtl/model.h"

namespace tessera {

struct DramTiming {
  int latency_cycles = 1;   // address handshake to first read beat, and last write beat to response
  int bytes_per_cycle = 1;  // sustained data rate per direction (read and write channels are independent)
  int max_outstanding = 1;  // bursts in flight per direction
  int max_burst_beats = 1;  // longest legal burst
};

// A window of the device address space backed by host memory.
struct DramRegion {
  std::string name;
  uint64_t base = 0;
  DramSpan bytes;  // host memory of the window (a lazily committed DeviceMemory, or a vector's bytes)
  bool writable = false;
};

// Bus activity per AXI ID (0 fetch, 1 load, 2 compute, 3 store).
struct DramTraffic {
  std::array<uint64_t, 4> bytes_read{}, bytes_written{}, read_bursts{}, write_bursts{};
};

class DramModel {
 public:
  DramModel(int bus_bits, const DramTiming& timing);
  void add_region(const DramRegion& r) { regions_.push_back(r); }

  // Drives the slave side of the bus for the coming cycle from the model's state.
  void drive(TopInputs& in, uint64_t now);
  // Completes the handshakes of the cycle whose outputs were sampled; returns true if anything moved.
  bool sample(const TopInputs& in, const TopOutputs& out, uint64_t now);

  bool idle() const { return reads_.empty() && writes_.empty() && responses_.empty(); }
  // The first protocol or address violation seen, empty while the master behaves.
  const std::string& error() const { return error_; }
  // One line per burst still in flight, for deadlock reports.
  std::string describe_pending() const;
  const DramTraffic& traffic() const { return traffic_; }

 private:
  struct Burst {
    uint64_t addr = 0;  // beat-aligned address of beat 0
    int beats = 0, done = 0, id = 0;
    uint64_t ready_at = 0;
    bool ok = true;
  };
  struct Response {
    int id = 0;
    uint64_t at = 0;
    bool ok = true;
  };

  bool check_burst(const char* dir, uint64_t addr, int len, int size, int burst, int id, bool write);
  DramRegion* region_of(uint64_t addr, uint64_t bytes);
  void read_beat(const Burst& b, BusWords& w);
  bool write_beat(const Burst& b, const BusWords& w, uint64_t strobe);
  void fail(const std::string& msg);

  int beat_bytes_;
  DramTiming t_;
  std::vector<DramRegion> regions_;
  std::deque<Burst> reads_, writes_;
  std::deque<Response> responses_;
  int writes_open_ = 0;       // write bursts accepted whose response has not been taken
  int64_t read_credit_ = 0, write_credit_ = 0;
  bool r_presenting_ = false;
  std::string error_;
  DramTraffic traffic_;
};

}  // namespace tessera
