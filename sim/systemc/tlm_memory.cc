// TlmMemory: address decoding, byte enables and streaming width of the generic payload, latency annotation.
#include "sim/systemc/tlm_memory.h"

#include <algorithm>
#include <stdexcept>

namespace tessera {

TlmMemory::TlmMemory(sc_core::sc_module_name name, const sc_core::sc_time& latency)
    : sc_module(name), socket("socket"), latency_(latency) {
  socket.register_b_transport(this, &TlmMemory::b_transport);
}

std::vector<uint8_t>& TlmMemory::add_region(const std::string& name, uint64_t base, uint64_t size) {
  for (const Region& r : regions_)
    if (base < r.base + r.size() && r.base < base + size)
      throw std::invalid_argument("TlmMemory " + std::string(this->name()) + ": region '" + name +
                                  "' overlaps region '" + r.name + "'");
  regions_.push_back({name, base, std::vector<uint8_t>(size), false, DramSpan{}});
  return regions_.back().bytes;
}

DramSpan& TlmMemory::add_external_region(const std::string& name, uint64_t base) {
  add_region(name, base, 0);
  regions_.back().external = true;
  return regions_.back().ext;
}

TlmMemory::Region* TlmMemory::find(uint64_t addr, uint64_t len) {
  for (Region& r : regions_)
    if (addr >= r.base && addr - r.base <= r.size() && len <= r.size() - (addr - r.base)) return &r;
  return nullptr;
}

void TlmMemory::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  // A streaming width below the length makes the address window repeat (a FIFO-like target port).
  const unsigned len = t.get_data_length(), width = std::min(len, t.get_streaming_width());
  if (t.is_read() == t.is_write()) return t.set_response_status(tlm::TLM_OK_RESPONSE);  // TLM_IGNORE_COMMAND
  if (width == 0) return t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
  Region* r = find(t.get_address(), width);
  if (!r) return t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  const unsigned char* be = t.get_byte_enable_ptr();
  const unsigned be_len = t.get_byte_enable_length();
  if (be && be_len == 0) return t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  uint8_t* mem = r->data() + (t.get_address() - r->base);
  uint8_t* data = t.get_data_ptr();
  for (unsigned i = 0; i < len; ++i) {
    if (be && !be[i % be_len]) continue;
    if (t.is_read()) data[i] = mem[i % width];
    else mem[i % width] = data[i];
  }
  ++(t.is_read() ? reads_ : writes_);
  t.set_dmi_allowed(false);
  delay += latency_;
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace tessera
