// A TLM-2.0 memory target: byte-addressed regions backed by host vectors, with a fixed access latency.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "isa/program.h"

namespace tessera {

class TlmMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<TlmMemory> socket;

  // `latency` is annotated on every transaction (loosely-timed style: b_transport never waits).
  TlmMemory(sc_core::sc_module_name name, const sc_core::sc_time& latency);

  // Maps `size` zeroed bytes at `base`; the returned buffer stays valid for the memory's lifetime.
  // Throws std::invalid_argument when the window overlaps a region already mapped.
  std::vector<uint8_t>& add_region(const std::string& name, uint64_t base, uint64_t size);
  // Maps host memory the caller owns at `base`: the window is whatever the returned span is set to
  // (empty at first), so a caller can map device memory it commits lazily without copying it.
  DramSpan& add_external_region(const std::string& name, uint64_t base);

  uint64_t reads() const { return reads_; }    // transactions served, per command
  uint64_t writes() const { return writes_; }

 private:
  struct Region {
    std::string name;
    uint64_t base = 0;
    std::vector<uint8_t> bytes;
    bool external = false;
    DramSpan ext;
    uint8_t* data() { return external ? ext.data() : bytes.data(); }
    uint64_t size() const { return external ? ext.size() : bytes.size(); }
  };
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  Region* find(uint64_t addr, uint64_t len);

  sc_core::sc_time latency_;
  std::deque<Region> regions_;  // deque: add_region's references stay valid
  uint64_t reads_ = 0, writes_ = 0;
};

}  // namespace tessera
