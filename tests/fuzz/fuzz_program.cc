// Fuzzes the .tsp reader (checksum patched so inputs reach the parser) and the raw-stream disassembler.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "isa/asm.h"
#include "isa/program.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

// The header checksum (docs/program-format.md): FNV-1a 64 with its own 8 bytes at offset 40 read as zero.
void patch_checksum(std::vector<uint8_t>& b) {
  if (b.size() < 48) return;
  for (int i = 0; i < 8; ++i) b[40 + i] = 0;
  uint64_t h = 14695981039346656037ull;
  for (uint8_t x : b) h = (h ^ x) * 1099511628211ull;
  for (int i = 0; i < 8; ++i) b[40 + i] = uint8_t(h >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  const tessera::DerivedConfig& cfg = tessera::fuzz_configs()[0];
  try {
    const std::string text = tessera::disassemble_raw(bytes, tessera::IsaCodec(cfg.layout), "fuzz.bin");
    // Whatever a raw stream decodes to must assemble back to one instruction per encoded word.
    const tessera::Program p = tessera::assemble(text, cfg, "raw.s", tessera::AsmOptions{false});
    if (p.insns.size() != bytes.size() / size_t(cfg.insn_bytes())) std::abort();
  } catch (const tessera::AsmError&) {
  }

  patch_checksum(bytes);
  tessera::Program p;
  try {
    p = tessera::read_program(bytes, "fuzz.tsp");
  } catch (const tessera::ProgramError&) {
    return 0;
  }
  const std::vector<uint8_t> out = tessera::write_program(p);
  if (!(tessera::read_program(out, "rewritten") == p)) std::abort();
  if (p.dram_bytes <= (1u << 20)) {
    const tessera::DerivedConfig d = tessera::derive(p.config);
    if (tessera::initial_dram(p, d).size() != p.dram_bytes) std::abort();
  }
  return 0;
}
