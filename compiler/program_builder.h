// Assembles a Program: DRAM placement, deduplicated micro-op kernels, and one note per instruction.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "compiler/requant.h"
#include "isa/config.h"
#include "isa/program.h"

namespace tessera::compiler {

class ProgramBuilder {
 public:
  // `isa` decides how a segment ends (end_segment): VTA ends it as VTA's runtime does.
  explicit ProgramBuilder(const DerivedConfig& cfg, IsaTarget isa = IsaTarget::TESSERA);
  const DerivedConfig& cfg() const { return cfg_; }
  IsaTarget isa() const { return isa_; }

  // Reserves DRAM and returns its byte offset, aligned to `align` bytes.
  uint64_t reserve(uint64_t bytes, uint64_t align);
  // Places constant bytes (aligned) and returns their byte offset.
  uint64_t add_constant(std::vector<uint8_t> bytes, uint64_t align);
  void add_tensor(TensorInfo t) { p_.tensors.push_back(std::move(t)); }

  // Index of the kernel's first micro-op in the micro-op SRAM; identical kernels of a segment are stored once.
  int64_t kernel(const std::vector<Uop>& uops);

  // Appends an instruction and the note the listing shows before it; returns its index.
  size_t emit(const Insn& insn, std::string note);
  Insn& insn(size_t i) { return p_.insns[i]; }
  size_t size() const { return p_.insns.size(); }

  // Closes the instructions emitted since the previous segment into one self-contained run: its
  // micro-op kernels loaded first, a FINISH last; checks the micro-op buffer and the token balance
  // (throws CompileError naming `what`). Returns the segment's instruction range [begin, end).
  // On the VTA target the FINISH comes after VTA's end-of-stream sync (VTA's FINISH raises done as
  // soon as compute executes it): the last store-unit instruction pushes s2g, the last load-unit
  // instruction pushes l2g (each on a token-only NOP when the flag is taken), and a compute NOP
  // (LOAD UOP, x_size 0) pops both right before a FINISH that pops nothing (docs/vta.md).
  std::pair<uint64_t, uint64_t> end_segment(const std::string& what);

  // Ends the open segment (if any instruction is pending or none was ever made), places the
  // micro-op block and checks the whole program; throws CompileError naming `what` on failure.
  Program finish(const std::string& what, std::vector<std::string>* notes);
  Program& program() { return p_; }

 private:
  struct Segment { size_t uop_load_insn; int64_t uop_first, uop_count; };
  void vta_end_sync(const std::string& what);
  DerivedConfig cfg_;
  IsaTarget isa_;
  Program p_;
  std::vector<std::string> notes_;
  std::map<std::vector<uint32_t>, int64_t> kernels_;  // of the open segment, SRAM index
  std::vector<Segment> segments_;
  size_t seg_insn_ = 0;   // first instruction of the open segment
  int64_t seg_uop_ = 0;   // first micro-op of the open segment in the program's block
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
