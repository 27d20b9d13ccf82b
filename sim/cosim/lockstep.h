// Lockstep co-simulation: the RTL's retire order replayed through the functional simulator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/fsim/fsim.h"
#include "sim/rtl/rtl_backend.h"

namespace tessera {

// Storage arrays of the four SRAMs below tessera_top (hw/rtl/README.md documents them). Element i of
// each is one mem_q entry holding the element's lanes LSB first ([b][i], [o][i], [b][o]) and, for the
// micro-op buffer, the encoded micro-op.
struct SramPaths {
  std::string uop = "u_compute.u_uop_sram.mem_q";
  std::string inp = "u_load.u_inp_sram.mem_q";
  std::string wgt = "u_load.u_wgt_sram.mem_q";
  std::string acc = "u_compute.u_acc_sram.mem_q";
};

struct CosimOptions {
  RtlOptions rtl;
  SramPaths paths;
  // An element written by one of the next `overlap_window` instructions of the same unit may already
  // hold that later value when an instruction retires (pipelined units); such elements are checked at
  // that later retire and in the final state instead.
  int overlap_window = 8;
};

struct CosimResult {
  bool ok = true;
  std::string divergence;  // first divergence: program index, unit, memory, address, expected, actual
  int64_t checked_insns = 0, checked_elements = 0;
  RtlStats rtl;
};

// Runs `program` on `rtl` with a copy of `dram`, checking after every retire, then checks the final
// SRAM elements written and the final DRAM against both the replay and Fsim::run(). RtlError and
// WatchdogError propagate; an instruction the fsim rejects is a divergence.
CosimResult run_lockstep(RtlSim& rtl, const std::vector<Insn>& program, const std::vector<uint8_t>& dram,
                         const CosimOptions& opt = {});

}  // namespace tessera
