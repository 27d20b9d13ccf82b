// Device::run: config check, DRAM image, input placement, execution, output extraction.
#include "driver/device.h"

#include <stdexcept>

#include "driver/host_ops.h"
#include "driver/tensor_io.h"

namespace tessera {

Device::Device(const DerivedConfig& cfg, const std::string& backend)
    : cfg_(cfg), backend_name_(backend), backend_(make_backend(backend, cfg_)) {}

namespace {

const TensorInfo& tensor_named(const Program& p, const std::string& name) {
  for (const auto& t : p.tensors)
    if (t.name == name) return t;
  throw std::runtime_error("the program has no tensor named '" + name + "'");
}

uint64_t attr_u64(const Step& s, const char* key) {
  const auto it = s.attrs.find(key);
  if (it == s.attrs.end()) return 0;
  try {
    return std::stoull(it->second);
  } catch (const std::exception&) {
    throw std::runtime_error("step '" + s.name + "': attribute '" + key + "' = '" + it->second + "' is not a number");
  }
}

void add_counters(RunReport& total, const RunReport& r) {
  total.backend = r.backend;
  total.cycles += r.cycles;
  for (size_t u = 0; u < total.insns.size(); ++u)
    total.insns[u] += r.insns[u], total.busy[u] += r.busy[u], total.stall[u] += r.stall[u];
  total.gemm_uops += r.gemm_uops, total.alu_uops += r.alu_uops, total.macs += r.macs;
  total.bytes_read += r.bytes_read, total.bytes_written += r.bytes_written;
  for (size_t m = 0; m < total.bytes_loaded_by_type.size(); ++m) total.bytes_loaded_by_type[m] += r.bytes_loaded_by_type[m];
  total.wall_seconds += r.wall_seconds;
}

}  // namespace

void Device::run_steps(const Program& p, DeviceMemory& dram, const RunOptions& opt, const TensorHook& on_tensor,
                       DeviceRun& r) {
  for (const Step& s : p.steps) {
    StepRun sr;
    sr.name = s.name, sr.op = s.op, sr.host = s.kind == StepKind::HOST;
    sr.macs = int64_t(attr_u64(s, "macs")), sr.predicted_cycles = attr_u64(s, "predicted_cycles");
    if (sr.host) {
      std::vector<HostOperand> in;
      for (const auto& name : s.inputs) {
        const TensorInfo& t = tensor_named(p, name);
        in.push_back({fetch_tensor(t, dram.span()), {t.scale, t.zero_point}});
      }
      std::vector<HostResultSpec> out;
      for (const auto& name : s.outputs) {
        const TensorInfo& t = tensor_named(p, name);
        out.push_back({npy_dtype_of(t.dtype), t.shape, {t.scale, t.zero_point}});
      }
      const auto results = run_host_op(s.op, s.attrs, in, out, "node '" + s.name + "' (" + s.op + ")");
      for (size_t i = 0; i < results.size(); ++i) place_tensor(results[i], tensor_named(p, s.outputs[i]), dram.span());
    } else {
      const std::vector<Insn> segment(p.insns.begin() + long(s.insn_begin), p.insns.begin() + long(s.insn_end));
      sr.report = backend_->execute(segment, dram, opt);
      add_counters(r.report, sr.report);
    }
    if (on_tensor)
      for (const auto& name : s.outputs) {
        const TensorInfo& t = tensor_named(p, name);
        on_tensor(t, fetch_tensor(t, dram.span()));
      }
    r.steps.push_back(std::move(sr));
  }
  r.report.backend = backend_->name();
}

DeviceRun Device::run(const Program& p, const std::map<std::string, NpyArray>& inputs, const RunOptions& opt,
                      const TensorHook& on_tensor) {
  const DerivedConfig pc = derive(p.config, "program");
  if (pc.hash != cfg_.hash)
    throw std::runtime_error("program was compiled for config '" + p.config.name + "' (hash " + pc.hash_hex() +
                             ") but the device is '" + cfg_.hw.name + "' (hash " + cfg_.hash_hex() + ")");
  check_dram_capacity(p, opt.dram_capacity ? opt.dram_capacity : kDefaultDramCapacity, opt.program_origin);
  DeviceMemory dram = initial_device_memory(p, cfg_);
  for (const auto& [name, arr] : inputs) {
    bool known = false;
    for (const auto& t : p.tensors) known |= t.name == name && t.dir == TensorDir::INPUT;
    if (!known) throw std::runtime_error("the program has no input named '" + name + "'");
  }
  for (const auto& t : p.tensors) {
    if (t.dir != TensorDir::INPUT) continue;
    auto it = inputs.find(t.name);
    if (it == inputs.end()) throw std::runtime_error("missing input '" + t.name + "'");
    place_tensor(it->second, t, dram.span());
  }
  DeviceRun r;
  if (p.steps.empty()) r.report = backend_->execute(p.insns, dram, opt);
  else run_steps(p, dram, opt, on_tensor, r);
  for (const auto& t : p.tensors)
    if (t.dir == TensorDir::OUTPUT) r.outputs[t.name] = fetch_tensor(t, dram.span());
  return r;
}

}  // namespace tessera
