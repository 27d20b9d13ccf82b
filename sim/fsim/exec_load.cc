// LOAD: 2-D strided DMA from DRAM into one SRAM, with zero padding.
#include <cstring>

#include "sim/fsim/exec.h"

namespace tessera {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ACC elements are copied as little-endian int32");

// Writes SRAM element e of memory type m from DRAM bytes `src` (nullptr: the zero element).
void write_element(const ExecContext& x, MemType m, int64_t e, const uint8_t* src) {
  FsimSram& s = x.sram;
  switch (m) {
    case MemType::UOP: s.uop[size_t(e)] = src ? x.codec.decode_uop(src) : Uop{}; break;
    case MemType::WGT: s.set_wgt(e, reinterpret_cast<const int8_t*>(src)); break;
    case MemType::INP: s.set_inp(e, reinterpret_cast<const int8_t*>(src)); break;
    case MemType::ACC: {
      int32_t* dst = &s.acc[size_t(e * s.acc_lanes)];
      if (src) std::memcpy(dst, src, size_t(s.acc_lanes) * sizeof(int32_t));
      else std::memset(dst, 0, size_t(s.acc_lanes) * sizeof(int32_t));
      break;
    }
    case MemType::ACC_8BIT: {
      int32_t* dst = &s.acc[size_t(e * s.acc_lanes)];
      for (int64_t l = 0; l < s.acc_lanes; ++l) dst[l] = src ? int32_t(int8_t(src[l])) : 0;
      break;
    }
    case MemType::OUT:
    case MemType::OUT_TO_INP: break;  // rejected by exec_load before any write
  }
}

}  // namespace

// LOAD semantics, with sram = the SRAM of memory_type and elem(a) = DRAM element a of that type:
//
//   if x_size == 0: return                                  // token-only sync, pads ignored
//   row = x_pad_0 + x_size + x_pad_1;  e = sram_base
//   for y < y_pad_0: for x < row: sram[e++] = 0
//   for y < y_size:
//     for x < x_pad_0: sram[e++] = 0
//     for x < x_size:  sram[e++] = elem(dram_base + y * x_stride + x)
//     for x < x_pad_1: sram[e++] = 0
//   for y < y_pad_1: for x < row: sram[e++] = 0
//
// Element kinds: UOP = one encoded micro-op, WGT [BLOCK_OUT][BLOCK_IN] int8, INP [BATCH][BLOCK_IN]
// int8, ACC [BATCH][BLOCK_OUT] int32 little-endian, ACC_8BIT [BATCH][BLOCK_OUT] int8 sign-extended
// into the ACC SRAM. OUT cannot be loaded. Every written index must be below the SRAM depth and
// every DRAM element inside the DRAM vector; nothing is written when either check fails.
void exec_load(const ExecContext& x) {
  const Insn& in = x.insn;
  const int64_t mt = in[Field::MEMORY_TYPE];
  if (!mem_type_name(int(mt))) x.fail("memory_type", std::to_string(mt) + " is not a memory type");
  const auto m = static_cast<MemType>(mt);
  if (m == MemType::OUT || m == MemType::OUT_TO_INP)
    x.fail("memory_type", std::string(mem_type_name(int(m))) + " can only be stored, not loaded");
  const int64_t x_size = in[Field::X_SIZE];
  if (x_size == 0) return;

  const SramGeometry& g = x.cfg.sram(int(mt));
  const int64_t y_size = in[Field::Y_SIZE], stride = in[Field::X_STRIDE], base = in[Field::DRAM_BASE];
  const int64_t xp0 = in[Field::X_PAD_0], xp1 = in[Field::X_PAD_1];
  const int64_t yp0 = in[Field::Y_PAD_0], yp1 = in[Field::Y_PAD_1];
  const int64_t row = xp0 + x_size + xp1;
  const int64_t sram_base = in[Field::SRAM_BASE], count = (yp0 + y_size + yp1) * row;
  if (sram_base + count > g.depth)
    x.fail("sram_base", "writes " + std::string(mem_type_name(int(mt))) + " SRAM elements " +
                            std::to_string(sram_base) + ".." + std::to_string(sram_base + count - 1) +
                            ", past its depth " + std::to_string(g.depth));
  if (y_size > 0) {
    x.dram_offset(base, g.elem_bytes, "dram_base");
    x.dram_offset(base + (y_size - 1) * stride + x_size - 1, g.elem_bytes, "dram_base + (y_size-1)*x_stride + x_size-1");
  }

  int64_t e = sram_base;
  for (int64_t i = 0; i < yp0 * row; ++i) write_element(x, m, e++, nullptr);
  for (int64_t y = 0; y < y_size; ++y) {
    for (int64_t i = 0; i < xp0; ++i) write_element(x, m, e++, nullptr);
    const uint8_t* src = x.dram.data() + (base + y * stride) * g.elem_bytes;
    for (int64_t i = 0; i < x_size; ++i) write_element(x, m, e++, src + i * g.elem_bytes);
    for (int64_t i = 0; i < xp1; ++i) write_element(x, m, e++, nullptr);
  }
  for (int64_t i = 0; i < yp1 * row; ++i) write_element(x, m, e++, nullptr);
  x.stats.bytes_loaded[size_t(mt)] += uint64_t(y_size * x_size * g.elem_bytes);
}

}  // namespace tessera
