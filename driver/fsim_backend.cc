// The functional simulator as a driver backend (untimed, bit-exact golden model).
#include <chrono>

#include "driver/backends.h"
#include "sim/fsim/fsim.h"

namespace tessera {
namespace {

class FsimBackend : public Backend {
 public:
  explicit FsimBackend(const DerivedConfig& cfg) : cfg_(cfg), sim_(cfg_) {}
  std::string name() const override { return "fsim"; }
  RunReport execute(const std::vector<Insn>& program, DeviceMemory& dram, const RunOptions& opt) override {
    const auto t0 = std::chrono::steady_clock::now();
    sim_.reset_stats();  // each call reports its own run (a network calls once per step)
    sim_.set_semantics(opt.semantics);
    const FsimStats s = sim_.run(program, dram.span());
    RunReport r;
    r.backend = opt.semantics == Semantics::TESSERA ? name() : name() + " (" + semantics_name(opt.semantics) + " semantics)";
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.insns = s.insns;
    r.gemm_uops = s.gemm_uops;
    r.alu_uops = s.alu_uops;
    r.macs = s.macs;
    for (size_t m = 0; m < s.bytes_loaded.size(); ++m) {
      r.bytes_loaded_by_type[m] = s.bytes_loaded[m];
      r.bytes_read += s.bytes_loaded[m];
    }
    r.bytes_written = s.bytes_stored;
    return r;
  }

 private:
  DerivedConfig cfg_;
  Fsim sim_;
};

}  // namespace

std::unique_ptr<Backend> make_fsim_backend(const DerivedConfig& cfg) { return std::make_unique<FsimBackend>(cfg); }

}  // namespace tessera
