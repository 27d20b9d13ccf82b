// The execution-backend interface the driver runs programs on: fsim, rtl (Verilator), later xrt.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/config.h"
#include "isa/insn.h"
#include "isa/program.h"
#include "sim/rtl/model.h"
#include "sim/fsim/fsim.h"

namespace tessera {

struct RunOptions {
  std::string vcd_path, fst_path, trace_path;  // waveforms and unit-activity trace (timed backends)
  uint64_t max_cycles = 0;                     // 0 = the backend's default limit
  std::string xclbin_path;                     // xrt: the FPGA bitstream with the tessera kernel
  unsigned timeout_ms = 0;                     // xrt: how long to wait for done (0 = 60 s)
  Semantics semantics = Semantics::TESSERA;    // fsim: whose ISA rules to follow (VTA: docs/vta.md)
  uint64_t dram_capacity = 0;                  // device DRAM in bytes; 0 = kDefaultDramCapacity (4 GiB)
  std::string program_origin = "program";      // names the program (its file) in capacity errors
  WaveOptions waves;                           // rtl, systemc: cycle window and scope of --vcd/--fst
};

// What a backend reports after a run; counters a backend cannot observe stay 0.
struct RunReport {
  std::string backend;
  uint64_t cycles = 0;                                // accelerator cycles (0 on untimed backends)
  std::array<uint64_t, kNumUnits> insns{}, busy{}, stall{};
  uint64_t gemm_uops = 0, alu_uops = 0, macs = 0;
  uint64_t bytes_read = 0, bytes_written = 0;
  std::array<uint64_t, 8> bytes_loaded_by_type{};    // per memory type (fsim)
  double wall_seconds = 0;
  std::vector<std::string> waveforms;                 // "path: size, cycles a..b" of each waveform written

  nlohmann::ordered_json to_json(const DerivedConfig& cfg) const;
  std::string to_text(const DerivedConfig& cfg) const;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Runs the instruction stream against device memory `dram` (byte 0 = dram_base 0), in place. The
  // memory is committed lazily (isa/program.h): a backend touches only the pages the program uses.
  virtual RunReport execute(const std::vector<Insn>& program, DeviceMemory& dram, const RunOptions& opt) = 0;
};

// "fsim", "rtl" or "xrt" (those built in); throws std::runtime_error naming the available backends for anything else.
std::unique_ptr<Backend> make_backend(const std::string& name, const DerivedConfig& cfg);
std::vector<std::string> backend_names();

}  // namespace tessera
