// The narrow, config-independent interface between the harness and one verilated tessera_top.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tessera {

// Widest AXI data bus the harness supports, in 32-bit words (512 bits, so a write strobe fits 64 bits).
constexpr int kMaxBusWords = 16;
using BusWords = std::array<uint32_t, kMaxBusWords>;

// Every input of tessera_top for one clock cycle, as the harness drives it.
struct TopInputs {
  bool rst_n = false;
  // AXI4-Lite control slave
  uint32_t awaddr = 0, wdata = 0, araddr = 0;
  uint8_t wstrb = 0;
  bool awvalid = false, wvalid = false, bready = false, arvalid = false, rready = false;
  // AXI4 master (DRAM side)
  bool m_arready = false, m_rvalid = false, m_rlast = false, m_awready = false, m_wready = false,
       m_bvalid = false;
  uint8_t m_rresp = 0, m_rid = 0, m_bresp = 0, m_bid = 0;
  BusWords m_rdata{};
};

// Every output of tessera_top, sampled after the inputs settled and before the rising edge.
struct TopOutputs {
  bool awready = false, wready = false, bvalid = false, arready = false, rvalid = false;
  uint8_t bresp = 0, rresp = 0;
  uint32_t rdata = 0;
  bool m_arvalid = false, m_rready = false, m_awvalid = false, m_wvalid = false, m_wlast = false,
       m_bready = false;
  uint64_t m_araddr = 0, m_awaddr = 0;
  uint8_t m_arlen = 0, m_arsize = 0, m_arburst = 0, m_arid = 0;
  uint8_t m_awlen = 0, m_awsize = 0, m_awburst = 0, m_awid = 0;
  BusWords m_wdata{};
  uint64_t m_wstrb = 0;
  bool interrupt = false;
  uint8_t obs_busy = 0, obs_stall = 0, obs_retire = 0;
  std::array<uint32_t, 3> obs_retire_idx{};
  uint16_t obs_wait = 0;
  uint32_t obs_tokens = 0;
};

// Which part of a run a waveform keeps. Cycles are the model's clock cycles since it was built (reset
// and register accesses included: the time in the file is 2 x cycle, RtlSim's sim_cycles and the cycle
// a WatchdogError names). [from, to] keeps those cycles; last > 0 keeps only the last `last` cycles
// before the file is completed (at a failure, a deadlock or the end of the run; FST builds). `scope`
// keeps one instance and everything below it, named from tessera_top ("u_compute", "u_load.u_inp_sram");
// empty = the whole design.
struct WaveOptions {
  uint64_t from = 0, to = UINT64_MAX;
  uint64_t last = 0;
  std::string scope;
  bool windowed() const { return from != 0 || to != UINT64_MAX || last != 0 || !scope.empty(); }
};

// A waveform file as written: where, how big, which cycles it holds.
struct WaveFile {
  std::string path;
  uint64_t bytes = 0;
  uint64_t first_cycle = 0, last_cycle = 0;  // both 0 when no cycle fell in the window
  bool empty = true;                         // no cycle was recorded
};
// "w.fst: 1.2 MiB, cycles 100..300 (scope u_compute)"; one line per file.
std::string describe_waves(const std::vector<WaveFile>& files, const WaveOptions& w = {});

// Read-only view of one SRAM's storage array (`mem_q`, public_flat_rd) inside the model.
struct SramView {
  const uint8_t* data = nullptr;  // element i starts at data + i * stride, bits packed LSB first
  int64_t depth = 0;
  int64_t stride = 0;  // bytes per stored element (Verilator rounds the width up)
  int bits = 0;        // declared element width
};

class RtlModel {
 public:
  virtual ~RtlModel() = default;
  // One clock cycle: apply inputs, settle, sample outputs, then the rising edge.
  virtual void cycle(const TopInputs& in, TopOutputs& out) = 0;
  virtual int data_bits() const = 0;  // AXI data width the model was built with
  // Waveforms of the cycles that follow: a VCD and/or an FST file (an empty path = none). Throws
  // std::runtime_error when the model was built without a format that can give the requested file.
  // `w` selects a cycle window and a scope (WaveOptions); throws std::runtime_error for a window or
  // scope the build cannot give.
  virtual void open_waves(const std::string& vcd_path, const std::string& fst_path, const WaveOptions& w = {}) = 0;
  // Completes the files (an FST model converts its FST into the requested VCD here, and cuts the
  // `last` window out of its segments) and says what it wrote; throws std::runtime_error naming the
  // file when that fails, or when the scope matched no signal.
  virtual std::vector<WaveFile> close_waves() = 0;
  // `path` is the hierarchical instance path below the top, e.g. "u_load.u_inp_sram.mem_q".
  // Throws std::runtime_error naming the path when the model has no such public array.
  virtual SramView sram(const std::string& path) const = 0;
};

// A built model: the config it was verilated for and how to construct it.
struct RtlModelEntry {
  const char* config_name;
  const char* config_json;  // text of configs/<name>.json the model was built from
  std::unique_ptr<RtlModel> (*make)();
};

// The models built into this binary (generated rtl_models.cc); for wrappers that drive a model directly.
const std::vector<RtlModelEntry>& rtl_model_entries();

}  // namespace tessera
