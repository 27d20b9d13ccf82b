// The device API: run a compiled program with named inputs on a backend and collect named outputs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "driver/backend.h"
#include "isa/npy.h"
#include "isa/program.h"

namespace tessera {

// One executed step of a network program: an accelerator segment (with its own counters) or a host operator.
struct StepRun {
  std::string name, op;
  bool host = false;
  RunReport report;                // accelerator steps
  int64_t macs = 0;                // from the program's step attributes
  uint64_t predicted_cycles = 0;   // the compiler's prediction
};

struct DeviceRun {
  std::map<std::string, NpyArray> outputs;
  RunReport report;                // totals over all accelerator steps
  std::vector<StepRun> steps;      // empty for a program without steps
};

// Called with every tensor a step produces, right after the step (for --dump-activations).
using TensorHook = std::function<void(const TensorInfo&, const NpyArray&)>;

class Device {
 public:
  // A device of config `cfg` driven through `backend` ("fsim", "rtl", ...).
  Device(const DerivedConfig& cfg, const std::string& backend);
  const DerivedConfig& config() const { return cfg_; }
  const std::string& backend_name() const { return backend_name_; }

  // Refuses a program compiled for another config (hash mismatch), one whose dram_bytes exceeds the
  // device's DRAM capacity (RunOptions::dram_capacity, default 4 GiB: a ProgramError naming
  // RunOptions::program_origin, the field, the amount and the limit), a missing or unknown input, or
  // an input of the wrong dtype/shape; each error names the tensor or the two configs. Device memory
  // is committed lazily: a run costs the pages its program places and writes.
  // A program with steps runs them in order: accelerator segments on the backend, host operators
  // with the driver's reference kernels (driver/host_ops.h), all on one device DRAM.
  DeviceRun run(const Program& p, const std::map<std::string, NpyArray>& inputs, const RunOptions& opt = {},
                const TensorHook& on_tensor = nullptr);

 private:
  void run_steps(const Program& p, DeviceMemory& dram, const RunOptions& opt, const TensorHook& on_tensor,
                 DeviceRun& r);
  DerivedConfig cfg_;
  std::string backend_name_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace tessera
