// A host CPU model for TesseraTlm: register accesses through a TLM initiator and the run sequence of a driver.
#pragma once

#include <array>
#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "isa/config.h"
#include "sim/systemc/tessera_tlm.h"

namespace tessera {

struct TlmRunRequest {
  uint64_t insn_addr = 0;   // device byte address of the first encoded instruction
  uint32_t insn_count = 0;
  uint64_t data_addr = 0;   // device byte address of dram_base 0
  sc_core::sc_time timeout = sc_core::sc_time(1, sc_core::SC_SEC);  // simulated time to wait for the interrupt
};

struct TlmRunStats {
  uint64_t cycles = 0;                       // hardware CYCLES counter: ap_start to ap_done
  std::array<uint32_t, 3> busy{}, stall{};   // per unit (load, compute, store), hardware counters
  uint32_t gemm_uops = 0, alu_uops = 0;
  sc_core::sc_time elapsed;                  // simulated time from the first register access to the last
};

class TlmHost : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TlmHost> bus;  // bind to TesseraTlm::ctrl
  sc_core::sc_in<bool> irq;                         // bind to the signal TesseraTlm::irq drives

  TlmHost(sc_core::sc_module_name name, const DerivedConfig& cfg);

  // Raw 32-bit access; returns the TLM response status. Call from an SC_THREAD.
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t offset, uint32_t& value);
  // Accesses that throw TlmError naming the register offset and the response on anything but OK.
  uint32_t read(uint64_t offset);
  void write(uint64_t offset, uint32_t value);

  // Checks CONFIG_HASH, programs the kernel arguments, enables the done interrupt, sets ap_start,
  // waits for the interrupt, acknowledges it and reads the counters. Throws TlmError on a hash
  // mismatch, a failed access or no interrupt within the timeout. Call from an SC_THREAD.
  TlmRunStats run(const TlmRunRequest& req);

 private:
  DerivedConfig cfg_;
};

}  // namespace tessera
