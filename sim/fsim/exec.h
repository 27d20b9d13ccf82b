// Internal interface of the per-instruction-class exec functions (exec_*.cc).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "isa/program.h"
#include "sim/fsim/fsim.h"
#include "sim/fsim/sram.h"

namespace tessera {

// Everything one instruction's execution may read or change.
struct ExecContext {
  const DerivedConfig& cfg;
  const IsaCodec& codec;
  FsimSram& sram;
  FsimStats& stats;
  DramSpan dram;
  const Insn& insn;
  int64_t index;
  Semantics semantics = Semantics::TESSERA;

  // Throws FsimError "instruction <index> (<OPCODE>, <unit> unit): <what>: <why>".
  [[noreturn]] void fail(const std::string& what, const std::string& why) const;
  // Byte offset of DRAM element `elem` of `elem_bytes`; throws naming `field` when the element is
  // not wholly inside the DRAM vector.
  int64_t dram_offset(int64_t elem, int64_t elem_bytes, const char* field) const;
};

// One micro-op operand of a GEMM/ALU loop nest: index = uop.<field> + o * f_out + i * f_in.
struct UopOperand {
  const char* field;  // "dst", "src" or "wgt"
  uint32_t Uop::*member;
  int64_t f_out, f_in;
  const char* sram;   // the SRAM it indexes, for messages
  int64_t depth;
};
// Reads uop_bgn/uop_end/iter_*/factors (wgt factors are 0 for ALU, whose format has none) and checks
// the micro-op range against the UOP depth.
UopLoop read_uop_loop(const ExecContext& x);
// Throws naming the first (o, i, micro-op) in loop order whose operand index reaches its depth.
void check_uop_operands(const ExecContext& x, const UopLoop& l, std::initializer_list<UopOperand> ops);

// acc[d] = 0 for every d of the loop nest (GEMM and ALU reset), after check_uop_operands on dst.
void reset_accumulators(const UopLoop& l, FsimSram& s);

void exec_load(const ExecContext& x);
void exec_store(const ExecContext& x);
void exec_gemm(const ExecContext& x);
void exec_alu(const ExecContext& x);

}  // namespace tessera
