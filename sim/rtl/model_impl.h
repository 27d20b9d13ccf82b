// RtlModel over one verilated tessera_top class; instantiated once per config by model_entry.cc.in.
#pragma once

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

  void open_waves(const std::string& vcd_path, const std::string& fst_path) override {
    close_waves();
    if (vcd_path.empty() && fst_path.empty()) return;
#if VM_TRACE_FST
    // One FST serves both files: the requested one, or a temporary next to the VCD, converted at close.
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
    fst_.reset(new VerilatedFstC);
    top_->trace(fst_.get(), 99);
    fst_->open(fst_path_.c_str());
    if (!fst_->isOpen()) {
      fst_.reset();
      throw std::runtime_error("cannot write FST waveform '" + fst_path_ + "'");
    }
#elif VM_TRACE_VCD
    if (!fst_path.empty())
      throw std::runtime_error("this RTL model was built with VCD tracing only, so it cannot write FST '" + fst_path +
                               "'; reconfigure with -DTESSERA_RTL_TRACE=FST (the default, gives both formats)");
    vcd_.reset(new VerilatedVcdC);
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

  void close_waves() override {
#if VM_TRACE_FST
    if (!fst_) return;
    fst_->close();
    fst_.reset();
    struct RemoveTemporary {
      std::string path;
      ~RemoveTemporary() {
        if (!path.empty()) std::remove(path.c_str());
      }
    } temporary{fst_is_temporary_ ? fst_path_ : std::string()};
    if (!vcd_path_.empty()) fst_to_vcd(fst_path_, std::exchange(vcd_path_, std::string()));
#endif
#if VM_TRACE_VCD
    if (vcd_) vcd_->close();
    vcd_.reset();
#endif
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
  void dump() {
    ctx_->timeInc(1);
#if VM_TRACE_VCD
    if (vcd_) vcd_->dump(ctx_->time());
#endif
#if VM_TRACE_FST
    if (fst_) fst_->dump(ctx_->time());
#endif
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<VTop> top_;
  BusWords retire_idx_{};
#if VM_TRACE_VCD
  std::unique_ptr<VerilatedVcdC> vcd_;
#endif
#if VM_TRACE_FST
  std::unique_ptr<VerilatedFstC> fst_;
  std::string fst_path_, vcd_path_;  // the FST being written; the VCD to convert it into at close
  bool fst_is_temporary_ = false;
#endif
};

}  // namespace tessera
