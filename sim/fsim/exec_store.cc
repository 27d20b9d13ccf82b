// STORE: 2-D strided copy of the accumulator SRAM's output view to DRAM (OUT) or, on chip, to the
// input SRAM (OUT_TO_INP), truncating each lane.
#include "sim/fsim/exec.h"

namespace tessera {

// STORE semantics (memory_type OUT, or OUT_TO_INP with the TESSERA ISA; every pad must be 0):
//
//   if x_size == 0: return                                  // token-only sync
//   for y < y_size: for x < x_size:
//     a = acc[sram_base + y * x_size + x]                   // [BATCH][BLOCK_OUT] int32
//     out = OUT: DRAM element dram_base + y * x_stride + x  // [BATCH][BLOCK_OUT] int8
//           OUT_TO_INP: inp[dram_base + y * x_stride + x]   // [BATCH][BLOCK_IN], BLOCK_IN = BLOCK_OUT
//     for l < BATCH * BLOCK_OUT: out[l] = int8(a[l] & 0xff) // truncated, not saturated, as VTA
//
// Every SRAM index must be below the ACC depth and every destination inside the DRAM vector or
// below the INP depth; nothing is written when a check fails.
void exec_store(const ExecContext& x) {
  const Insn& in = x.insn;
  const int64_t mt = in[Field::MEMORY_TYPE];
  const bool on_chip = mt == int(MemType::OUT_TO_INP);
  if (mt != int(MemType::OUT) && !on_chip)
    x.fail("memory_type", std::string(mem_type_name(int(mt)) ? mem_type_name(int(mt)) : std::to_string(mt)) +
                              " cannot be stored; STORE writes OUT (or OUT_TO_INP, TESSERA)");
  if (on_chip && x.semantics == Semantics::VTA)
    x.fail("memory_type", "OUT_TO_INP is a TESSERA extension; VTA's STORE writes only OUT");
  if (on_chip && x.cfg.hw.block_in != x.cfg.hw.block_out)
    x.fail("memory_type", "OUT_TO_INP needs BLOCK_IN = BLOCK_OUT (this config: " + std::to_string(x.cfg.hw.block_in) +
                              " and " + std::to_string(x.cfg.hw.block_out) + ")");
  for (Field f : {Field::Y_PAD_0, Field::Y_PAD_1, Field::X_PAD_0, Field::X_PAD_1})
    if (in[f] != 0) x.fail(field_info(f).asm_name, "STORE does not pad (value " + std::to_string(in[f]) + ")");
  const int64_t x_size = in[Field::X_SIZE];
  if (x_size == 0) return;

  const SramGeometry& g = x.cfg.out;
  const int64_t y_size = in[Field::Y_SIZE], stride = in[Field::X_STRIDE], base = in[Field::DRAM_BASE];
  const int64_t sram_base = in[Field::SRAM_BASE];
  if (y_size == 0) return;
  if (sram_base + y_size * x_size > g.depth)
    x.fail("sram_base", "reads ACC SRAM elements " + std::to_string(sram_base) + ".." +
                            std::to_string(sram_base + y_size * x_size - 1) + ", past its depth " +
                            std::to_string(g.depth));
  const int64_t lanes = x.sram.acc_lanes;
  if (on_chip) {
    const int64_t last = base + (y_size - 1) * stride + x_size - 1;
    if (last >= x.cfg.inp.depth)
      x.fail("dram_base", "writes INP SRAM element " + std::to_string(last) + ", past its depth " +
                              std::to_string(x.cfg.inp.depth));
    std::vector<int8_t> v(static_cast<size_t>(lanes));
    for (int64_t y = 0; y < y_size; ++y)
      for (int64_t i = 0; i < x_size; ++i) {
        const int32_t* a = &x.sram.acc[size_t((sram_base + y * x_size + i) * lanes)];
        for (int64_t l = 0; l < lanes; ++l) v[size_t(l)] = int8_t(uint8_t(uint32_t(a[l]) & 0xffu));
        x.sram.set_inp(base + y * stride + i, v.data());
      }
    return;
  }
  x.dram_offset(base, g.elem_bytes, "dram_base");
  x.dram_offset(base + (y_size - 1) * stride + x_size - 1, g.elem_bytes, "dram_base + (y_size-1)*x_stride + x_size-1");

  for (int64_t y = 0; y < y_size; ++y)
    for (int64_t i = 0; i < x_size; ++i) {
      const int32_t* a = &x.sram.acc[size_t((sram_base + y * x_size + i) * lanes)];
      uint8_t* out = x.dram.data() + (base + y * stride + i) * g.elem_bytes;
      for (int64_t l = 0; l < lanes; ++l) out[l] = uint8_t(uint32_t(a[l]) & 0xffu);
    }
  x.stats.bytes_stored += uint64_t(y_size * x_size * g.elem_bytes);
}

}  // namespace tessera
