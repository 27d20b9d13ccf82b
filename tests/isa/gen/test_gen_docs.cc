// The committed docs/isa.md, params.md and regs.md are exactly what tessera_gen writes from the tables now.
#include <gtest/gtest.h>

#include "tests/isa/gen/gen_test_util.h"

namespace tessera {
namespace {

using namespace gen_test;
const fs::path kSource = TESSERA_SOURCE_DIR;

fs::path generate_docs() {
  const fs::path out = scratch() / "docs";
  fs::remove_all(out);
  const CmdResult r = run(std::string(TESSERA_GEN_TOOL) + " docs --configs " + (kSource / "configs").string() +
                          " --out " + out.string());
  EXPECT_EQ(r.rc, 0) << r.output;
  return out;
}

TEST(GenDocs, CommittedDocsAreCurrent) {
  const fs::path fresh = generate_docs();
  for (const char* name : {"isa.md", "params.md", "regs.md"}) {
    const fs::path committed = kSource / "docs" / name;
    ASSERT_TRUE(fs::exists(fresh / name)) << name << " was not generated";
    EXPECT_TRUE(slurp(committed) == slurp(fresh / name))
        << "docs/" << name << " is stale (it differs from what isa/isa.def, isa/config_schema.def, hw/regs.def "
        << "and configs/ generate now). Regenerate it with `cmake --build <build-dir> --target tessera_docs` and "
        << "commit it. Fresh copy: " << (fresh / name).string();
  }
}

// Spot checks against facts written down independently (../shared/VTA-ISA.md, VTA's hw_spec.h).
TEST(GenDocs, IsaDocShowsVtaLayoutAtTheDefaultConfig) {
  const std::string isa = slurp(generate_docs() / "isa.md");
  for (const char* row : {"| [25:10] | `sram_base` | 16 |", "| [57:26] | `dram_base` | 32 |",
                          "| [34:21] | `uop_end` | 14 |", "| [127:112] | `imm` | 16 |", "| [31:22] | `wgt_idx` | 10 |"})
    EXPECT_NE(isa.find(row), std::string::npos) << row;
  EXPECT_NE(isa.find("ALU operation values: none"), std::string::npos);  // MOV took the last one
}

TEST(GenDocs, ParamsDocListsEveryConfigAndRange) {
  const std::string params = slurp(generate_docs() / "params.md");
  for (const auto& e : fs::directory_iterator(kSource / "configs")) {
    if (e.path().extension() != ".json") continue;
    EXPECT_NE(params.find("`" + e.path().stem().string() + "`"), std::string::npos) << e.path();
  }
  EXPECT_NE(params.find("| `gemm.block_in` | integer | [2, 256], power of two |"), std::string::npos);
}

TEST(GenDocs, MissingConfigDirectoryIsAClearError) {
  const CmdResult r = run(std::string(TESSERA_GEN_TOOL) + " docs --configs " + (scratch() / "nowhere").string() +
                          " --out " + (scratch() / "x").string());
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.output.find("nowhere: cannot list directory"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace tessera
