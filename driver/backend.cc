// Backend registry and the run report's text/JSON forms.
#include "driver/backend.h"

#include <sstream>
#include <stdexcept>

#include "driver/backends.h"

namespace tessera {

std::vector<std::string> backend_names() {
  std::vector<std::string> v = {"fsim"};
#ifdef TESSERA_HAVE_RTL
  v.push_back("rtl");
#endif
#ifdef TESSERA_HAVE_SYSTEMC
  v.push_back("systemc");
#endif
#ifdef TESSERA_HAVE_XRT
  v.push_back("xrt");
#endif
  return v;
}

std::unique_ptr<Backend> make_backend(const std::string& name, const DerivedConfig& cfg) {
  if (name == "fsim") return make_fsim_backend(cfg);
#ifdef TESSERA_HAVE_RTL
  if (name == "rtl") return make_rtl_backend(cfg);
#endif
#ifdef TESSERA_HAVE_SYSTEMC
  if (name == "systemc") return make_systemc_backend(cfg);
#endif
#ifdef TESSERA_HAVE_XRT
  if (name == "xrt") return make_xrt_backend(cfg);
#endif
  std::string avail;
  for (const auto& n : backend_names()) avail += (avail.empty() ? "" : ", ") + n;
  throw std::runtime_error("unknown or unavailable backend '" + name + "' (available: " + avail + ")");
}

nlohmann::ordered_json RunReport::to_json(const DerivedConfig& cfg) const {
  nlohmann::ordered_json j;
  j["backend"] = backend;
  j["config"] = cfg.hw.name;
  j["config_hash"] = cfg.hash_hex();
  if (cycles) j["cycles"] = cycles;
  for (int u = 0; u < kNumUnits; ++u) {
    auto& ju = j["units"][unit_name(Unit(u))];
    ju["insns"] = insns[u];
    if (cycles) {
      ju["busy_cycles"] = busy[u];
      ju["stall_cycles"] = stall[u];
    }
  }
  j["gemm_uops"] = gemm_uops;
  j["alu_uops"] = alu_uops;
  j["macs"] = macs;
  if (cycles) j["gemm_utilization"] = double(gemm_uops) / double(cycles);
  j["dram_bytes_read"] = bytes_read;
  j["dram_bytes_written"] = bytes_written;
  for (const auto& m : mem_types())
    if (bytes_loaded_by_type[m.value]) j["dram_bytes_loaded_by_type"][m.name] = bytes_loaded_by_type[m.value];
  j["wall_seconds"] = wall_seconds;
  return j;
}

std::string RunReport::to_text(const DerivedConfig& cfg) const {
  std::ostringstream os;
  os << "backend " << backend << " on config " << cfg.hw.name << " (" << cfg.hash_hex() << ")\n";
  if (cycles)
    os << "  cycles            " << cycles << "  (" << double(cycles) / cfg.hw.clock_mhz << " us at "
       << cfg.hw.clock_mhz << " MHz)\n";
  for (int u = 0; u < kNumUnits; ++u) {
    os << "  " << unit_name(Unit(u)) << std::string(18 - std::string(unit_name(Unit(u))).size(), ' ') << insns[u]
       << " insns";
    if (cycles) os << ", busy " << busy[u] << ", stalled " << stall[u] << " cycles";
    os << "\n";
  }
  os << "  GEMM micro-ops    " << gemm_uops << " (" << macs << " MACs)\n"
     << "  ALU micro-ops     " << alu_uops << "\n";
  if (cycles) os << "  GEMM utilization  " << 100.0 * double(gemm_uops) / double(cycles) << " %\n";
  os << "  DRAM bytes        read " << bytes_read << ", written " << bytes_written << "\n"
     << "  wall time         " << wall_seconds << " s\n";
  for (const auto& w : waveforms) os << "  " << w << "\n";
  return os.str();
}

}  // namespace tessera
