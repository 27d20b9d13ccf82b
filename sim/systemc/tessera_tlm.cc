// TesseraTlm: clocking the RTL model, the AXI4-Lite register target, the DRAM worker and the watchdog.
#include "sim/systemc/tessera_tlm.h"

#include <cstdio>
#include <cstring>

#include "isa/insn.h"
#include "sim/fsim/fsim.h"
#include "isa/regs.h"

namespace tessera {
namespace {
constexpr uint64_t kResetCycles = 8;
constexpr unsigned kRegBytes = 4;

std::unique_ptr<RtlModel> make_model(const DerivedConfig& cfg) {
  std::string built;
  for (const RtlModelEntry& e : rtl_model_entries()) {
    if (derive(parse_config(e.config_json, e.config_name), e.config_name).hash == cfg.hash) return e.make();
    built += (built.empty() ? "" : ", ") + std::string(e.config_name);
  }
  throw TlmError("TesseraTlm: no RTL model for config '" + cfg.hw.name + "' (hash " + cfg.hash_hex() +
                 ") in this binary; built: " + (built.empty() ? "none" : built) +
                 ". Add it to TESSERA_RTL_CONFIGS and rebuild");
}

AxiBridgeLimits bridge_limits(const DerivedConfig& cfg, const TlmOptions& opt) {
  AxiBridgeLimits l;
  l.bytes_per_cycle = opt.bytes_per_cycle > 0 ? opt.bytes_per_cycle : cfg.hw.dram_bytes_per_cycle;
  l.max_outstanding = opt.max_outstanding > 0 ? opt.max_outstanding : cfg.hw.dram_max_outstanding;
  l.max_burst_beats = cfg.hw.dram_max_burst_beats;
  return l;
}
}  // namespace

sc_core::sc_time TesseraTlm::clock_period(const DerivedConfig& cfg) {
  return sc_core::sc_time(1.0 / cfg.hw.clock_mhz, sc_core::SC_US);
}

TesseraTlm::TesseraTlm(sc_core::sc_module_name name, const DerivedConfig& cfg, const TlmOptions& opt)
    : sc_module(name),
      clk("clk", clock_period(cfg)),
      ctrl("ctrl"),
      mem("mem"),
      irq("irq"),
      cfg_(cfg),
      opt_(opt),
      model_(make_model(cfg)),
      bridge_(cfg.hw.dram_bus_bits, bridge_limits(cfg, opt)) {
  if (model_->data_bits() != cfg.hw.dram_bus_bits)
    throw TlmError("TesseraTlm: the RTL model of '" + cfg.hw.name + "' has a " + std::to_string(model_->data_bits()) +
                   "-bit AXI bus, the config says " + std::to_string(cfg.hw.dram_bus_bits));
  if (opt.watchdog_cycles == 0) throw TlmError("TesseraTlm: watchdog_cycles must be >= 1");
  try {
    model_->open_waves(opt.vcd_path, opt.fst_path, opt.waves);
  } catch (const std::runtime_error& e) {
    throw TlmError(std::string("TesseraTlm: ") + e.what());
  }
  ctrl.register_b_transport(this, &TesseraTlm::ctrl_transport);
  ctrl.register_get_direct_mem_ptr(this, &TesseraTlm::ctrl_dmi);
  SC_HAS_PROCESS(TesseraTlm);
  SC_METHOD(on_clock);
  sensitive << clk.posedge_event();
  dont_initialize();
  SC_THREAD(dram_worker);
}

TesseraTlm::~TesseraTlm() {
  // A simulation destroyed while paused (the driver's systemc backend) never reaches end_of_simulation.
  try {
    const std::string d = describe_waves(model_->close_waves(), opt_.waves);
    if (!d.empty()) std::fprintf(stderr, "%s", d.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: %s\n", e.what());
  }
}

void TesseraTlm::end_of_simulation() {
  try {
    // The size of what was written, on stderr: the files are completed only now, after the last run.
    const std::string d = describe_waves(model_->close_waves(), opt_.waves);
    if (!d.empty()) std::fprintf(stderr, "%s", d.c_str());
  } catch (const std::runtime_error& e) {
    SC_REPORT_WARNING(name(), e.what());
  }
}

void TesseraTlm::on_clock() {
  if (!error_.empty()) return;  // stopped: the state stays as it was for the report
  in_.rst_n = cycle_ >= kResetCycles;
  bridge_.drive(in_, sc_core::sc_time_stamp());
  const TopInputs sent = in_;
  model_->cycle(in_, out_);
  bool moved = bridge_.sample(in_, out_);
  ++cycle_;
  if (host_.active) host_handshakes(sent);
  irq.write(out_.interrupt);
  for (int u = 0; u < 3; ++u) {
    if (!(out_.obs_retire >> u & 1)) continue;
    ++unit_retired_[u];
    unit_last_index_[u] = out_.obs_retire_idx[u];
    ++retired_;
  }
  moved |= (out_.obs_busy & ~out_.obs_stall & 7) != 0 || out_.obs_retire != 0;
  if (moved || retired_ >= expected_retires_) last_progress_ = cycle_;
  if (!bridge_.error().empty()) return fail(bridge_.error());
  if (cycle_ - last_progress_ >= opt_.watchdog_cycles)
    fail("TesseraTlm watchdog: nothing retired, executed or moved on the DRAM bus for " +
         std::to_string(opt_.watchdog_cycles) + " cycles while a program runs");
}

// One step of the pending AXI4-Lite access, given the inputs the model saw this cycle.
void TesseraTlm::host_handshakes(const TopInputs& sent) {
  bool done = false;
  if (host_.write) {
    if (sent.awvalid && out_.awready) in_.awvalid = false;
    if (sent.wvalid && out_.wready) in_.wvalid = false;
    if (sent.bready && out_.bvalid) {
      done = true;
      host_.ok = out_.bresp == 0;
      in_.bready = false;
    }
  } else {
    if (sent.arvalid && out_.arready) in_.arvalid = false;
    if (sent.rready && out_.rvalid) {
      done = true;
      host_.ok = out_.rresp == 0;
      host_.data = out_.rdata;
      in_.rready = false;
    }
  }
  if (!done) return;
  host_.active = false;
  // The watchdog's view of the kernel arguments, with the write strobe applied as the registers do.
  uint32_t mask = 0;
  for (int i = 0; i < 4; ++i)
    if (host_.strobe >> i & 1) mask |= 0xffu << (8 * i);
  if (host_.write && host_.offset == regmap::INSN_COUNT) insn_count_ = (insn_count_ & ~mask) | (host_.data & mask);
  if (host_.write && host_.offset == regmap::CTRL && (host_.data & mask & regmap::bit::CTRL_AP_START))
    expected_retires_ += insn_count_;
  host_done_.notify(sc_core::SC_ZERO_TIME);
}

void TesseraTlm::dram_worker() {
  for (;;) {
    while (!bridge_.has_work()) wait(bridge_.work_event());
    bridge_.serve(*mem[0]);
  }
}

void TesseraTlm::ctrl_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  t.set_dmi_allowed(false);
  if (t.is_read() == t.is_write()) return t.set_response_status(tlm::TLM_OK_RESPONSE);  // TLM_IGNORE_COMMAND
  if (t.get_data_length() != kRegBytes || t.get_streaming_width() < kRegBytes)
    return t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
  const regmap::RegEntry* reg = regmap::find_reg(t.get_address());
  if (!reg) return t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (t.is_write() && reg->access == regmap::Access::RO) return t.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
  const unsigned char* be = t.get_byte_enable_ptr();
  const unsigned be_len = t.get_byte_enable_length();
  if (be && be_len == 0) return t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  uint8_t strobe = 0;
  for (unsigned i = 0; i < kRegBytes; ++i)
    if (!be || be[i % be_len]) strobe |= uint8_t(1u << i);

  // Loosely-timed initiators run ahead; the access itself happens on the model's clock.
  wait(delay);
  delay = sc_core::SC_ZERO_TIME;
  host_lock_.lock();
  while (cycle_ <= kResetCycles) wait(clk.posedge_event());
  host_ = HostAccess{true, t.is_write(), true, reg->offset, 0, strobe};
  if (t.is_write()) {
    std::memcpy(&host_.data, t.get_data_ptr(), kRegBytes);  // AXI4-Lite data is little-endian, as is the host
    in_.awaddr = reg->offset;
    in_.wdata = host_.data;
    in_.wstrb = strobe;
    in_.awvalid = in_.wvalid = in_.bready = true;
  } else {
    in_.araddr = reg->offset;
    in_.arvalid = in_.rready = true;
  }
  while (host_.active && error_.empty()) wait(host_done_ | error_event_);
  if (!t.is_write()) {
    uint8_t bytes[kRegBytes];
    std::memcpy(bytes, &host_.data, kRegBytes);
    for (unsigned i = 0; i < kRegBytes; ++i)
      if (strobe >> i & 1) t.get_data_ptr()[i] = bytes[i];
  }
  const bool ok = !host_.active && host_.ok;
  host_lock_.unlock();
  t.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

bool TesseraTlm::ctrl_dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  dmi.allow_none();  // registers have side effects (clear on read, write 1 to clear): no direct access
  return false;
}

void TesseraTlm::fail(const std::string& headline) {
  error_ = report(headline);
  error_event_.notify(sc_core::SC_ZERO_TIME);
  if (opt_.stop_on_error) sc_core::sc_stop();
}

std::string TesseraTlm::report(const std::string& headline) const {
  std::string s = headline + " (cycle " + std::to_string(cycle_) + ", " + sc_core::sc_time_stamp().to_string() + ")\n";
  for (int u = 0; u < 3; ++u) {
    s += std::string("  ") + unit_name(static_cast<Unit>(u)) + ": ";
    const unsigned wait = out_.obs_wait >> (4 * u) & 0xf;
    if (out_.obs_stall >> u & 1) {
      s += "stalled";
      if (!wait) s += " on the bus or a full token queue";
      for (int q = 0; q < 4; ++q)
        if (wait >> q & 1) s += std::string(" waiting on token queue ") + token_queue_name(static_cast<TokenQueue>(q));
    } else {
      s += (out_.obs_busy >> u & 1) ? "busy" : "idle";
    }
    s += ", " + std::to_string(unit_retired_[u]) + " retired";
    if (unit_last_index_[u] >= 0) s += " (last program index " + std::to_string(unit_last_index_[u]) + ")";
    s += "\n";
  }
  s += "  retired " + std::to_string(retired_) + " of " + std::to_string(expected_retires_) + " instructions started\n";
  s += "  token counts:";
  for (int q = 0; q < 4; ++q)
    s += std::string(" ") + token_queue_name(static_cast<TokenQueue>(q)) + "=" + std::to_string(out_.obs_tokens >> (8 * q) & 0xff);
  s += "\n";
  const std::string bus = bridge_.describe_pending();
  s += bus.empty() ? "  no DRAM bursts in flight\n" : "  DRAM bursts in flight:\n" + bus;
  return s;
}

}  // namespace tessera
