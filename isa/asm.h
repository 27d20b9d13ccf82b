// Table-driven assembler and disassembler for tessera programs (text format: docs/assembly.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"
#include "isa/program.h"

namespace tessera {

// Every assembly problem found, one per line, each as "file:line:col: message".
class AsmError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AsmOptions {
  // Reject programs whose dependency tokens do not balance (isa/tokens.h). Off only for tests that
  // deliberately feed a simulator a deadlocking program.
  bool check_tokens = true;
};

// Assemble a whole program for `cfg`; `origin` names the text in error messages.
Program assemble(const std::string& text, const DerivedConfig& cfg, const std::string& origin,
                 const AsmOptions& opts = {});

// Canonical text of a program; assemble(disassemble(p)) == p, and canonical text reproduces itself.
std::string disassemble(const Program& p, const DerivedConfig& cfg);
// Canonical one-line form of an instruction (no newline); the layout says which fields its format carries.
std::string disassemble_insn(const Insn& insn, const IsaLayout& layout);
// A bare stream of encoded instructions (e.g. a VTA instruction buffer) as canonical lines.
// A length that is not a whole number of instructions, or an undefined opcode, is an AsmError
// naming `origin` and the byte offset.
std::string disassemble_raw(const std::vector<uint8_t>& bytes, const IsaCodec& codec, const std::string& origin);

}  // namespace tessera
