// AXI4 slave DRAM model: in-order responses, fixed latency, per-direction byte-rate credit.
#include "sim/rtl/dram_model.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace tessera {
namespace {
constexpr int kBurstIncr = 1;
constexpr int kRespOkay = 0, kRespSlvErr = 2;
constexpr uint64_t kPage = 4096;  // AXI bursts must not cross a 4 KiB boundary
const char* id_name(int id) {
  static const char* names[] = {"fetch", "load", "compute", "store"};
  return names[id & 3];
}
std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}
}  // namespace

DramModel::DramModel(int bus_bits, const DramTiming& timing) : beat_bytes_(bus_bits / 8), t_(timing) {
  if (bus_bits % 32 != 0 || bus_bits / 32 > kMaxBusWords)
    throw std::runtime_error("DRAM model: unsupported AXI data width " + std::to_string(bus_bits));
  if (t_.latency_cycles < 1 || t_.bytes_per_cycle < 1 || t_.max_outstanding < 1 || t_.max_burst_beats < 1)
    throw std::runtime_error("DRAM model: latency, bytes per cycle, outstanding and burst limits must be >= 1");
  read_credit_ = write_credit_ = beat_bytes_;
}

void DramModel::fail(const std::string& msg) {
  if (error_.empty()) error_ = "DRAM model: " + msg;
}

DramRegion* DramModel::region_of(uint64_t addr, uint64_t bytes) {
  for (auto& r : regions_) {
    const uint64_t size = (r.bytes.size() + beat_bytes_ - 1) / beat_bytes_ * beat_bytes_;
    if (addr >= r.base && addr - r.base <= size && bytes <= size - (addr - r.base)) return &r;
  }
  return nullptr;
}

bool DramModel::check_burst(const char* dir, uint64_t addr, int len, int size, int burst, int id, bool write) {
  const int beats = len + 1;
  const std::string what = std::string(dir) + " burst of ID " + std::to_string(id) + " (" + id_name(id) +
                           ") at " + hex(addr) + ", " + std::to_string(beats) + " beats";
  if (burst != kBurstIncr) return fail(what + ": burst type " + std::to_string(burst) + " is not INCR"), false;
  if ((1 << size) != beat_bytes_)
    return fail(what + ": size " + std::to_string(1 << size) + " bytes is not the bus width"), false;
  if (beats > t_.max_burst_beats)
    return fail(what + ": longer than the " + std::to_string(t_.max_burst_beats) + "-beat limit"), false;
  const uint64_t start = addr & ~uint64_t(beat_bytes_ - 1);
  const uint64_t end = start + uint64_t(beats) * beat_bytes_;
  if ((addr / kPage) != ((end - 1) / kPage)) return fail(what + ": crosses a 4 KiB boundary"), false;
  DramRegion* r = region_of(addr, end - addr);
  if (!r) return fail(what + ": outside every mapped region"), false;
  if (write && !r->writable) return fail(what + ": writes the read-only " + r->name + " region"), false;
  return true;
}

void DramModel::drive(TopInputs& in, uint64_t now) {
  in.m_arready = static_cast<int>(reads_.size()) < t_.max_outstanding;
  in.m_awready = writes_open_ < t_.max_outstanding;
  // A presented read beat stays valid and stable until taken (AXI rule), so credit is spent on presenting.
  if (!r_presenting_ && !reads_.empty() && reads_.front().ready_at <= now && read_credit_ >= beat_bytes_) {
    r_presenting_ = true;
    read_credit_ -= beat_bytes_;
  }
  in.m_rvalid = r_presenting_;
  if (r_presenting_) {
    const Burst& b = reads_.front();
    read_beat(b, in.m_rdata);
    in.m_rid = static_cast<uint8_t>(b.id);
    in.m_rlast = b.done + 1 == b.beats;
    in.m_rresp = b.ok ? kRespOkay : kRespSlvErr;
  }
  // Write data is accepted for the oldest burst whose address arrived, at the write byte rate.
  in.m_wready = false;
  for (const Burst& b : writes_)
    if (b.done < b.beats) {
      in.m_wready = write_credit_ >= beat_bytes_;
      break;
    }
  in.m_bvalid = !responses_.empty() && responses_.front().at <= now;
  if (in.m_bvalid) {
    in.m_bid = static_cast<uint8_t>(responses_.front().id);
    in.m_bresp = responses_.front().ok ? kRespOkay : kRespSlvErr;
  }
}

bool DramModel::sample(const TopInputs& in, const TopOutputs& out, uint64_t now) {
  bool moved = false;
  if (in.m_arready && out.m_arvalid) {
    Burst b;
    b.addr = out.m_araddr & ~uint64_t(beat_bytes_ - 1);
    b.beats = out.m_arlen + 1;
    b.id = out.m_arid;
    b.ready_at = now + t_.latency_cycles;
    b.ok = check_burst("read", out.m_araddr, out.m_arlen, out.m_arsize, out.m_arburst, out.m_arid, false);
    reads_.push_back(b);
    ++traffic_.read_bursts[b.id];
    moved = true;
  }
  if (in.m_rvalid && out.m_rready) {
    Burst& b = reads_.front();
    traffic_.bytes_read[b.id] += beat_bytes_;
    r_presenting_ = false;
    if (++b.done == b.beats) reads_.pop_front();
    moved = true;
  }
  if (in.m_awready && out.m_awvalid) {
    Burst b;
    b.addr = out.m_awaddr & ~uint64_t(beat_bytes_ - 1);
    b.beats = out.m_awlen + 1;
    b.id = out.m_awid;
    b.ok = check_burst("write", out.m_awaddr, out.m_awlen, out.m_awsize, out.m_awburst, out.m_awid, true);
    writes_.push_back(b);
    ++writes_open_;
    ++traffic_.write_bursts[b.id];
    moved = true;
  }
  if (in.m_wready && out.m_wvalid) {
    auto it = std::find_if(writes_.begin(), writes_.end(), [](const Burst& b) { return b.done < b.beats; });
    Burst& b = *it;
    write_credit_ -= beat_bytes_;
    if (b.ok) b.ok = write_beat(b, out.m_wdata, out.m_wstrb);
    const bool last = ++b.done == b.beats;
    if (out.m_wlast != last)
      fail("write burst of ID " + std::to_string(b.id) + " at " + hex(b.addr) + ": WLAST " +
           (last ? "missing on" : "set before") + " beat " + std::to_string(b.done - 1));
    if (last) {
      responses_.push_back({b.id, now + t_.latency_cycles, b.ok});
      writes_.erase(it);
    }
    moved = true;
  }
  if (in.m_bvalid && out.m_bready) {
    responses_.pop_front();
    --writes_open_;
    moved = true;
  }
  read_credit_ = std::min<int64_t>(read_credit_ + t_.bytes_per_cycle, std::max(beat_bytes_, t_.bytes_per_cycle));
  write_credit_ = std::min<int64_t>(write_credit_ + t_.bytes_per_cycle, std::max(beat_bytes_, t_.bytes_per_cycle));
  return moved;
}

void DramModel::read_beat(const Burst& b, BusWords& w) {
  uint8_t bytes[kMaxBusWords * 4] = {};
  const uint64_t addr = b.addr + uint64_t(b.done) * beat_bytes_;
  if (const DramRegion* r = region_of(addr, beat_bytes_)) {
    const uint64_t off = addr - r->base;
    const uint64_t n = std::min<uint64_t>(beat_bytes_, r->bytes.size() > off ? r->bytes.size() - off : 0);
    if (n) std::memcpy(bytes, r->bytes.data() + off, n);
  }
  std::memcpy(w.data(), bytes, beat_bytes_);
}

bool DramModel::write_beat(const Burst& b, const BusWords& w, uint64_t strobe) {
  const uint64_t addr = b.addr + uint64_t(b.done) * beat_bytes_;
  DramRegion* r = region_of(addr, beat_bytes_);
  const auto* src = reinterpret_cast<const uint8_t*>(w.data());
  for (int i = 0; i < beat_bytes_; ++i) {
    if (!(strobe >> i & 1)) continue;
    const uint64_t off = r ? addr + i - r->base : 0;
    if (!r || off >= r->bytes.size()) {
      fail("write of ID " + std::to_string(b.id) + " (" + id_name(b.id) + ") to " + hex(addr + i) +
           ": byte outside every mapped region");
      return false;
    }
    r->bytes.data()[off] = src[i];
    ++traffic_.bytes_written[b.id];
  }
  return true;
}

std::string DramModel::describe_pending() const {
  std::string s;
  for (const Burst& b : reads_)
    s += "  read  ID " + std::to_string(b.id) + " (" + id_name(b.id) + ") at " + hex(b.addr) + ": " +
         std::to_string(b.done) + "/" + std::to_string(b.beats) + " beats returned\n";
  for (const Burst& b : writes_)
    s += "  write ID " + std::to_string(b.id) + " (" + id_name(b.id) + ") at " + hex(b.addr) + ": " +
         std::to_string(b.done) + "/" + std::to_string(b.beats) + " beats received\n";
  for (const Response& r : responses_)
    s += "  write response ID " + std::to_string(r.id) + " (" + id_name(r.id) + ") not yet taken\n";
  return s;
}

}  // namespace tessera
