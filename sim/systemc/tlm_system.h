// A ready-wired platform (host, accelerator, memory) and the call that runs one program on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "isa/config.h"
#include "isa/insn.h"
#include "sim/systemc/tessera_tlm.h"
#include "sim/systemc/tlm_host.h"
#include "sim/systemc/tlm_memory.h"

namespace tessera {

class TlmSystem : public sc_core::sc_module {
 public:
  TesseraTlm accel;
  TlmMemory memory;
  TlmHost host;
  sc_core::sc_signal<bool> irq;

  // The memory's latency defaults to the config's dram.latency_cycles clock periods, which makes the
  // accelerator's cycle counts equal to RtlSim's with the same DRAM figures.
  TlmSystem(sc_core::sc_module_name name, const DerivedConfig& cfg, const TlmOptions& opt = {});
  TlmSystem(sc_core::sc_module_name name, const DerivedConfig& cfg, const TlmOptions& opt,
            const sc_core::sc_time& memory_latency);
};

struct TlmProgramRun {
  uint64_t insn_addr = 0x1'0000'0000ull;  // where the encoded instructions are mapped (RtlSim's default)
  uint64_t data_addr = 0x2'0000'0000ull;  // device address of dram[0] (RtlSim's default)
  sc_core::sc_time timeout = sc_core::sc_time(1, sc_core::SC_SEC);
};

// Maps the encoded `program` at `base` of `memory` as region `name` (whole bus beats). Throws TlmError
// when `base` is not bus-aligned or an instruction does not encode.
void map_program(TlmMemory& memory, const DerivedConfig& cfg, const std::string& name, uint64_t base,
                 const std::vector<Insn>& program);
// Maps a copy of `dram` at `base` as region "data" and returns it.
std::vector<uint8_t>& map_data(TlmMemory& memory, const DerivedConfig& cfg, uint64_t base,
                               const std::vector<uint8_t>& dram);

// Maps the encoded `program` and `dram` into `memory` (which `accel` reaches through any interconnect),
// runs sc_start() with `host` driving the accelerator until the program is done (or the accelerator
// stopped), and copies the data region back into `dram`. One call per elaborated simulation. Throws
// TlmError with the accelerator's deadlock or bus-error report, or the host's error.
TlmRunStats run_program(TesseraTlm& accel, TlmMemory& memory, TlmHost& host, const std::vector<Insn>& program,
                        std::vector<uint8_t>& dram, const TlmProgramRun& where = {});
inline TlmRunStats run_program(TlmSystem& sys, const std::vector<Insn>& program, std::vector<uint8_t>& dram,
                               const TlmProgramRun& where = {}) {
  return run_program(sys.accel, sys.memory, sys.host, program, dram, where);
}

}  // namespace tessera
