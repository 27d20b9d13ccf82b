// TlmSystem wiring and run_program: program encoding, memory regions and the host thread.
#include "sim/systemc/tlm_system.h"

#include <algorithm>

#include <sysc/kernel/sc_spawn.h>

namespace tessera {

TlmSystem::TlmSystem(sc_core::sc_module_name name, const DerivedConfig& cfg, const TlmOptions& opt)
    : TlmSystem(name, cfg, opt, TesseraTlm::clock_period(cfg) * cfg.hw.dram_latency_cycles) {}

TlmSystem::TlmSystem(sc_core::sc_module_name name, const DerivedConfig& cfg, const TlmOptions& opt,
                     const sc_core::sc_time& memory_latency)
    : sc_module(name), accel("accel", cfg, opt), memory("memory", memory_latency), host("host", cfg), irq("irq") {
  accel.mem.bind(memory.socket);
  host.bus.bind(accel.ctrl);
  accel.irq(irq);
  host.irq(irq);
}

TlmRunStats run_program(TesseraTlm& accel, TlmMemory& memory, TlmHost& host, const std::vector<Insn>& program,
                        std::vector<uint8_t>& dram, const TlmProgramRun& where) {
  const DerivedConfig& cfg = accel.config();
  if (program.empty()) throw TlmError("run_program: the program has no instructions");
  // Regions are whole bus beats, as the accelerator reads them; the padding reads as zero.
  const uint64_t beat = uint64_t(cfg.hw.dram_bus_bits / 8);
  if (where.insn_addr % beat || where.data_addr % beat)
    throw TlmError("run_program: the instruction and data addresses must be aligned to the " + std::to_string(beat) +
                   "-byte bus");
  const auto whole_beats = [beat](uint64_t bytes) { return (bytes + beat - 1) / beat * beat; };
  const IsaCodec codec(cfg.layout);
  std::vector<uint8_t>& insns =
      memory.add_region("instructions", where.insn_addr, whole_beats(program.size() * codec.insn_bytes()));
  for (size_t i = 0; i < program.size(); ++i) {
    try {
      codec.encode_bytes(program[i], &insns[i * codec.insn_bytes()]);
    } catch (const EncodeError& e) {
      throw TlmError("run_program: instruction " + std::to_string(i) + " does not encode: " + e.what());
    }
  }
  std::vector<uint8_t>& data = memory.add_region("data", where.data_addr, whole_beats(dram.size()));
  std::copy(dram.begin(), dram.end(), data.begin());

  TlmRunStats stats;
  std::string host_error;
  bool finished = false;
  sc_core::sc_spawn([&] {
    try {
      stats = host.run({where.insn_addr, static_cast<uint32_t>(program.size()), where.data_addr, where.timeout});
      finished = true;
    } catch (const TlmError& e) {
      host_error = e.what();
    }
    sc_core::sc_stop();
  });
  sc_core::sc_start();
  if (!accel.error().empty()) throw TlmError(accel.error());
  if (!finished) throw TlmError(host_error.empty() ? "run_program: the simulation ended before the program finished" : host_error);
  std::copy(data.begin(), data.begin() + dram.size(), dram.begin());
  return stats;
}

}  // namespace tessera
