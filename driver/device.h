// The device API: run a compiled program with named inputs on a backend and collect named outputs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "driver/backend.h"
#include "isa/npy.h"
#include "isa/program.h"

namespace tessera {

struct DeviceRun {
  std::map<std::string, NpyArray> outputs;
  RunReport report;
};

class Device {
 public:
  // A device of config `cfg` driven through `backend` ("fsim", "rtl", ...).
  Device(const DerivedConfig& cfg, const std::string& backend);
  const DerivedConfig& config() const { return cfg_; }
  const std::string& backend_name() const { return backend_name_; }

  // Refuses a program compiled for another config (hash mismatch), a missing or unknown input, or an
  // input of the wrong dtype/shape; each error names the tensor or the two configs.
  DeviceRun run(const Program& p, const std::map<std::string, NpyArray>& inputs, const RunOptions& opt = {});

 private:
  DerivedConfig cfg_;
  std::string backend_name_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace tessera
