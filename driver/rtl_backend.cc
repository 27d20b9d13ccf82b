// The Verilator cycle-accurate model as a driver backend.
#include <sstream>

#include "driver/backends.h"
#include "sim/rtl/rtl_backend.h"

namespace tessera {
namespace {

class RtlBackend : public Backend {
 public:
  explicit RtlBackend(const DerivedConfig& cfg) : sim_(make_rtl_sim(cfg)) {}
  std::string name() const override { return "rtl"; }
  RunReport execute(const std::vector<Insn>& program, DeviceMemory& dram, const RunOptions& opt) override {
    RtlOptions o;
    o.vcd_path = opt.vcd_path;
    o.fst_path = opt.fst_path;
    o.trace_path = opt.trace_path;
    o.waves = opt.waves;
    if (opt.max_cycles) o.max_cycles = opt.max_cycles;
    const RtlStats s = sim_->run(program, dram.span(), o);
    RunReport r;
    r.backend = name();
    r.cycles = s.cycles;
    for (int u = 0; u < kNumUnits; ++u) {
      r.insns[u] = s.units[u].insns;
      r.busy[u] = s.units[u].busy;
      r.stall[u] = s.units[u].stall;
    }
    const auto& c = sim_->config().hw;
    r.gemm_uops = s.gemm_uops;
    r.alu_uops = s.alu_uops;
    r.macs = s.gemm_uops * uint64_t(c.batch) * c.block_in * c.block_out;
    r.bytes_read = s.bytes_read;
    r.bytes_written = s.bytes_written;
    r.wall_seconds = s.wall_seconds;
    std::istringstream lines(describe_waves(s.waves, opt.waves));
    for (std::string l; std::getline(lines, l);) r.waveforms.push_back(l);
    return r;
  }

 private:
  std::unique_ptr<RtlSim> sim_;
};

}  // namespace

std::unique_ptr<Backend> make_rtl_backend(const DerivedConfig& cfg) { return std::make_unique<RtlBackend>(cfg); }

}  // namespace tessera
