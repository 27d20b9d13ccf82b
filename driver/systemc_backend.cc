// The SystemC/TLM-2.0 model (sim/systemc: TesseraTlm, TlmHost, TlmMemory) as a driver backend: one live simulation per backend.
//
// SystemC elaborates once per kernel context, so the backend builds its platform (host, accelerator,
// a byte-counting pass-through, memory) once in a context of its own and keeps it: every execute()
// (one per accelerator segment of a network) swaps the device DRAM into the memory model's data
// region, writes the encoded segment into its instruction region, wakes the host thread and calls
// sc_start(); the host thread runs TlmHost::run (registers, ap_start, interrupt, counters) and calls
// sc_pause(), so sc_start() returns with the clock stopped until the next segment. Simulated time and
// the RTL's SRAM contents carry over from segment to segment, as on the device.
//
// A deadlock (the model's watchdog), a bus error or the cycle limit ends that simulation with an
// error naming the cause; the next execute() builds a fresh platform. Waveforms (vcd/fst) span the
// whole simulation and are completed when the simulation ends (the backend is destroyed, or options
// with other waveform paths arrive); the unit-activity trace of the rtl backend is not available here.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "driver/backends.h"
#include "sim/systemc/tessera_tlm.h"
#include "sim/systemc/tlm_host.h"
#include "sim/systemc/tlm_memory.h"

// libsystemc supplies main() calling sc_main(); programs linking the driver have a main() of their own,
// so they get this stand-in (a program with a real sc_main, e.g. tessera_systemc_demo, overrides it).
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 1; }

namespace tessera {
namespace {

constexpr uint64_t kInsnAddr = 0x1'0000'0000ull;  // RtlSim's default addresses (RtlOptions)
constexpr uint64_t kDataAddr = 0x2'0000'0000ull;
constexpr uint64_t kDefaultMaxCycles = 2'000'000'000;  // RtlOptions::max_cycles' default

// Passes every transaction of the accelerator's DRAM port through unchanged and counts the bytes of
// those to the data region (RtlSim's bytes_read/bytes_written: whole bursts, instruction fetch excluded).
class ByteCounter : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ByteCounter> in;
  tlm_utils::simple_initiator_socket<ByteCounter> out;
  uint64_t bytes_read = 0, bytes_written = 0;

  explicit ByteCounter(sc_core::sc_module_name name) : sc_module(name), in("in"), out("out") {
    in.register_b_transport(this, &ByteCounter::b_transport);
  }

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    out->b_transport(t, delay);
    if (t.get_response_status() != tlm::TLM_OK_RESPONSE || t.get_address() < kDataAddr) return;
    if (t.is_read()) bytes_read += t.get_data_length();
    if (t.is_write()) bytes_written += t.get_data_length();
  }
};

// Host, accelerator and memory of one simulation, and the host thread that runs one segment per wake-up.
class Platform : public sc_core::sc_module {
 public:
  TesseraTlm accel;
  ByteCounter counter;
  TlmMemory memory;
  TlmHost host;
  sc_core::sc_signal<bool> irq;
  // Regions of `memory`, sized per segment (TlmMemory decodes against their current size).
  std::vector<uint8_t>& insns;
  DramSpan& data;  // the device memory while a segment runs (mapped, not copied), empty between segments

  // The segment handed to the host thread and what came back.
  TlmRunRequest request;
  bool pending = false, finished = false;
  TlmRunStats stats;
  std::string host_error;
  sc_core::sc_event go;

  // The memory annotates the config's dram.latency_cycles per transaction: RtlSim's timing (docs/systemc.md).
  Platform(sc_core::sc_module_name name, const DerivedConfig& cfg, const TlmOptions& opt)
      : sc_module(name),
        accel("accel", cfg, opt),
        counter("counter"),
        memory("memory", TesseraTlm::clock_period(cfg) * cfg.hw.dram_latency_cycles),
        host("host", cfg),
        irq("irq"),
        insns(memory.add_region("instructions", kInsnAddr, 0)),
        data(memory.add_external_region("data", kDataAddr)) {
    accel.mem.bind(counter.in);
    counter.out.bind(memory.socket);
    host.bus.bind(accel.ctrl);
    accel.irq(irq);
    host.irq(irq);
    SC_HAS_PROCESS(Platform);
    SC_THREAD(host_thread);
  }

 private:
  void host_thread() {
    for (;;) {
      while (!pending) wait(go);
      pending = false;
      try {
        stats = host.run(request);
        finished = true;
      } catch (const TlmError& e) {
        host_error = e.what();
      }
      sc_core::sc_pause();
    }
  }
};

uint64_t whole_beats(const DerivedConfig& cfg, uint64_t bytes) {
  const uint64_t beat = uint64_t(cfg.hw.dram_bus_bits / 8);
  return (bytes + beat - 1) / beat * beat;
}

class SystemcBackend : public Backend {
 public:
  explicit SystemcBackend(const DerivedConfig& cfg) : cfg_(cfg), codec_(cfg.layout) {
    build({});  // fails here, naming the config, when this binary has no RTL model for it
  }
  ~SystemcBackend() override { finish(); }
  std::string name() const override { return "systemc"; }

  RunReport execute(const std::vector<Insn>& program, DeviceMemory& dram, const RunOptions& opt) override {
    if (!opt.trace_path.empty())
      throw std::runtime_error("systemc backend: the unit-activity trace (--trace) is not available on the TLM model; "
                               "use --backend rtl for it");
    if (program.empty()) throw std::runtime_error("systemc backend: the program segment has no instructions");
    if (!plat_ || dead_ || opt.vcd_path != vcd_ || opt.fst_path != fst_ || !same_waves(opt.waves)) build(opt);
    activate();
    Platform& p = *plat_;
    encode(program, p.insns);
    const uint64_t max_cycles = opt.max_cycles ? opt.max_cycles : kDefaultMaxCycles;
    p.request = {kInsnAddr, uint32_t(program.size()), kDataAddr, TesseraTlm::clock_period(cfg_) * double(max_cycles)};
    p.pending = true, p.finished = false, p.host_error.clear();
    p.counter.bytes_read = p.counter.bytes_written = 0;
    const uint64_t cycle0 = p.accel.cycles();

    // The device DRAM is the data region while the segment runs (mapped, not copied), in whole beats:
    // DeviceMemory maps whole pages, so the padding up to the next beat is zeroed memory it owns.
    p.data = DramSpan{dram.data(), whole_beats(cfg_, dram.size())};
    const auto t0 = std::chrono::steady_clock::now();
    std::string failure;
    try {
      if (sc_core::sc_get_status() == sc_core::SC_PAUSED) p.go.notify(sc_core::SC_ZERO_TIME);
      sc_core::sc_start();  // returns at the host thread's sc_pause(), or at sc_stop() on an error
    } catch (const std::exception& e) {
      failure = std::string("SystemC error: ") + e.what();
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    p.data = DramSpan{};

    if (failure.empty() && !p.accel.error().empty()) failure = p.accel.error();
    if (failure.empty() && !p.finished) {
      const uint64_t ran = p.accel.cycles() - cycle0;
      failure = ran >= max_cycles ? "the program did not finish within " + std::to_string(max_cycles) +
                                        " cycles of ap_start (the limit, --max-cycles); " + p.host_error
                                  : (p.host_error.empty() ? "the simulation ended before the program finished"
                                                          : p.host_error);
    }
    if (!failure.empty()) {
      dead_ = true;  // the model is stopped or still running that program: the next segment gets a new one
      throw std::runtime_error("systemc backend: " + failure);
    }

    RunReport r;
    r.backend = name();
    r.wall_seconds = wall;
    r.cycles = p.stats.cycles;
    for (int u = 0; u < kNumUnits; ++u) r.busy[u] = p.stats.busy[u], r.stall[u] = p.stats.stall[u];
    for (const Insn& i : program) ++r.insns[int(route(i))];  // ap_done: every instruction retired
    const auto& c = cfg_.hw;
    r.gemm_uops = p.stats.gemm_uops;
    r.alu_uops = p.stats.alu_uops;
    r.macs = r.gemm_uops * uint64_t(c.batch) * c.block_in * c.block_out;
    r.bytes_read = p.counter.bytes_read;
    r.bytes_written = p.counter.bytes_written;
    return r;
  }

 private:
  // A fresh kernel context and platform; the previous simulation is ended first.
  void build(const RunOptions& opt) {
    finish();
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // no banner in the CLI's output (unless asked for)
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // "stopped by user"
    // The context is leaked on purpose: its processes refer to the platform, freeing it is unsafe.
    ctx_ = new sc_core::sc_simcontext();
    activate();
    TlmOptions o;
    o.vcd_path = vcd_ = opt.vcd_path;
    o.fst_path = fst_ = opt.fst_path;
    o.waves = waves_ = opt.waves;
    try {
      plat_ = std::make_unique<Platform>("tessera", cfg_, o);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("systemc backend: ") + e.what());
    }
    dead_ = false;
  }

  // Ends the live simulation (completing its waveforms) and destroys the platform.
  void finish() noexcept {
    if (!plat_) return;
    activate();
    try {
      if (sc_core::sc_get_status() == sc_core::SC_PAUSED) sc_core::sc_stop();
    } catch (const std::exception&) {
    }
    plat_.reset();
  }

  void activate() const {
    sc_core::sc_curr_simcontext = ctx_;
    sc_core::sc_default_global_context = ctx_;
  }

  // The encoded segment, whole bus beats (the accelerator fetches beats; the padding reads as zero).
  void encode(const std::vector<Insn>& program, std::vector<uint8_t>& out) const {
    const size_t n = size_t(codec_.insn_bytes());
    out.assign(whole_beats(cfg_, program.size() * n), 0);
    for (size_t i = 0; i < program.size(); ++i) {
      try {
        codec_.encode_bytes(program[i], &out[i * n]);
      } catch (const EncodeError& e) {
        throw std::runtime_error("systemc backend: instruction " + std::to_string(i) + " does not encode: " + e.what());
      }
    }
  }

  DerivedConfig cfg_;
  IsaCodec codec_;
  sc_core::sc_simcontext* ctx_ = nullptr;
  std::unique_ptr<Platform> plat_;
  bool same_waves(const WaveOptions& w) const {
    return w.from == waves_.from && w.to == waves_.to && w.last == waves_.last && w.scope == waves_.scope;
  }

  std::string vcd_, fst_;  // the waveform paths the live platform writes
  WaveOptions waves_;      // and their window
  bool dead_ = false;
};

}  // namespace

std::unique_ptr<Backend> make_systemc_backend(const DerivedConfig& cfg) {
  return std::make_unique<SystemcBackend>(cfg);
}

}  // namespace tessera
