// SystemC/TLM-2.0 model of the tessera accelerator: the verilated tessera_top of sim/rtl behind TLM sockets.
//
// TesseraTlm owns its clock (period = 1 / the config's clock_mhz) and clocks one RtlModel per rising
// edge. `ctrl` (target) is the AXI4-Lite register map of hw/regs.def: each b_transport is one real
// AXI4-Lite access on the model, so it returns after the cycles that takes. `mem` (initiator) carries
// the accelerator's DRAM traffic, one transaction per AXI burst; a burst's data (or write response)
// reaches the accelerator at the time its b_transport returned plus the annotated delay, rounded up to
// the next clock edge. `irq` follows the hardware's interrupt line (ap_done with GIE/IER set).
//
// While a program runs (an ap_start was written and fewer instructions than INSN_COUNT have retired)
// a watchdog declares a deadlock after `watchdog_cycles` without a retire, an executing unit or a bus
// beat; deadlocks and bus errors set error(), notify error_event() and, by default, call sc_stop(),
// so sc_start() returns instead of hanging.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "isa/config.h"
#include "sim/rtl/model.h"
#include "sim/systemc/axi_tlm_bridge.h"

namespace tessera {

// Construction failures: no model built for the config, unusable options.
class TlmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TlmOptions {
  // DRAM port limits; a value <= 0 takes the config's dram.* figure.
  int bytes_per_cycle = 0, max_outstanding = 0;
  uint64_t watchdog_cycles = 200'000;  // cycles without progress while a program runs
  bool stop_on_error = true;           // sc_stop() on a deadlock or a bus error
  // Waveforms of the whole simulation, completed at the end of simulation (sc_stop); empty = none.
  // Time in the files counts half clock cycles, as in RtlSim's.
  std::string vcd_path, fst_path;
  WaveOptions waves;  // cycle window and scope (sim/rtl/model.h); cycles count from the model's reset
};

class TesseraTlm : public sc_core::sc_module {
 public:
  sc_core::sc_clock clk;
  tlm_utils::simple_target_socket<TesseraTlm> ctrl;    // AXI4-Lite control registers (offsets of hw/regs.def)
  tlm_utils::simple_initiator_socket<TesseraTlm> mem;  // DRAM: one transaction per AXI burst
  sc_core::sc_out<bool> irq;                           // the interrupt line

  // Throws TlmError when this binary has no RTL model for `cfg` (matched by config hash).
  TesseraTlm(sc_core::sc_module_name name, const DerivedConfig& cfg, const TlmOptions& opt = {});
  ~TesseraTlm() override;

  static sc_core::sc_time clock_period(const DerivedConfig& cfg);
  const DerivedConfig& config() const { return cfg_; }
  uint64_t cycles() const { return cycle_; }  // rising edges clocked so far, reset included
  uint64_t mem_transactions() const { return bridge_.transactions(); }
  // The deadlock report or bus error that stopped the model; empty while all is well.
  const std::string& error() const { return error_; }
  const sc_core::sc_event& error_event() const { return error_event_; }

 private:
  struct HostAccess {
    bool active = false, write = false, ok = true;
    uint32_t offset = 0, data = 0;
    uint8_t strobe = 0;
  };

  void end_of_simulation() override;
  void on_clock();
  void host_handshakes(const TopInputs& sent);
  void dram_worker();
  void ctrl_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  bool ctrl_dmi(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);
  void fail(const std::string& headline);
  std::string report(const std::string& headline) const;

  DerivedConfig cfg_;
  TlmOptions opt_;
  std::unique_ptr<RtlModel> model_;
  AxiTlmBridge bridge_;
  TopInputs in_;
  TopOutputs out_;
  uint64_t cycle_ = 0, last_progress_ = 0;
  // Watchdog bookkeeping, from the host's register writes and the retire observation ports.
  uint32_t insn_count_ = 0;
  uint64_t expected_retires_ = 0, retired_ = 0;
  std::array<uint64_t, 3> unit_retired_{};
  std::array<int64_t, 3> unit_last_index_{{-1, -1, -1}};
  HostAccess host_;
  sc_core::sc_mutex host_lock_;
  sc_core::sc_event host_done_, error_event_;
  std::string error_;
};

}  // namespace tessera
