// Device::run: config check, DRAM image, input placement, execution, output extraction.
#include "driver/device.h"

#include <stdexcept>

#include "driver/tensor_io.h"

namespace tessera {

Device::Device(const DerivedConfig& cfg, const std::string& backend)
    : cfg_(cfg), backend_name_(backend), backend_(make_backend(backend, cfg_)) {}

DeviceRun Device::run(const Program& p, const std::map<std::string, NpyArray>& inputs, const RunOptions& opt) {
  const DerivedConfig pc = derive(p.config, "program");
  if (pc.hash != cfg_.hash)
    throw std::runtime_error("program was compiled for config '" + p.config.name + "' (hash " + pc.hash_hex() +
                             ") but the device is '" + cfg_.hw.name + "' (hash " + cfg_.hash_hex() + ")");
  std::vector<uint8_t> dram = initial_dram(p, cfg_);
  for (const auto& [name, arr] : inputs) {
    bool known = false;
    for (const auto& t : p.tensors) known |= t.name == name && t.dir == TensorDir::INPUT;
    if (!known) throw std::runtime_error("the program has no input named '" + name + "'");
  }
  for (const auto& t : p.tensors) {
    if (t.dir != TensorDir::INPUT) continue;
    auto it = inputs.find(t.name);
    if (it == inputs.end()) throw std::runtime_error("missing input '" + t.name + "'");
    place_tensor(it->second, t, dram);
  }
  DeviceRun r;
  r.report = backend_->execute(p.insns, dram, opt);
  for (const auto& t : p.tensors)
    if (t.dir == TensorDir::OUTPUT) r.outputs[t.name] = fetch_tensor(t, dram);
  return r;
}

}  // namespace tessera
