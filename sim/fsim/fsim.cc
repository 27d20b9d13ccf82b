// Fsim construction, per-instruction dispatch to the exec functions, and SRAM accessors.
#include "sim/fsim/fsim.h"

#include "sim/fsim/exec.h"

namespace tessera {

const char* token_queue_name(TokenQueue q) {
  static constexpr const char* kNames[] = {"l2g", "g2l", "g2s", "s2g"};
  return kNames[static_cast<int>(q)];
}

const char* semantics_name(Semantics s) { return s == Semantics::VTA ? "vta" : "tessera"; }

bool parse_semantics(const std::string& name, Semantics* out) {
  for (Semantics s : {Semantics::TESSERA, Semantics::VTA})
    if (name == semantics_name(s)) {
      *out = s;
      return true;
    }
  return false;
}

Fsim::Fsim(const DerivedConfig& cfg) : cfg_(cfg), codec_(cfg.layout), sram_(std::make_unique<FsimSram>(cfg)) {}
Fsim::~Fsim() = default;
Fsim::Fsim(Fsim&&) noexcept = default;
Fsim& Fsim::operator=(Fsim&&) noexcept = default;

void Fsim::execute(const Insn& insn, std::vector<uint8_t>& dram, int64_t index) {
  execute(insn, DramSpan{dram.data(), dram.size()}, index);
}

void Fsim::execute(const Insn& insn, DramSpan dram, int64_t index) {
  const OpcodeInfo* op = find_opcode(int(insn[Field::OPCODE]));
  if (!op || insn[Field::OPCODE] < 0)
    throw FsimError("instruction " + std::to_string(index) + ": opcode " + std::to_string(insn[Field::OPCODE]) +
                        " is not defined",
                    index);
  const ExecContext x{cfg_, codec_, *sram_, stats_, dram, insn, index, semantics_};
  // Hand-built instructions are untrusted: every field must fit the width the hardware would decode.
  cfg_.layout.for_each_slot(op->format, [&](const Slot& s) {
    const std::string err = IsaCodec::check_fits(s, field_info(s.field).is_signed, insn[s.field]);
    if (!err.empty()) x.fail(field_info(s.field).asm_name, err);
  });
  switch (insn.opcode()) {
    case Opcode::LOAD: exec_load(x); break;
    case Opcode::STORE: exec_store(x); break;
    case Opcode::GEMM: exec_gemm(x); break;
    case Opcode::ALU: exec_alu(x); break;
    case Opcode::FINISH: break;  // its effect (done) belongs to the scheduler
  }
  ++stats_.insns[static_cast<int>(route(insn))];
}

namespace {
void check_index(int64_t i, int64_t depth, const char* sram) {
  if (i < 0 || i >= depth)
    throw std::out_of_range(std::string(sram) + " index " + std::to_string(i) + " is outside depth " +
                            std::to_string(depth));
}
}  // namespace

const int8_t* Fsim::inp(int64_t i) const {
  check_index(i, cfg_.inp.depth, "INP");
  return &sram_->inp[size_t(i * sram_->inp_lanes)];
}
const int8_t* Fsim::wgt(int64_t i) const {
  check_index(i, cfg_.wgt.depth, "WGT");
  return &sram_->wgt[size_t(i * sram_->wgt_lanes)];
}
const int32_t* Fsim::acc(int64_t i) const {
  check_index(i, cfg_.acc.depth, "ACC");
  return &sram_->acc[size_t(i * sram_->acc_lanes)];
}
Uop Fsim::uop(int64_t i) const {
  check_index(i, cfg_.uop.depth, "UOP");
  return sram_->uop[size_t(i)];
}

std::vector<std::string> Fsim::gemm_kernels() const {
  std::vector<std::string> names;
  for (const GemmKernel& k : gemm_kernels_for(sram_->batch, sram_->block_in, sram_->block_out))
    names.push_back(k.name);
  return names;
}

void Fsim::use_gemm_kernel(const std::string& name) {
  for (const GemmKernel& k : gemm_kernels_for(sram_->batch, sram_->block_in, sram_->block_out))
    if (k.name == name) {
      sram_->gemm = k;
      return;
    }
  throw std::invalid_argument("GEMM kernel '" + name + "' is not available for this config on this CPU");
}

const std::string& Fsim::gemm_kernel() const { return sram_->gemm.name; }

}  // namespace tessera
