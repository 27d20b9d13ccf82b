// RTL verification of chosen sweep points (see verify.h).
#include "sweep/verify.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <set>

#include "compiler/import/onnx_import.h"
#include "compiler/import/random_network.h"
#include "compiler/network/compile_network.h"
#include "driver/device.h"
#include "sweep/pareto.h"
#ifdef TESSERA_HAVE_RTL
#include "sim/rtl/model.h"
#endif

namespace tessera::sweep {

using json = nlohmann::ordered_json;
using namespace tessera::compiler;

std::vector<std::string> rtl_model_configs() {
  std::vector<std::string> out;
#ifdef TESSERA_HAVE_RTL
  for (const RtlModelEntry& e : rtl_model_entries()) out.push_back(e.config_name);
#endif
  return out;
}

std::vector<std::string> points_to_verify(const Spec& spec, const std::vector<json>& points) {
  std::vector<std::string> ids;
  const auto add = [&](const std::string& id) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  if (spec.verify.pareto)
    for (size_t i : pareto_front(points, spec.objectives)) add(points[i].value("id", ""));
  if (spec.verify.top > 0) {
    std::vector<std::pair<double, std::string>> ranked;
    for (const json& p : points) {
      double v;
      if (objective_value(p, spec.objectives.at(0), v)) ranked.push_back({v, p.value("id", "")});
    }
    std::sort(ranked.begin(), ranked.end());
    for (size_t i = 0; i < ranked.size() && int(i) < spec.verify.top; ++i) add(ranked[i].second);
  }
  for (const std::string& id : spec.verify.points) add(id);
  return ids;
}

json verify_point(const Spec& spec, const json& point) {
  json r = {{"id", point.value("id", "")}};
  if (point.value("status", "") != "ok") {
    r["status"] = "not run", r["reason"] = "the point is " + point.value("status", std::string("unknown"));
    return r;
  }
  const DerivedConfig cfg = derive(parse_config(point.at("config").dump(), "point " + point.value("id", "")));
  bool built = false;
#ifdef TESSERA_HAVE_RTL
  for (const RtlModelEntry& e : rtl_model_entries())
    built |= derive(parse_config(e.config_json, e.config_name), e.config_name).hash == cfg.hash;
#endif
  if (!built) {
    std::string names;
    for (const auto& n : rtl_model_configs()) names += (names.empty() ? "" : ", ") + n;
    r["status"] = "not run";
    r["reason"] = "no Verilator model of this config in this binary (built: " + (names.empty() ? "none" : names) +
                  "; add the config to TESSERA_RTL_CONFIGS)";
    return r;
  }
  r["status"] = "ok";
  json wls = json::array();
  for (size_t w = 0; w < spec.workloads.size(); ++w) {
    const Workload& wl = spec.workloads[w];
    json wj = {{"name", wl.name}};
    const json& pw = point.at("workloads").at(w);
    if (wl.kind != WorkloadKind::ONNX && wl.kind != WorkloadKind::BUILTIN) {
      wj["status"] = "model only (tables and single layers are not run on the RTL)";
      wls.push_back(wj);
      continue;
    }
    Network net;
    NpyArray input;
    if (wl.kind == WorkloadKind::BUILTIN) {
      NetworkSpec ns;
      ns.arch = wl.path == "resnet18" ? NetworkArch::RESNET18 : wl.path == "resnet_odd" ? NetworkArch::RESNET_ODD
                : wl.path == "vgg_odd" ? NetworkArch::VGG_ODD : NetworkArch::TINY;
      const RandomNetwork rn = random_network(ns);
      net = import_onnx_network(rn.onnx, wl.path), input = rn.input;
    } else {  // an ONNX file: a uniform [-1, 1] float input of the graph input's shape
      net = import_onnx_network_file(wl.path);
      const NetTensor& t = net.tensor(net.inputs.at(0));
      input.dtype = NpyDType::FLOAT32, input.shape = t.shape;
      int64_t n = 1;
      for (int64_t d : t.shape) n *= d;
      std::mt19937 rng(7);
      std::uniform_real_distribution<float> u(-1, 1);
      std::vector<float> v(static_cast<size_t>(n));
      for (float& x : v) x = u(rng);
      input.data.resize(v.size() * 4);
      std::memcpy(input.data.data(), v.data(), input.data.size());
    }
    const std::string in_name = net.inputs.at(0);
    const CompiledNetwork c = compile_network(std::move(net), cfg, CompileOptions{});
    const std::map<std::string, NpyArray> inputs = {{in_name, input}};
    const DeviceRun f = Device(cfg, "fsim").run(c.program, inputs);
    const DeviceRun rtl = Device(cfg, "rtl").run(c.program, inputs);
    const double predicted = pw.value("cycles", 0.0), measured = double(rtl.report.cycles);
    wj["status"] = "ran";
    wj["predicted_cycles"] = predicted;
    wj["rtl_cycles"] = measured;
    wj["model_error"] = measured > 0 ? predicted / measured - 1 : 0.0;
    wj["rtl_equals_fsim"] = rtl.outputs == f.outputs;
    wj["rtl_wall_s"] = rtl.report.wall_seconds;
    wls.push_back(wj);
  }
  r["workloads"] = wls;
  return r;
}

}  // namespace tessera::sweep
