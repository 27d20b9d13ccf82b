// TlmHost: the register protocol of a tessera driver (hw/regs.def) over TLM-2.0 b_transport.
#include "sim/systemc/tlm_host.h"

#include <cstdio>

#include "isa/regs.h"

namespace tessera {
namespace {
std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
std::string status_text(tlm::tlm_response_status s) {
  tlm::tlm_generic_payload t;
  t.set_response_status(s);
  return t.get_response_string();
}
}  // namespace

TlmHost::TlmHost(sc_core::sc_module_name name, const DerivedConfig& cfg)
    : sc_module(name), bus("bus"), irq("irq"), cfg_(cfg) {}

tlm::tlm_response_status TlmHost::access(tlm::tlm_command cmd, uint64_t offset, uint32_t& value) {
  tlm::tlm_generic_payload t;
  t.set_command(cmd);
  t.set_address(offset);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  t.set_data_length(sizeof value);
  t.set_streaming_width(sizeof value);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  bus->b_transport(t, delay);
  wait(delay);
  return t.get_response_status();
}

uint32_t TlmHost::read(uint64_t offset) {
  uint32_t v = 0;
  const tlm::tlm_response_status s = access(tlm::TLM_READ_COMMAND, offset, v);
  if (s != tlm::TLM_OK_RESPONSE)
    throw TlmError("TlmHost: reading register offset " + hex(offset) + " answered " + status_text(s));
  return v;
}

void TlmHost::write(uint64_t offset, uint32_t value) {
  const tlm::tlm_response_status s = access(tlm::TLM_WRITE_COMMAND, offset, value);
  if (s != tlm::TLM_OK_RESPONSE)
    throw TlmError("TlmHost: writing register offset " + hex(offset) + " answered " + status_text(s));
}

TlmRunStats TlmHost::run(const TlmRunRequest& req) {
  namespace r = regmap;
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  const uint64_t hash = read(r::CONFIG_HASH_LO) | uint64_t(read(r::CONFIG_HASH_HI)) << 32;
  if (hash != cfg_.hash)
    throw TlmError("TlmHost: the accelerator reports config hash " + hex(hash) + ", the config '" + cfg_.hw.name +
                   "' has " + cfg_.hash_hex());
  write(r::INSN_COUNT, req.insn_count);
  write(r::INSN_ADDR_LO, static_cast<uint32_t>(req.insn_addr));
  write(r::INSN_ADDR_HI, static_cast<uint32_t>(req.insn_addr >> 32));
  write(r::DATA_ADDR_LO, static_cast<uint32_t>(req.data_addr));
  write(r::DATA_ADDR_HI, static_cast<uint32_t>(req.data_addr >> 32));
  write(r::GIE, 1);
  write(r::IER, r::bit::ISR_DONE);
  write(r::CTRL, r::bit::CTRL_AP_START);
  if (!irq.read()) wait(req.timeout, irq.posedge_event());
  if (!irq.read())
    throw TlmError("TlmHost: no done interrupt within " + req.timeout.to_string() + " of simulated time");
  if (!(read(r::ISR) & r::bit::ISR_DONE)) throw TlmError("TlmHost: interrupt raised without ISR.done");
  write(r::ISR, r::bit::ISR_DONE);
  if (!(read(r::CTRL) & r::bit::CTRL_AP_DONE)) throw TlmError("TlmHost: done interrupt but CTRL.ap_done is 0");

  TlmRunStats st;
  st.cycles = read(r::CYCLES_LO) | uint64_t(read(r::CYCLES_HI)) << 32;
  const uint32_t busy[] = {r::LOAD_BUSY, r::COMPUTE_BUSY, r::STORE_BUSY};
  const uint32_t stall[] = {r::LOAD_STALL, r::COMPUTE_STALL, r::STORE_STALL};
  for (int u = 0; u < 3; ++u) {
    st.busy[u] = read(busy[u]);
    st.stall[u] = read(stall[u]);
  }
  st.gemm_uops = read(r::GEMM_UOPS);
  st.alu_uops = read(r::ALU_UOPS);
  st.elapsed = sc_core::sc_time_stamp() - t0;
  return st;
}

}  // namespace tessera
