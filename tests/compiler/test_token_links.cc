// TokenLinks: declared dependencies become exactly the token flags program order needs.
#include <gtest/gtest.h>

#include "compiler/compile_error.h"
#include "compiler/token_links.h"
#include "tests/compiler/lowering_harness.h"

namespace tessera::compiler {
namespace {

Insn load_inp() { return mem_insn(Opcode::LOAD, MemType::INP, 0, 0, 1, 1, 1); }
Insn store() { return mem_insn(Opcode::STORE, MemType::OUT, 0, 0, 1, 1, 1); }
Insn gemm() {
  UopLoopSpec l;
  l.uop_end = 1;
  return gemm_insn(l, false);
}

TEST(TokenLinks, OneTokenPerLinkThatOrderDoesNotCover) {
  ProgramBuilder b(testing::config_named("default"));
  TokenLinks links(b);
  const size_t l0 = b.emit(load_inp(), ""), l1 = b.emit(load_inp(), "");
  const size_t g0 = b.emit(gemm(), "");
  links.link(l0, g0);
  links.link(l1, g0);  // the same consumer now needs the later load: the push moves
  EXPECT_EQ(b.insn(l0)[Field::PUSH_NEXT], 0);
  EXPECT_EQ(b.insn(l1)[Field::PUSH_NEXT], 1);
  EXPECT_EQ(b.insn(g0)[Field::POP_PREV], 1);
  const size_t g1 = b.emit(gemm(), "");
  links.link(l0, g1);  // already ordered: the load unit ran l0 before l1, which g0 waited for
  EXPECT_EQ(b.insn(g1)[Field::POP_PREV], 0);
  const size_t s0 = b.emit(store(), "");
  links.link(g1, s0);
  EXPECT_EQ(b.insn(g1)[Field::PUSH_NEXT], 1);
  EXPECT_EQ(b.insn(s0)[Field::POP_PREV], 1);
  const size_t g2 = b.emit(gemm(), "");
  links.link(s0, g2);
  EXPECT_EQ(b.insn(s0)[Field::PUSH_PREV], 1);
  EXPECT_EQ(b.insn(g2)[Field::POP_NEXT], 1);
  const size_t l2 = b.emit(load_inp(), "");
  links.link(g2, l2);
  EXPECT_EQ(b.insn(g2)[Field::PUSH_PREV], 1);
  EXPECT_EQ(b.insn(l2)[Field::POP_NEXT], 1);
}

TEST(TokenLinks, RejectsLinksNoQueueCarries) {
  ProgramBuilder b(testing::config_named("default"));
  TokenLinks links(b);
  const size_t l0 = b.emit(load_inp(), ""), s0 = b.emit(store(), ""), g0 = b.emit(gemm(), ""), g1 = b.emit(gemm(), "");
  EXPECT_THROW(links.link(l0, s0), CompileError);  // load and store share no queue
  EXPECT_THROW(links.link(g0, g1), CompileError);  // one unit: program order already
  const size_t l1 = b.emit(load_inp(), "");
  EXPECT_THROW(links.link(l1, g0), CompileError);  // a consumer before its producer
}

}  // namespace
}  // namespace tessera::compiler
