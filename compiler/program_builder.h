// Assembles a Program: DRAM placement, deduplicated micro-op kernels, and one note per instruction.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/program.h"

namespace tessera::compiler {

class ProgramBuilder {
 public:
  explicit ProgramBuilder(const DerivedConfig& cfg);
  const DerivedConfig& cfg() const { return cfg_; }

  // Reserves DRAM and returns its byte offset, aligned to `align` bytes.
  uint64_t reserve(uint64_t bytes, uint64_t align);
  // Places constant bytes (aligned) and returns their byte offset.
  uint64_t add_constant(std::vector<uint8_t> bytes, uint64_t align);
  void add_tensor(TensorInfo t) { p_.tensors.push_back(std::move(t)); }

  // Index of the kernel's first micro-op in the micro-op SRAM; identical kernels are stored once.
  int64_t kernel(const std::vector<Uop>& uops);

  // Appends an instruction and the note the listing shows before it; returns its index.
  size_t emit(const Insn& insn, std::string note);
  Insn& insn(size_t i) { return p_.insns[i]; }
  size_t size() const { return p_.insns.size(); }

  // Prepends the micro-op load, places the micro-op block, checks the micro-op buffer and the
  // token balance; throws CompileError naming `what` on failure.
  Program finish(const std::string& what, std::vector<std::string>* notes);

 private:
  DerivedConfig cfg_;
  Program p_;
  std::vector<std::string> notes_;
  std::map<std::vector<uint32_t>, int64_t> kernels_;
  uint64_t end_ = 0;
};

// Field-by-field constructors for the three formats the lowering emits.
Insn mem_insn(Opcode op, MemType m, int64_t sram, int64_t dram, int64_t y_size, int64_t x_size, int64_t x_stride);
struct UopLoopSpec {
  int64_t uop_bgn = 0, uop_end = 0, iter_out = 1, iter_in = 1;
  int64_t dst_out = 0, dst_in = 0, src_out = 0, src_in = 0, wgt_out = 0, wgt_in = 0;
};
Insn gemm_insn(const UopLoopSpec& l, bool reset);
Insn alu_insn(const UopLoopSpec& l, AluOp op, bool use_imm, int64_t imm);

}  // namespace tessera::compiler
