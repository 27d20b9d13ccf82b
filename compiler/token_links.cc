// TokenLinks: one token per hazard that program order alone does not cover.
#include "compiler/token_links.h"

#include <string>

#include "compiler/compile_error.h"

namespace tessera::compiler {

void TokenLinks::link(size_t producer, size_t consumer) {
  const Unit p = route(b_.insn(producer)), c = route(b_.insn(consumer));
  // Queue index (l2g, g2l, g2s, s2g) and the flags on either end.
  int q = -1;
  Field push = Field::PUSH_NEXT, pop = Field::POP_PREV;
  if (p == Unit::LOAD && c == Unit::COMPUTE) q = 0;
  if (p == Unit::COMPUTE && c == Unit::LOAD) q = 1, push = Field::PUSH_PREV, pop = Field::POP_NEXT;
  if (p == Unit::COMPUTE && c == Unit::STORE) q = 2;
  if (p == Unit::STORE && c == Unit::COMPUTE) q = 3, push = Field::PUSH_PREV, pop = Field::POP_NEXT;
  if (q < 0 || producer >= consumer)
    throw CompileError("internal error: no dependency token from instruction " + std::to_string(producer) +
                       " to instruction " + std::to_string(consumer));
  std::ptrdiff_t& last = last_[size_t(q)];
  std::ptrdiff_t& popper = popper_[size_t(q)];
  if (std::ptrdiff_t(producer) <= last) return;  // an earlier link already orders them
  if (popper == std::ptrdiff_t(consumer)) {
    b_.insn(size_t(last))[push] = 0;  // the same consumer now waits for a later producer
  } else {
    if (popper > std::ptrdiff_t(consumer))
      throw CompileError("internal error: dependency tokens linked out of program order at instruction " +
                         std::to_string(consumer));
    b_.insn(consumer)[pop] = 1;
  }
  b_.insn(producer)[push] = 1;
  last = std::ptrdiff_t(producer), popper = std::ptrdiff_t(consumer);
}

}  // namespace tessera::compiler
