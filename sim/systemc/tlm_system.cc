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

namespace {
uint64_t whole_beats(const DerivedConfig& cfg, uint64_t bytes) {
  const uint64_t beat = uint64_t(cfg.hw.dram_bus_bits / 8);
  return (bytes + beat - 1) / beat * beat;
}
void check_aligned(const DerivedConfig& cfg, uint64_t addr, const std::string& what) {
  if (addr % uint64_t(cfg.hw.dram_bus_bits / 8))
    throw TlmError("TlmSystem: the " + what + " address must be aligned to the " +
                   std::to_string(cfg.hw.dram_bus_bits / 8) + "-byte bus");
}
}  // namespace

// Regions are whole bus beats, as the accelerator reads them; the padding reads as zero.
void map_program(TlmMemory& memory, const DerivedConfig& cfg, const std::string& name, uint64_t base,
                 const std::vector<Insn>& program) {
  check_aligned(cfg, base, "instruction");
  const IsaCodec codec(cfg.layout);
  std::vector<uint8_t>& insns = memory.add_region(name, base, whole_beats(cfg, program.size() * codec.insn_bytes()));
  for (size_t i = 0; i < program.size(); ++i) {
    try {
      codec.encode_bytes(program[i], &insns[i * codec.insn_bytes()]);
    } catch (const EncodeError& e) {
      throw TlmError(name + ": instruction " + std::to_string(i) + " does not encode: " + e.what());
    }
  }
}

std::vector<uint8_t>& map_data(TlmMemory& memory, const DerivedConfig& cfg, uint64_t base,
                               const std::vector<uint8_t>& dram) {
  check_aligned(cfg, base, "data");
  std::vector<uint8_t>& data = memory.add_region("data", base, whole_beats(cfg, dram.size()));
  std::copy(dram.begin(), dram.end(), data.begin());
  return data;
}

TlmRunStats run_program(TesseraTlm& accel, TlmMemory& memory, TlmHost& host, const std::vector<Insn>& program,
                        std::vector<uint8_t>& dram, const TlmProgramRun& where) {
  if (program.empty()) throw TlmError("run_program: the program has no instructions");
  map_program(memory, accel.config(), "instructions", where.insn_addr, program);
  const std::vector<uint8_t>& data = map_data(memory, accel.config(), where.data_addr, dram);

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
