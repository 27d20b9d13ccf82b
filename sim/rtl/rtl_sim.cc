// The RTL backend: host driver model, run loop, retire checks, watchdog and hardware counters.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

#include "isa/regs.h"
#include "sim/rtl/model.h"
#include "sim/rtl/rtl_backend.h"
#include "sim/rtl/trace_writer.h"

namespace tessera {
namespace {

namespace reg = regmap;
namespace bit = regmap::bit;

const char* kQueueNames[] = {"l2g", "g2l", "g2s", "s2g"};
constexpr int kResetCycles = 8;
constexpr int kPollGapCycles = 16;

std::string describe(const Insn& insn) {
  const OpcodeInfo* op = find_opcode(insn[Field::OPCODE]);
  std::string s = op ? op->name : "opcode " + std::to_string(insn[Field::OPCODE]);
  if (op && op->format == Format::MEM) {
    const char* m = mem_type_name(static_cast<int>(insn[Field::MEMORY_TYPE]));
    s += std::string(" ") + (m ? m : "?");
  }
  return s;
}

class RtlSimImpl final : public RtlSim {
 public:
  RtlSimImpl(const DerivedConfig& cfg, std::unique_ptr<RtlModel> (*make)()) : cfg_(cfg), make_(make), m_(make()) {}
  const DerivedConfig& config() const override { return cfg_; }
  using RtlSim::run;
  RtlStats run(const std::vector<Insn>& program, DramSpan dram, const RtlOptions& opt,
               RtlObserver* obs) override;
  std::vector<uint8_t> peek(const std::string& path, int64_t index) const override;

 private:
  void step();
  void write_reg(uint32_t offset, uint32_t value);
  uint32_t read_reg(uint32_t offset);
  uint64_t read_reg64(uint32_t lo, uint32_t hi) { return read_reg(lo) | uint64_t(read_reg(hi)) << 32; }
  void on_retires();
  bool retires_early(int u, int64_t idx);
  std::string report(const std::string& headline) const;

  DerivedConfig cfg_;
  std::unique_ptr<RtlModel> (*make_)();
  std::unique_ptr<RtlModel> m_;
  // State of the current run.
  const RtlOptions* opt_ = nullptr;
  const std::vector<Insn>* prog_ = nullptr;
  RtlObserver* obs_ = nullptr;
  DramModel* dram_ = nullptr;
  TraceWriter* trace_ = nullptr;
  TopInputs in_;
  TopOutputs out_;
  uint64_t cycle_ = 0, last_progress_ = 0;
  std::array<std::vector<int64_t>, kNumUnits> unit_insns_;  // program indices routed to each unit
  std::array<size_t, kNumUnits> retired_{};                 // how many of them retired in program order
  std::set<int64_t> early_;                                   // compute instructions retired ahead of that
  std::string host_doing_;
};

void RtlSimImpl::step() {
  dram_->drive(in_, cycle_);
  m_->cycle(in_, out_);
  bool moved = dram_->sample(in_, out_, cycle_);
  if (trace_) trace_->sample(cycle_, out_);
  moved |= (out_.obs_busy & ~out_.obs_stall & 7) != 0 || out_.obs_retire != 0;
  ++cycle_;
  if (out_.obs_retire) on_retires();
  if (moved) last_progress_ = cycle_;
  if (!dram_->error().empty()) throw RtlError(report(dram_->error()));
  if (cycle_ - last_progress_ >= opt_->watchdog_cycles)
    throw WatchdogError(report("RTL watchdog: nothing retired, executed or moved on the DRAM bus for " +
                               std::to_string(opt_->watchdog_cycles) + " cycles"),
                        cycle_);
  if (cycle_ >= opt_->max_cycles)
    throw WatchdogError(report("RTL cycle limit of " + std::to_string(opt_->max_cycles) + " cycles reached"), cycle_);
}

// The compute unit's two pipes may finish an instruction with the overlap flag before an earlier
// one of the other pipe (hw/rtl/README.md); it may run at most a few instructions ahead.
bool RtlSimImpl::retires_early(int u, int64_t idx) {
  constexpr size_t kWindow = 16;
  const auto& mine = unit_insns_[u];
  if (u != int(Unit::COMPUTE) || early_.count(idx)) return false;
  for (size_t k = retired_[u] + 1; k < mine.size() && k <= retired_[u] + kWindow; ++k)
    if (mine[k] == idx) return early_.insert(idx).second;
  return false;
}

void RtlSimImpl::on_retires() {
  for (int u = 0; u < kNumUnits; ++u) {
    if (!(out_.obs_retire >> u & 1)) continue;
    const int64_t idx = out_.obs_retire_idx[u];
    const auto& mine = unit_insns_[u];
    const char* name = unit_name(static_cast<Unit>(u));
    if (retired_[u] >= mine.size())
      throw RtlError(report(std::string("the ") + name + " unit retired program index " + std::to_string(idx) +
                            " after all of its instructions had retired"));
    if (idx == mine[retired_[u]]) {
      ++retired_[u];
      while (retired_[u] < mine.size() && early_.erase(mine[retired_[u]])) ++retired_[u];
    } else if (!retires_early(u, idx)) {
      throw RtlError(report(std::string("the ") + name + " unit retired program index " + std::to_string(idx) +
                            ", but its next instruction in program order is " + std::to_string(mine[retired_[u]])));
    }
    if (obs_) obs_->on_retire(cycle_, static_cast<Unit>(u), idx, *this);
  }
}

void RtlSimImpl::write_reg(uint32_t offset, uint32_t value) {
  host_doing_ = "writing register offset " + std::to_string(offset);
  in_.awaddr = offset;
  in_.wdata = value;
  in_.wstrb = 0xf;
  in_.awvalid = in_.wvalid = in_.bready = true;
  for (bool done = false; !done;) {
    const TopInputs sent = in_;
    step();
    if (sent.awvalid && out_.awready) in_.awvalid = false;
    if (sent.wvalid && out_.wready) in_.wvalid = false;
    if (sent.bready && out_.bvalid) {
      if (sent.awvalid || sent.wvalid)
        throw RtlError(report("AXI4-Lite write response before the address/data handshakes"));
      if (out_.bresp != 0) throw RtlError(report("AXI4-Lite write to offset " + std::to_string(offset) + " got BRESP " + std::to_string(out_.bresp)));
      done = true;
    }
  }
  in_.bready = false;
  host_doing_.clear();
}

uint32_t RtlSimImpl::read_reg(uint32_t offset) {
  host_doing_ = "reading register offset " + std::to_string(offset);
  in_.araddr = offset;
  in_.arvalid = in_.rready = true;
  uint32_t value = 0;
  for (bool done = false; !done;) {
    const TopInputs sent = in_;
    step();
    if (sent.arvalid && out_.arready) in_.arvalid = false;
    if (sent.rready && out_.rvalid) {
      if (out_.rresp != 0) throw RtlError(report("AXI4-Lite read of offset " + std::to_string(offset) + " got RRESP " + std::to_string(out_.rresp)));
      value = out_.rdata;
      done = true;
    }
  }
  in_.rready = false;
  host_doing_.clear();
  return value;
}

std::string RtlSimImpl::report(const std::string& headline) const {
  std::string s = headline + " (cycle " + std::to_string(cycle_) + ")\n";
  for (int u = 0; u < kNumUnits; ++u) {
    s += std::string("  ") + unit_name(static_cast<Unit>(u)) + ": ";
    const auto& mine = unit_insns_[u];
    if (retired_[u] >= mine.size()) {
      s += "all " + std::to_string(mine.size()) + " instructions retired\n";
      continue;
    }
    const int64_t idx = mine[retired_[u]];
    const unsigned wait = out_.obs_wait >> (4 * u) & 0xf;
    if (out_.obs_stall >> u & 1) {
      s += "stalled";
      if (!wait) s += " on the bus or a full token queue";
      for (int q = 0; q < 4; ++q)
        if (wait >> q & 1) s += std::string(" waiting on token queue ") + kQueueNames[q];
    } else {
      s += (out_.obs_busy >> u & 1) ? "busy" : "idle (not yet fetched?)";
    }
    s += " at program index " + std::to_string(idx) + " (" + describe((*prog_)[idx]) + "), " +
         std::to_string(retired_[u]) + "/" + std::to_string(mine.size()) + " retired\n";
  }
  s += "  token counts:";
  for (int q = 0; q < 4; ++q) s += std::string(" ") + kQueueNames[q] + "=" + std::to_string(out_.obs_tokens >> (8 * q) & 0xff);
  s += "\n";
  const std::string bus = dram_->describe_pending();
  s += bus.empty() ? "  no DRAM bursts in flight\n" : "  DRAM bursts in flight:\n" + bus;
  if (!host_doing_.empty()) s += "  host: " + host_doing_ + "\n";
  return s;
}

RtlStats RtlSimImpl::run(const std::vector<Insn>& program, DramSpan dram, const RtlOptions& opt,
                         RtlObserver* obs) {
  const auto t0 = std::chrono::steady_clock::now();
  if (program.empty()) throw RtlError("RTL run: the program has no instructions");
  // A fresh model per run: SRAMs start at zero like the fsim's, whatever an earlier run left there.
  if (cycle_ != 0) m_ = make_();
  if (m_->data_bits() != cfg_.hw.dram_bus_bits)
    throw RtlError("RTL model for '" + cfg_.hw.name + "' has a " + std::to_string(m_->data_bits()) +
                   "-bit AXI bus, the config says " + std::to_string(cfg_.hw.dram_bus_bits));
  IsaCodec codec(cfg_.layout);
  std::vector<uint8_t> insn_mem(program.size() * codec.insn_bytes());
  for (size_t i = 0; i < program.size(); ++i) {
    try {
      codec.encode_bytes(program[i], &insn_mem[i * codec.insn_bytes()]);
    } catch (const EncodeError& e) {
      throw RtlError("RTL run: instruction " + std::to_string(i) + " does not encode: " + e.what());
    }
  }
  const uint64_t bus_bytes = uint64_t(cfg_.hw.dram_bus_bits / 8);
  if (opt.insn_addr % bus_bytes || opt.data_addr % bus_bytes)
    throw RtlError("RTL run: INSN_ADDR and DATA_ADDR must be aligned to the " + std::to_string(bus_bytes) +
                   "-byte bus (hw/rtl/README.md)");
  const uint64_t insn_end = opt.insn_addr + insn_mem.size(), data_end = opt.data_addr + dram.size();
  if (opt.insn_addr < data_end && opt.data_addr < insn_end)
    throw RtlError("RTL run: the instruction region overlaps the data region");

  DramTiming timing;
  timing.latency_cycles = opt.dram_latency_cycles > 0 ? opt.dram_latency_cycles : cfg_.hw.dram_latency_cycles;
  timing.bytes_per_cycle = opt.dram_bytes_per_cycle > 0 ? opt.dram_bytes_per_cycle : cfg_.hw.dram_bytes_per_cycle;
  timing.max_outstanding = opt.dram_max_outstanding > 0 ? opt.dram_max_outstanding : cfg_.hw.dram_max_outstanding;
  timing.max_burst_beats = cfg_.hw.dram_max_burst_beats;
  DramModel dram_model(cfg_.hw.dram_bus_bits, timing);
  dram_model.add_region({"instructions", opt.insn_addr, {insn_mem.data(), insn_mem.size()}, false});
  dram_model.add_region({"data", opt.data_addr, dram, true});

  std::unique_ptr<TraceWriter> trace;
  if (!opt.trace_path.empty()) trace.reset(new TraceWriter(opt.trace_path, &program, cfg_.hw.clock_mhz));
  try {
    m_->open_waves(opt.vcd_path, opt.fst_path, opt.waves);
  } catch (const std::runtime_error& e) {
    throw RtlError(e.what());
  }
  // A run that fails still leaves its waveform: the files are completed on every way out, and a
  // failed run says on stderr what it wrote (a window of the last cycles shows the failure).
  struct WaveCloser {
    RtlModel* m;
    const WaveOptions& w;
    bool closed = false;
    std::vector<WaveFile> close() {
      closed = true;
      try {
        return m->close_waves();
      } catch (const std::runtime_error& e) {
        throw RtlError(e.what());
      }
    }
    ~WaveCloser() {
      if (closed) return;
      try {
        const std::string d = describe_waves(m->close_waves(), w);
        if (!d.empty()) std::fprintf(stderr, "%s", d.c_str());
      } catch (const std::exception& e) {  // the run's own error is already on its way out
        std::fprintf(stderr, "warning: %s\n", e.what());
      }
    }
  } waves{m_.get(), opt.waves};

  opt_ = &opt;
  prog_ = &program;
  obs_ = obs;
  dram_ = &dram_model;
  trace_ = trace.get();
  in_ = TopInputs{};
  cycle_ = last_progress_ = 0;
  for (auto& v : unit_insns_) v.clear();
  retired_ = {};
  early_.clear();
  for (size_t i = 0; i < program.size(); ++i) unit_insns_[static_cast<int>(route(program[i]))].push_back(i);

  for (int i = 0; i < kResetCycles; ++i) step();
  in_.rst_n = true;
  step();

  const uint64_t hw_hash = read_reg64(reg::CONFIG_HASH_LO, reg::CONFIG_HASH_HI);
  if (hw_hash != cfg_.hash) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "RTL model reports config hash %016llx, the config '%s' has %s",
                  static_cast<unsigned long long>(hw_hash), cfg_.hw.name.c_str(), cfg_.hash_hex().c_str());
    throw RtlError(buf);
  }
  write_reg(reg::INSN_COUNT, static_cast<uint32_t>(program.size()));
  write_reg(reg::INSN_ADDR_LO, static_cast<uint32_t>(opt.insn_addr));
  write_reg(reg::INSN_ADDR_HI, static_cast<uint32_t>(opt.insn_addr >> 32));
  write_reg(reg::DATA_ADDR_LO, static_cast<uint32_t>(opt.data_addr));
  write_reg(reg::DATA_ADDR_HI, static_cast<uint32_t>(opt.data_addr >> 32));
  if (!opt.poll) {
    write_reg(reg::GIE, 1);
    write_reg(reg::IER, bit::ISR_DONE);
  }
  write_reg(reg::CTRL, bit::CTRL_AP_START);

  if (opt.poll) {
    while (!(read_reg(reg::CTRL) & bit::CTRL_AP_DONE))
      for (int i = 0; i < kPollGapCycles; ++i) step();
  } else {
    host_doing_ = "waiting for the done interrupt";
    while (!out_.interrupt) step();
    if (!(read_reg(reg::ISR) & bit::ISR_DONE)) throw RtlError(report("interrupt raised without ISR.done"));
    write_reg(reg::ISR, bit::ISR_DONE);
    if (!(read_reg(reg::CTRL) & bit::CTRL_AP_DONE)) throw RtlError(report("done interrupt but CTRL.ap_done is 0"));
    if (out_.interrupt) throw RtlError(report("interrupt still raised after clearing ISR.done"));
  }
  for (int u = 0; u < kNumUnits; ++u)
    if (retired_[u] != unit_insns_[u].size()) throw RtlError(report("ap_done raised before every instruction retired"));
  host_doing_ = "waiting for outstanding DRAM bursts";
  while (!dram_model.idle()) step();
  host_doing_.clear();

  RtlStats st;
  st.cycles = read_reg64(reg::CYCLES_LO, reg::CYCLES_HI);
  st.units[0].busy = read_reg(reg::LOAD_BUSY);
  st.units[0].stall = read_reg(reg::LOAD_STALL);
  st.units[1].busy = read_reg(reg::COMPUTE_BUSY);
  st.units[1].stall = read_reg(reg::COMPUTE_STALL);
  st.units[2].busy = read_reg(reg::STORE_BUSY);
  st.units[2].stall = read_reg(reg::STORE_STALL);
  st.gemm_uops = read_reg(reg::GEMM_UOPS);
  st.alu_uops = read_reg(reg::ALU_UOPS);
  for (int u = 0; u < kNumUnits; ++u) st.units[u].insns = retired_[u];
  st.gemm_utilization = st.cycles ? double(st.gemm_uops) / double(st.cycles) : 0.0;
  st.traffic = dram_model.traffic();
  st.bytes_fetched = st.traffic.bytes_read[0];
  for (int id = 1; id < 4; ++id) {
    st.bytes_read += st.traffic.bytes_read[id];
    st.bytes_written += st.traffic.bytes_written[id];
  }
  for (int q = 0; q < 4; ++q) st.final_tokens[q] = out_.obs_tokens >> (8 * q) & 0xff;
  if (trace) trace->finish(cycle_);
  st.waves = waves.close();
  st.sim_cycles = cycle_;
  st.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  dram_ = nullptr;
  trace_ = nullptr;
  return st;
}

std::vector<uint8_t> RtlSimImpl::peek(const std::string& path, int64_t index) const {
  SramView v;
  try {
    v = m_->sram(path);
  } catch (const std::runtime_error& e) {
    // A split SRAM, read as one array:
    //   tessera_sram_banks: element i in u_bank0 below half its depth, else u_bank1;
    //   tessera_inp_sram: one SRAM g_one.u_sram, or with the depthwise mode R interleaved banks
    //   g_wide.g_bank[k].u_sram, element i in bank i mod R at row i / R.
    const std::string suffix = ".mem_q";
    if (path.size() <= suffix.size() || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
      throw RtlError(e.what());
    const std::string inst = path.substr(0, path.size() - suffix.size());
    const auto find = [&](const std::string& p, SramView* out) {
      try {
        *out = m_->sram(p);
        return true;
      } catch (const std::runtime_error&) {
        return false;
      }
    };
    SramView b0;
    if (find(inst + ".u_bank0" + suffix, &b0)) {
      if (index >= b0.depth) return peek(inst + ".u_bank1" + suffix, index - b0.depth);
      return peek(inst + ".u_bank0" + suffix, index);
    }
    if (find(inst + ".g_one.u_sram" + suffix, &b0)) return peek(inst + ".g_one.u_sram" + suffix, index);
    const auto bank = [&](int64_t k) { return inst + ".g_wide.g_bank[" + std::to_string(k) + "].u_sram" + suffix; };
    if (!find(bank(0), &b0)) throw RtlError(e.what());
    int64_t banks = 1;
    for (SramView other; find(bank(banks), &other);) ++banks;
    if (index < 0 || index >= banks * b0.depth)
      throw RtlError("SRAM '" + path + "': element " + std::to_string(index) + " outside depth " +
                     std::to_string(banks * b0.depth));
    return peek(bank(index % banks), index / banks);
  }
  if (index < 0 || index >= v.depth)
    throw RtlError("SRAM '" + path + "': element " + std::to_string(index) + " outside depth " + std::to_string(v.depth));
  const int bytes = (v.bits + 7) / 8;
  std::vector<uint8_t> out(v.data + index * v.stride, v.data + index * v.stride + bytes);
  if (v.bits % 8) out.back() &= static_cast<uint8_t>((1u << (v.bits % 8)) - 1);
  return out;
}

}  // namespace

std::string describe_waves(const std::vector<WaveFile>& files, const WaveOptions& w) {
  std::string out;
  for (const WaveFile& f : files) {
    out += "waveform " + f.path + ": " + format_bytes(f.bytes);
    if (f.empty) out += ", no cycle in the window";
    else out += ", cycles " + std::to_string(f.first_cycle) + ".." + std::to_string(f.last_cycle);
    if (!w.scope.empty()) out += ", scope " + w.scope;
    out += "\n";
  }
  return out;
}

std::unique_ptr<RtlSim> make_rtl_sim(const DerivedConfig& cfg) {
  for (const RtlModelEntry& e : rtl_model_entries())
    if (derive(parse_config(e.config_json, e.config_name), e.config_name).hash == cfg.hash)
      return std::make_unique<RtlSimImpl>(cfg, e.make);
  std::string built;
  for (const std::string& n : built_rtl_configs()) built += (built.empty() ? "" : ", ") + n;
  throw RtlError("no RTL model for config '" + cfg.hw.name + "' (hash " + cfg.hash_hex() +
                 ") in this binary; built: " + (built.empty() ? "none" : built) +
                 ". Add it to TESSERA_RTL_CONFIGS (cmake -DTESSERA_RTL_CONFIGS=\"default;" + cfg.hw.name +
                 "\") or call tessera_rtl_model(" + cfg.hw.name + ") in sim/rtl/CMakeLists.txt, then rebuild");
}

std::vector<std::string> built_rtl_configs() {
  std::vector<std::string> names;
  for (const RtlModelEntry& e : rtl_model_entries()) names.push_back(e.config_name);
  return names;
}

}  // namespace tessera
