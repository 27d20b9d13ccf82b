// Accelerator configuration: the strict JSON schema (HwConfig) and every parameter derived from it.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "isa/layout.h"

namespace tessera {

// Raised for any rejected configuration; the message names the file, the JSON path and the reason.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exactly the keys of a configs/*.json file (docs/params.md documents each one).
struct HwConfig {
  std::string name;
  std::string description;
  int batch = 0, block_in = 0, block_out = 0;
  int depthwise = 0;  // 1: the GEMM core's depthwise mode exists
  int inp_bits = 0, wgt_bits = 0, acc_bits = 0;
  int64_t uop_bytes = 0, inp_bytes = 0, wgt_bytes = 0, acc_bytes = 0;
  int dram_bus_bits = 0, dram_bytes_per_cycle = 0, dram_latency_cycles = 0;
  int dram_max_outstanding = 0, dram_max_burst_beats = 0;
  int command_queue_depth = 0, token_queue_depth = 0;
  double clock_mhz = 0;
};

// One SRAM as the hardware sees it: element size, depth and index width.
struct SramGeometry {
  int64_t elem_bytes = 0;
  int64_t depth = 0;
  int idx_bits = 0;  // log2(depth)
};

// Everything the tools need, computed once from a HwConfig by derive().
struct DerivedConfig {
  HwConfig hw;
  uint64_t hash = 0;  // canonical hash of the hardware-relevant keys (name/description excluded)
  int out_bits = 0;   // the output view truncates accumulators to the input width, as VTA does
  SramGeometry uop, inp, wgt, acc, out;
  SramGeometry acc8;  // the accumulator SRAM as ACC_8BIT loads see it (1-byte DRAM lanes)
  IsaLayout layout;

  // Element size in bytes of a LOAD/STORE memory type (the unit of sram_base and dram_base).
  int64_t elem_bytes(int mem_type) const;
  // SRAM geometry addressed by a memory type; elem_bytes is the DRAM-side element size.
  const SramGeometry& sram(int mem_type) const;
  int insn_bytes() const { return layout.insn_bits / 8; }
  int uop_bytes() const { return layout.uop_bits / 8; }
  std::string hash_hex() const;
};

// Parse and validate a configuration; `origin` names the source in error messages.
HwConfig parse_config(const std::string& json_text, const std::string& origin);
HwConfig load_config_file(const std::string& path);
// Compute all derived parameters; throws ConfigError (naming `origin`) for impossible combinations.
DerivedConfig derive(const HwConfig& cfg, const std::string& origin = "<config>");
DerivedConfig load_derived(const std::string& path);

// The canonical JSON text of a configuration (sorted keys, no whitespace). Without names it is the
// hardware description, hashed for the config id, which leaves out absent optional units.
std::string canonical_json(const HwConfig& cfg, bool include_names = true);
// Pretty JSON in the configs/ schema.
std::string to_json(const HwConfig& cfg);

// Convert VTA's own configuration format (LOG_* keys, vta_config.json) into ours.
HwConfig import_vta_config(const std::string& json_text, const std::string& origin);

}  // namespace tessera
