// RtlModel over one verilated tessera_top class; instantiated once per config by model_entry.cc.in.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "sim/rtl/model.h"
#include "verilated.h"
#include "verilated_syms.h"
#if VM_TRACE_VCD
#include "verilated_vcd_c.h"
#endif
#if VM_TRACE_FST
#include "sim/rtl/fst_to_vcd.h"
#include "verilated_fst_c.h"
#endif

namespace tessera {

namespace port {
// Verilator maps a port to CData/SData/IData/QData or, above 64 bits, to VlWide<N>.
template <typename T>
void put(T& p, const BusWords& w) {
  static_assert(std::is_integral_v<T>);
  p = static_cast<T>(sizeof(T) > 4 ? (uint64_t(w[1]) << 32 | w[0]) : w[0]);
}
template <std::size_t N>
void put(VlWide<N>& p, const BusWords& w) {
  static_assert(N <= kMaxBusWords, "AXI data bus wider than the harness supports");
  for (std::size_t i = 0; i < N; ++i) p[i] = w[i];
}
template <typename T>
void get(const T& p, BusWords& w) {
  static_assert(std::is_integral_v<T>);
  w[0] = static_cast<uint32_t>(p);
  if (sizeof(T) > 4) w[1] = static_cast<uint32_t>(uint64_t(p) >> 32);
}
template <std::size_t N>
void get(const VlWide<N>& p, BusWords& w) {
  static_assert(N <= kMaxBusWords, "AXI data bus wider than the harness supports");
  for (std::size_t i = 0; i < N; ++i) w[i] = p[i];
}
template <typename T>
int bits_of(const T&) { return 8 * static_cast<int>(sizeof(T)); }
template <std::size_t N>
int bits_of(const VlWide<N>&) { return 32 * static_cast<int>(N); }
}  // namespace port

template <typename VTop>
class VerilatedTop final : public RtlModel {
 public:
  VerilatedTop() : ctx_(new VerilatedContext) {
#if VM_TRACE
    ctx_->traceEverOn(true);  // must precede the model's construction to record value changes
#endif
    top_.reset(new VTop{ctx_.get(), kInstance});
  }
  ~VerilatedTop() override {
    try {
      close_waves();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: %s\n", e.what());  // a destructor must not throw
    }
    // A dying model unregisters its scopes from the thread's current context: make that its own, so
    // destroying one model never breaks SRAM peeking in another that is still alive.
    Verilated::threadContextp(ctx_.get());
    top_->final();
    top_.reset();
  }

  void cycle(const TopInputs& in, TopOutputs& o) override {
    VTop& t = *top_;
    t.rst_ni = in.rst_n;
    t.s_axil_awaddr_i = in.awaddr;
    t.s_axil_awvalid_i = in.awvalid;
    t.s_axil_wdata_i = in.wdata;
    t.s_axil_wstrb_i = in.wstrb;
    t.s_axil_wvalid_i = in.wvalid;
    t.s_axil_bready_i = in.bready;
    t.s_axil_araddr_i = in.araddr;
    t.s_axil_arvalid_i = in.arvalid;
    t.s_axil_rready_i = in.rready;
    t.m_axi_arready_i = in.m_arready;
    port::put(t.m_axi_rdata_i, in.m_rdata);
    t.m_axi_rresp_i = in.m_rresp;
    t.m_axi_rlast_i = in.m_rlast;
    t.m_axi_rid_i = in.m_rid;
    t.m_axi_rvalid_i = in.m_rvalid;
    t.m_axi_awready_i = in.m_awready;
    t.m_axi_wready_i = in.m_wready;
    t.m_axi_bresp_i = in.m_bresp;
    t.m_axi_bid_i = in.m_bid;
    t.m_axi_bvalid_i = in.m_bvalid;
    t.clk_i = 0;
    t.eval();
    dump();

    o.awready = t.s_axil_awready_o;
    o.wready = t.s_axil_wready_o;
    o.bvalid = t.s_axil_bvalid_o;
    o.bresp = t.s_axil_bresp_o;
    o.arready = t.s_axil_arready_o;
    o.rvalid = t.s_axil_rvalid_o;
    o.rresp = t.s_axil_rresp_o;
    o.rdata = t.s_axil_rdata_o;
    o.m_arvalid = t.m_axi_arvalid_o;
    o.m_araddr = t.m_axi_araddr_o;
    o.m_arlen = t.m_axi_arlen_o;
    o.m_arsize = t.m_axi_arsize_o;
    o.m_arburst = t.m_axi_arburst_o;
    o.m_arid = t.m_axi_arid_o;
    o.m_rready = t.m_axi_rready_o;
    o.m_awvalid = t.m_axi_awvalid_o;
    o.m_awaddr = t.m_axi_awaddr_o;
    o.m_awlen = t.m_axi_awlen_o;
    o.m_awsize = t.m_axi_awsize_o;
    o.m_awburst = t.m_axi_awburst_o;
    o.m_awid = t.m_axi_awid_o;
    o.m_wvalid = t.m_axi_wvalid_o;
    if (o.m_wvalid) port::get(t.m_axi_wdata_o, o.m_wdata);
    o.m_wstrb = t.m_axi_wstrb_o;
    o.m_wlast = t.m_axi_wlast_o;
    o.m_bready = t.m_axi_bready_o;
    o.interrupt = t.interrupt_o;
    o.obs_busy = t.obs_busy_o;
    o.obs_stall = t.obs_stall_o;
    o.obs_retire = t.obs_retire_o;
    if (o.obs_retire) port::get(t.obs_retire_idx_o, retire_idx_);
    for (int u = 0; u < 3; ++u) o.obs_retire_idx[u] = retire_idx_[u];
    o.obs_wait = t.obs_wait_o;
    o.obs_tokens = t.obs_tokens_o;

    t.clk_i = 1;
    t.eval();
    dump();
  }

  int data_bits() const override { return port::bits_of(top_->m_axi_rdata_i); }

  void open_waves(const std::string& vcd_path, const std::string& fst_path, const WaveOptions& w) override {
    close_waves();
    if (vcd_path.empty() && fst_path.empty()) return;
    if (w.from > w.to)
      throw std::runtime_error("waveform window: from cycle " + std::to_string(w.from) + " is after to cycle " +
                               std::to_string(w.to));
    if (w.last && (w.from != 0 || w.to != UINT64_MAX))
      throw std::runtime_error("waveform window: give either from/to or last, not both");
    wopt_ = w;
    first_dumped_ = last_dumped_ = 0;
    dumped_any_ = false;
#if VM_TRACE_FST
    // One FST serves both files: the requested one, or a temporary next to the VCD, converted at close.
    // With `last`, the run is recorded in two alternating segments of `last` cycles each; close cuts
    // the window out of them.
    if (vcd_path == fst_path)
      throw std::runtime_error("the VCD and the FST waveform are both '" + vcd_path + "'; give them different files");
    if (!vcd_path.empty()) {
      std::FILE* f = std::fopen(vcd_path.c_str(), "w");  // fail now, not after the run
      if (!f) throw std::runtime_error("cannot write VCD waveform '" + vcd_path + "': " + std::strerror(errno));
      std::fclose(f);
    }
    vcd_path_ = vcd_path;
    fst_path_ = fst_path.empty() ? vcd_path + ".tmp.fst" : fst_path;
    fst_is_temporary_ = fst_path.empty();
    if (!w.scope.empty()) check_scope(fst_path_ + ".scopes.fst");
    if (w.last) {
      seg_[0] = fst_path_ + ".seg0.fst";
      seg_[1] = fst_path_ + ".seg1.fst";
      cur_seg_ = 0;
      seg_begin_ = cycle_;
      prev_seg_valid_ = false;
      start_fst(seg_[0]);
    } else {
      start_fst(fst_path_);
    }
#elif VM_TRACE_VCD
    if (!fst_path.empty())
      throw std::runtime_error("this RTL model was built with VCD tracing only, so it cannot write FST '" + fst_path +
                               "'; reconfigure with -DTESSERA_RTL_TRACE=FST (the default, gives both formats)");
    if (w.last)
      throw std::runtime_error("the waveform of the last cycles needs an FST build (-DTESSERA_RTL_TRACE=FST)");
    vcd_path_ = vcd_path;
    vcd_.reset(new VerilatedVcdC);
    if (!w.scope.empty()) vcd_->dumpvars(99, scope_hier(w.scope));
    top_->trace(vcd_.get(), 99);
    vcd_->open(vcd_path.c_str());
    if (!vcd_->isOpen()) {
      vcd_.reset();
      throw std::runtime_error("cannot write VCD waveform '" + vcd_path + "'");
    }
#else
    throw std::runtime_error("this RTL model was built without waveform tracing (-DTESSERA_RTL_TRACE=OFF); "
                             "reconfigure with -DTESSERA_RTL_TRACE=FST (the default, gives VCD and FST)");
#endif
  }

  std::vector<WaveFile> close_waves() override {
    std::vector<WaveFile> written;
    WaveFile base;
    base.empty = !dumped_any_;
    if (dumped_any_) base.first_cycle = first_dumped_, base.last_cycle = last_dumped_;
#if VM_TRACE_FST
    if (!fst_) return written;
    fst_->close();
    fst_.reset();
    struct RemoveTemporary {
      std::vector<std::string> paths;
      ~RemoveTemporary() {
        for (const auto& p : paths) std::remove(p.c_str());
      }
    } temporary;
    if (fst_is_temporary_) temporary.paths.push_back(fst_path_);
    if (wopt_.last) {
      // The window: the last `last` cycles recorded, from the previous segment (if any) and the current one.
      std::vector<std::string> segs;
      if (prev_seg_valid_) segs.push_back(seg_[1 - cur_seg_]);
      segs.push_back(seg_[cur_seg_]);
      temporary.paths.push_back(seg_[0]);
      temporary.paths.push_back(seg_[1]);
      const uint64_t end = cycle_ == 0 ? 0 : cycle_ - 1;
      const uint64_t begin = std::max(first_dumped_, end + 1 >= wopt_.last ? end + 1 - wopt_.last : 0);
      fst_cut(segs, 2 * begin + 1, 2 * end + 2, fst_path_);
      base.first_cycle = begin, base.last_cycle = end;
    }
    const std::string scope_checked = fst_path_;
    if (!wopt_.scope.empty() && fst_var_count(scope_checked) == 0)
      throw std::runtime_error("waveform scope '" + wopt_.scope + "' matches no signal (name an instance below "
                               "tessera_top, e.g. u_compute or u_load.u_inp_sram)");
    if (!fst_is_temporary_) {
      WaveFile f = base;
      f.path = fst_path_;
      f.bytes = file_bytes(fst_path_);
      written.push_back(f);
    }
    if (!vcd_path_.empty()) {
      const std::string vcd = std::exchange(vcd_path_, std::string());
      fst_to_vcd(fst_path_, vcd);
      WaveFile f = base;
      f.path = vcd;
      f.bytes = file_bytes(vcd);
      written.push_back(f);
    }
#endif
#if VM_TRACE_VCD
    if (vcd_) {
      vcd_->close();
      vcd_.reset();
      WaveFile f = base;
      f.path = std::exchange(vcd_path_, std::string());
      f.bytes = file_bytes(f.path);
      written.push_back(f);
    }
#endif
    return written;
  }

  SramView sram(const std::string& path) const override {
    const auto dot = path.rfind('.');
    const std::string scope = std::string(kInstance) + ".tessera_top" + (dot == std::string::npos ? "" : "." + path.substr(0, dot));
    const std::string var = dot == std::string::npos ? path : path.substr(dot + 1);
    const VerilatedScope* s = ctx_->scopeFind(scope.c_str());
    const VerilatedVar* v = s ? s->varFind(var.c_str()) : nullptr;
    if (!v || v->udims() != 1)
      throw std::runtime_error("RTL model has no public one-dimensional array '" + path + "' (looked for " +
                               var + " in scope " + scope + "; see hw/rtl/README.md for SRAM instance paths)");
    SramView view;
    view.data = static_cast<const uint8_t*>(v->datap());
    view.depth = v->unpacked().elements();
    view.stride = static_cast<int64_t>(v->entSize());
    view.bits = v->packed().elements();
    return view;
  }

 private:
  static constexpr const char* kInstance = "tessera";
  // Called twice per cycle (after the inputs settle, after the rising edge); the second call ends the cycle.
  void dump() {
    ctx_->timeInc(1);
    const bool edge = half_;
    half_ = !half_;
#if VM_TRACE_FST
    if (fst_ && wopt_.last && !edge && cycle_ - seg_begin_ >= wopt_.last) rotate();
#endif
    const bool in = cycle_ >= wopt_.from && cycle_ <= wopt_.to;
    if (in && (false
#if VM_TRACE_VCD
               || vcd_
#endif
#if VM_TRACE_FST
               || fst_
#endif
               )) {
      if (!dumped_any_) first_dumped_ = cycle_, dumped_any_ = true;
      last_dumped_ = cycle_;
#if VM_TRACE_VCD
      if (vcd_) vcd_->dump(ctx_->time());
#endif
#if VM_TRACE_FST
      if (fst_) fst_->dump(ctx_->time());
#endif
    }
    if (edge) ++cycle_;
  }

  // "u_compute" -> the trace's name of that instance (Verilator's $dumpvars form).
  static std::string scope_hier(const std::string& scope) { return std::string(kInstance) + ".tessera_top." + scope; }

  static uint64_t file_bytes(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return 0;
    std::fseek(f, 0, SEEK_END);
    const long n = std::ftell(f);
    std::fclose(f);
    return n < 0 ? 0 : uint64_t(n);
  }

#if VM_TRACE_FST
  void start_fst(const std::string& path) {
    fst_.reset(new VerilatedFstC);
    if (!wopt_.scope.empty()) fst_->dumpvars(99, scope_hier(wopt_.scope));
    top_->trace(fst_.get(), 99);
    fst_->open(path.c_str());
    if (!fst_->isOpen()) {
      fst_.reset();
      throw std::runtime_error("cannot write FST waveform '" + path + "'");
    }
  }
  // Refuses a scope that names no instance (Verilator would write a file without signals): the design's
  // hierarchy comes from a header-only FST written to `probe`.
  void check_scope(const std::string& probe) {
    const WaveOptions keep = wopt_;
    wopt_.scope.clear();
    start_fst(probe);
    fst_->close();
    fst_.reset();
    wopt_ = keep;
    std::vector<std::string> scopes;
    try {
      scopes = fst_scopes(probe);
    } catch (...) {
      std::remove(probe.c_str());
      throw;
    }
    std::remove(probe.c_str());
    const std::string top = std::string(kInstance) + ".tessera_top.";
    if (std::find(scopes.begin(), scopes.end(), top + wopt_.scope) != scopes.end()) return;
    std::string units;
    for (const auto& s : scopes)
      if (s.rfind(top, 0) == 0 && s.find('.', top.size()) == std::string::npos) units += " " + s.substr(top.size());
    throw std::runtime_error("waveform scope '" + wopt_.scope + "' names no instance below tessera_top (its instances:" +
                             units + "; deeper ones as u_compute.u_seq)");
  }
  // Starts the other segment: the one before it is dropped, the current one becomes the previous.
  void rotate() {
    fst_->close();
    cur_seg_ = 1 - cur_seg_;
    prev_seg_valid_ = true;
    seg_begin_ = cycle_;
    start_fst(seg_[cur_seg_]);
  }
#endif

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<VTop> top_;
  BusWords retire_idx_{};
  uint64_t cycle_ = 0;  // clock cycles since the model was built
  bool half_ = false;   // the next dump() ends the cycle
  WaveOptions wopt_;
  uint64_t first_dumped_ = 0, last_dumped_ = 0;
  bool dumped_any_ = false;
  std::string vcd_path_;  // the VCD requested (FST builds: converted into at close)
#if VM_TRACE_VCD
  std::unique_ptr<VerilatedVcdC> vcd_;
#endif
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> fst_;
  std::string fst_path_;  // the FST being written (or, with `last`, the window's file)
  bool fst_is_temporary_ = false;
  std::string seg_[2];    // `last`: the two alternating segments
  int cur_seg_ = 0;
  bool prev_seg_valid_ = false;
  uint64_t seg_begin_ = 0;  // first cycle of the current segment
#endif
};

}  // namespace tessera
