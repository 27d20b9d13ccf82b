// The Xilinx XRT backend: runs programs on the accelerator packaged as a Vitis RTL kernel on an FPGA card.
//
// The kernel's control map is hw/regs.def (Vitis ap_ctrl_hs at 0x00, arguments from 0x10), so XRT's
// xrt::kernel/xrt::run start and wait on it; argument order follows the register order there.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include "driver/backends.h"
#include "isa/regs.h"

namespace tessera {
namespace {

namespace reg = regmap;

constexpr const char* kKernelName = "tessera";
enum KernelArg { ARG_INSN_COUNT = 0, ARG_INSN_ADDR = 1, ARG_DATA_ADDR = 2 };

class XrtBackend : public Backend {
 public:
  XrtBackend(const DerivedConfig& cfg, unsigned device_index) : cfg_(cfg) {
    try {
      device_ = xrt::device(device_index);
    } catch (const std::exception& e) {
      throw std::runtime_error("xrt: cannot open FPGA device " + std::to_string(device_index) + ": " + e.what());
    }
  }
  std::string name() const override { return "xrt"; }

  RunReport execute(const std::vector<Insn>& program, DeviceMemory& dram, const RunOptions& opt) override {
    if (opt.xclbin_path.empty()) throw std::runtime_error("xrt: no bitstream given (--xclbin FILE.xclbin)");
    const auto t0 = std::chrono::steady_clock::now();
    const xrt::uuid uuid = device_.load_xclbin(opt.xclbin_path);
    xrt::kernel kernel(device_, uuid, kKernelName, xrt::kernel::cu_access_mode::exclusive);
    const uint64_t hash = uint64_t(kernel.read_register(reg::CONFIG_HASH_HI)) << 32 |
                          kernel.read_register(reg::CONFIG_HASH_LO);
    if (hash != cfg_.hash)
      throw std::runtime_error("xrt: the bitstream implements config hash " + std::to_string(hash) +
                               ", the program needs " + cfg_.hash_hex() + " (" + cfg_.hw.name + ")");

    const IsaCodec codec(cfg_.layout);
    xrt::bo insn_bo(device_, program.size() * codec.insn_bytes(), kernel.group_id(ARG_INSN_ADDR));
    auto* insn_ptr = insn_bo.map<uint8_t*>();
    for (size_t i = 0; i < program.size(); ++i) codec.encode_bytes(program[i], insn_ptr + i * codec.insn_bytes());
    xrt::bo data_bo(device_, dram.size(), kernel.group_id(ARG_DATA_ADDR));
    std::memcpy(data_bo.map<uint8_t*>(), dram.data(), dram.size());
    insn_bo.sync(XCL_BO_SYNC_BO_TO_DEVICE);
    data_bo.sync(XCL_BO_SYNC_BO_TO_DEVICE);

    xrt::run run = kernel(uint32_t(program.size()), insn_bo, data_bo);
    const auto state = run.wait(std::chrono::milliseconds(opt.timeout_ms ? opt.timeout_ms : 60000));
    if (state != ERT_CMD_STATE_COMPLETED)
      throw std::runtime_error("xrt: the kernel did not complete (state " + std::to_string(int(state)) + ")");
    data_bo.sync(XCL_BO_SYNC_BO_FROM_DEVICE);
    // Back page by page, writing only pages that changed: untouched pages of the lazily committed
    // device memory stay uncommitted on the host.
    const uint8_t* back = data_bo.map<uint8_t*>();
    for (uint64_t off = 0; off < dram.size(); off += 4096) {
      const size_t n = size_t(std::min<uint64_t>(4096, dram.size() - off));
      if (std::memcmp(dram.data() + off, back + off, n) != 0) std::memcpy(dram.data() + off, back + off, n);
    }

    RunReport r;
    r.backend = name();
    r.cycles = uint64_t(kernel.read_register(reg::CYCLES_HI)) << 32 | kernel.read_register(reg::CYCLES_LO);
    r.busy = {kernel.read_register(reg::LOAD_BUSY), kernel.read_register(reg::COMPUTE_BUSY),
              kernel.read_register(reg::STORE_BUSY)};
    r.stall = {kernel.read_register(reg::LOAD_STALL), kernel.read_register(reg::COMPUTE_STALL),
               kernel.read_register(reg::STORE_STALL)};
    r.gemm_uops = kernel.read_register(reg::GEMM_UOPS);
    r.alu_uops = kernel.read_register(reg::ALU_UOPS);
    r.macs = r.gemm_uops * uint64_t(cfg_.hw.batch) * cfg_.hw.block_in * cfg_.hw.block_out;
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }

 private:
  DerivedConfig cfg_;
  xrt::device device_;
};

}  // namespace

std::unique_ptr<Backend> make_xrt_backend(const DerivedConfig& cfg) { return std::make_unique<XrtBackend>(cfg, 0); }

}  // namespace tessera
