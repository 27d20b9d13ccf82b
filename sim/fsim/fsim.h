// Functional simulator: the bit-exact golden model of the ISA, with VTA's dependency-token semantics.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/insn.h"
#include "isa/program.h"

namespace tessera {

// An instruction that cannot execute (out-of-range SRAM/DRAM access, illegal field combination).
// The message names the instruction index, its unit, the field and the offending value.
class FsimError : public std::runtime_error {
 public:
  FsimError(const std::string& msg, int64_t insn_index) : std::runtime_error(msg), insn_index(insn_index) {}
  int64_t insn_index;
};

// No unit can make progress before FINISH has retired and load/store have drained: the message says
// what each unit waits on (token queue and flag, full token queue, idle), whether fetch is stalled on
// a full command queue, and every token count. insn_index is the earliest blocked instruction.
class DeadlockError : public FsimError {
 public:
  using FsimError::FsimError;
};

// The four token queues, named as VTA does (l2g: load->compute, g2l: compute->load, ...).
enum class TokenQueue : uint8_t { L2G, G2L, G2S, S2G };
const char* token_queue_name(TokenQueue q);

// Whose rules the simulator follows where tessera's ISA and Apache TVM VTA's differ (docs/vta.md):
// TESSERA: FINISH raises done once every earlier instruction has retired; ALU reset zeroes; SHR
// amounts saturate at 31; MULHR/REQ/MOV exist.
// VTA: VTA's functional simulator (src/sim/sim_driver.cc): the run ends the moment compute executes
// FINISH, and anything not yet executed then (stores still queued behind a token, most often) is
// an FsimError naming it, since VTA would lose it; ALU ignores reset (computes on whatever the
// accumulators hold); ALU ops 5..7 are rejected; an SHR amount outside -31..31, which VTA's C
// shift leaves undefined, is an error.
enum class Semantics : uint8_t { TESSERA, VTA };
const char* semantics_name(Semantics s);                   // "tessera", "vta"
bool parse_semantics(const std::string& name, Semantics* out);

struct FsimStats {
  std::array<uint64_t, kNumUnits> insns{};  // instructions retired per unit
  std::array<uint64_t, 8> bytes_loaded{};   // DRAM bytes read per memory type
  uint64_t bytes_stored = 0;                // DRAM bytes written
  uint64_t gemm_uops = 0;                   // GEMM micro-op executions (not reset)
  uint64_t gemm_reset_uops = 0;
  uint64_t alu_uops = 0;
  uint64_t macs = 0;                        // gemm_uops * BATCH * BLOCK_IN * BLOCK_OUT
};

// Observer for lockstep co-simulation and tracing. on_retire is called once an instruction's data
// effects are complete, before its token pushes, so calls follow the order in which effects happened.
class FsimObserver {
 public:
  virtual ~FsimObserver() = default;
  virtual void on_retire(int64_t insn_index, Unit unit, const Insn& insn) = 0;
};

struct FsimSram;

class Fsim {
 public:
  explicit Fsim(const DerivedConfig& cfg);
  ~Fsim();
  Fsim(Fsim&&) noexcept;
  Fsim& operator=(Fsim&&) noexcept;

  // Runs a whole program: routes instructions to the three units, honours pop-before/push-after
  // tokens, stops when FINISH has retired and the other units have drained (Semantics::VTA: when
  // compute executes FINISH; an instruction left unexecuted then is an FsimError). `dram` is the device
  // memory (byte 0 = dram_base 0), read and written in place. Throws FsimError/DeadlockError.
  // SRAM contents persist across calls, as on the device; the returned stats accumulate until
  // reset_stats(). Token and command queues start empty on every call. A GEMM/ALU with the overlap
  // flag that shares an accumulator bank or a pushed token queue with the latest instruction of the
  // other kind since the last unflagged compute instruction is an FsimError naming both. (The flag's
  // third promise, that what its pushes release does not wait on that instruction, is not checked.)
  FsimStats run(const std::vector<Insn>& program, std::vector<uint8_t>& dram, FsimObserver* obs = nullptr);
  // The same on device memory held elsewhere (a lazily committed DeviceMemory).
  FsimStats run(const std::vector<Insn>& program, DramSpan dram, FsimObserver* obs = nullptr);

  // Executes one instruction's data effects, ignoring tokens (the lockstep co-simulator replays the
  // RTL's retire order through this). `index` only labels errors.
  void execute(const Insn& insn, std::vector<uint8_t>& dram, int64_t index = -1);
  void execute(const Insn& insn, DramSpan dram, int64_t index = -1);

  // SRAM state, for tests and co-simulation. Element i of each buffer is a contiguous lane vector.
  const int8_t* inp(int64_t i) const;    // BATCH x BLOCK_IN
  const int8_t* wgt(int64_t i) const;    // BLOCK_OUT x BLOCK_IN, row-major [out][in]
  const int32_t* acc(int64_t i) const;   // BATCH x BLOCK_OUT
  Uop uop(int64_t i) const;
  const FsimStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  const DerivedConfig& config() const { return cfg_; }

  // GEMM inner kernels usable for this config on this CPU, fastest first; the first is the default.
  // Every kernel computes the same bits; choosing one lets tests and benchmarks compare them.
  std::vector<std::string> gemm_kernels() const;
  void use_gemm_kernel(const std::string& name);  // throws std::invalid_argument for an unknown name
  const std::string& gemm_kernel() const;

  void set_semantics(Semantics s) { semantics_ = s; }
  Semantics semantics() const { return semantics_; }

 private:
  Semantics semantics_ = Semantics::TESSERA;
  DerivedConfig cfg_;
  IsaCodec codec_;
  std::unique_ptr<FsimSram> sram_;
  FsimStats stats_;
};

}  // namespace tessera
