// Verilator RTL backend: runs a program on the cycle-accurate model built for one config.
//
// One binary serves every config whose model was built (CMake: tessera_rtl_model(<cfg>), library
// tessera_rtl). make_rtl_sim() picks the model by config hash. run() behaves like Fsim::run(): the
// harness places the encoded program at RtlOptions::insn_addr, maps `dram` at data_addr, programs the
// control registers like a host driver, waits for done and reads the hardware counters. Every run
// starts from a freshly constructed model (SRAMs zero, as in the fsim); peek() sees the last run's state.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"
#include "sim/rtl/dram_model.h"

namespace tessera {

// Harness-level failures: no model for a config, bus protocol/address violations, a done without all
// instructions retired, a config hash mismatch. The message says what happened and where.
class RtlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Nothing retired, no unit executed and no DRAM beat moved for RtlOptions::watchdog_cycles, or the
// cycle limit passed. The message names each unit's state, the token queue it waits on, the program
// index it is stuck at, every token count and the bursts in flight.
class WatchdogError : public RtlError {
 public:
  WatchdogError(const std::string& msg, uint64_t cycle) : RtlError(msg), cycle(cycle) {}
  uint64_t cycle;
};

struct RtlOptions {
  // Waveforms of the run (also of a run that fails), of the cycles and scope `waves` selects; empty =
  // none. Both may be given at once.
  // The default build (TESSERA_RTL_TRACE=FST) writes FST and converts it to VCD after the run;
  // TESSERA_RTL_TRACE=VCD gives VCD only, OFF neither (RtlError says how to rebuild).
  std::string vcd_path;
  std::string fst_path;
  std::string trace_path;  // Perfetto / Chrome trace-event JSON of unit activity; empty = none
  WaveOptions waves;       // cycle window and scope of the waveforms (model.h)
  uint64_t max_cycles = 2'000'000'000;  // hard limit on simulated cycles
  uint64_t watchdog_cycles = 200'000;   // cycles without progress before declaring a deadlock
  // DRAM model; a value <= 0 takes the config's dram.* figure.
  int dram_latency_cycles = 0, dram_bytes_per_cycle = 0, dram_max_outstanding = 0;
  uint64_t insn_addr = 0x1'0000'0000ull;  // where the harness places the encoded instructions
  uint64_t data_addr = 0x2'0000'0000ull;  // device address of dram[0] (DATA_ADDR)
  bool poll = false;  // wait for done by polling CTRL instead of taking the interrupt
};

struct RtlUnitStats {
  uint64_t busy = 0, stall = 0;  // hardware counters
  uint64_t insns = 0;            // retired, counted on the observation ports
};

struct RtlStats {
  uint64_t cycles = 0;      // hardware CYCLES counter: ap_start to ap_done
  uint64_t sim_cycles = 0;  // cycles the harness clocked, including reset and register accesses
  std::array<RtlUnitStats, kNumUnits> units{};  // indexed by Unit
  uint64_t gemm_uops = 0, alu_uops = 0;         // hardware counters
  double gemm_utilization = 0;                  // gemm_uops / cycles
  uint64_t bytes_read = 0, bytes_written = 0;   // DRAM data traffic (load, compute, store IDs), whole beats
  uint64_t bytes_fetched = 0;                   // instruction fetch traffic (ID 0)
  DramTraffic traffic;                          // per AXI ID (0 fetch, 1 load, 2 compute, 3 store)
  std::array<uint32_t, 4> final_tokens{};       // token counts at the end (l2g, g2l, g2s, s2g)
  double wall_seconds = 0;
  std::vector<WaveFile> waves;  // the waveform files written, their sizes and cycles
};

class RtlSim;

// Called as the RTL retires instructions (after the clock edge of the retire cycle), in retire order;
// instructions retiring in the same cycle are reported load, compute, store.
class RtlObserver {
 public:
  virtual ~RtlObserver() = default;
  virtual void on_retire(uint64_t cycle, Unit unit, int64_t index, const RtlSim& sim) = 0;
};

class RtlSim {
 public:
  virtual ~RtlSim() = default;
  virtual const DerivedConfig& config() const = 0;
  // Throws RtlError (bus, protocol, retire-order and hash problems) and WatchdogError.
  virtual RtlStats run(const std::vector<Insn>& program, DramSpan dram, const RtlOptions& opt = {},
                       RtlObserver* obs = nullptr) = 0;
  RtlStats run(const std::vector<Insn>& program, std::vector<uint8_t>& dram, const RtlOptions& opt = {},
               RtlObserver* obs = nullptr) {
    return run(program, DramSpan{dram.data(), dram.size()}, opt, obs);
  }
  // Element `index` of the SRAM whose storage array is at `path` below tessera_top (e.g.
  // "u_load.u_inp_sram.mem_q"), as little-endian bytes of its declared width; a banked SRAM (ACC/OUT
  // halves, the input SRAM's one or R interleaved banks) reads as one array. Throws RtlError.
  virtual std::vector<uint8_t> peek(const std::string& path, int64_t index) const = 0;
};

// The model built for `cfg` (matched by config hash). Throws RtlError naming the config and how to
// build its model when this binary has none.
std::unique_ptr<RtlSim> make_rtl_sim(const DerivedConfig& cfg);
// Names of the configs this binary has models for.
std::vector<std::string> built_rtl_configs();

}  // namespace tessera
