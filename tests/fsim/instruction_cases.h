// The legal hand-written programs of the fsim instruction tests as named cases, shared with the RTL.
//
// A group holds the cases of one fsim test, in the order that test runs them on one machine. The fsim
// tests run each case on the fsim and the reference machine and assert the case's own expectations;
// tests/sim/test_rtl_fsim_cases.cc runs every case on the RTL in lockstep with the fsim. Programs that
// must fail (errors, deadlocks) stay in the fsim tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/fsim/fsim.h"
#include "tests/fsim/programs.h"

namespace tessera::cases {

// Configs every instruction case runs on: VTA's default and shapes that reach every GEMM kernel instantiation.
const std::vector<std::string>& test_configs();

// What a case's fsim test asserts after running it: SRAMs through `sim`, DRAM before and after the run.
using Expect = std::function<void(const Fsim& sim, const std::vector<uint8_t>& before, const std::vector<uint8_t>& after)>;

struct InstructionCase {
  std::string name;          // unique within its group
  std::vector<Insn> program;  // a complete program: ends with FINISH, races between units are token-ordered
  std::string gemm_kernel;    // fsim GEMM kernel the case is meant for ("" = the default); the RTL has one
  Expect expect;              // may be empty
};

// Called once per case; the case runs on the DRAM image the builder has prepared in its `dram`.
using Visit = std::function<void(const InstructionCase&)>;

struct CaseGroup {
  std::string name;  // "<fsim test suite>.<test name>"
  // Prepares `dram` (initially initial_dram()) for each case of the group in turn and visits it. A visit
  // may run the case in place: the next case's preparation starts from whatever the run left there.
  void (*build)(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const Visit& visit);
  bool needs_depthwise = false;  // its cases exist only on configs with the depthwise mode
};

const std::vector<CaseGroup>& case_groups();
// The group called `name`; throws std::out_of_range naming it.
const CaseGroup& case_group(const std::string& name);
// The DRAM every group starts from: 1 MiB of seeded random bytes.
std::vector<uint8_t> initial_dram();

// Builders shared by the cases and the fsim tests' error programs.
// Micro-ops live at DRAM element uop_elem() (the upper half of DRAM), data in the lower half.
int64_t uop_elem(const DerivedConfig& cfg, const std::vector<uint8_t>& dram);
// Writes `uops` at uop_elem() and returns the LOAD UOP that brings them to UOP element `sram`.
Insn load_uops(const DerivedConfig& cfg, std::vector<uint8_t>& dram, const std::vector<Uop>& uops, int64_t sram = 0);
// A two-thread (double-buffered) GEMM pipeline over `tiles` tiles ending in FINISH; writes its micro-ops to `dram`.
std::vector<Insn> double_buffered_stream(const DerivedConfig& cfg, std::vector<uint8_t>& dram, int tiles);

}  // namespace tessera::cases
