// RTL verification of chosen sweep points (see verify.h).
#include "sweep/verify.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "compiler/import/onnx_import.h"
#include "compiler/import/random_network.h"
#include "compiler/network/compile_network.h"
#include "driver/device.h"
#include "isa/text_file.h"
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

namespace {

// The point's synthesis (cached per config hash) beside the area model's figures of it.
json synth_point(const json& point, const VerifyOptions& opt) {
  const SynthRun s = opt.cached_only ? cached_synth(derive(parse_config(point.at("config").dump(), "point")), opt.paths)
                                     : synthesize(point.at("config"), opt.paths);
  if (!s.ok && opt.cached_only) return {{"status", "skipped"}, {"error", "not synthesized: the build budget (--max-builds) is spent"}};
  if (!s.ok) return {{"status", "failed"}, {"error", s.error}};
  const json model = point.value("area", json());
  json y = {{"luts", s.figures.luts}, {"ffs", s.figures.ffs}, {"dsp48e1", s.figures.dsps},
            {"ramb36e1", s.figures.ramb36}, {"ramb18e1", s.figures.ramb18}, {"bram36", s.figures.bram36()}};
  json err = json::object();
  for (const char* k : {"luts", "ffs", "dsp48e1", "bram36"})
    if (model.is_object() && model.contains(k) && y[k].get<double>() > 0)
      err[k] = model[k].get<double>() / y[k].get<double>() - 1;
  bool bram_exact = model.is_object() && model.value("ramb36e1", -1.0) == s.figures.ramb36 &&
                    model.value("ramb18e1", -1.0) == s.figures.ramb18;
  return {{"status", "ok"}, {"cached", s.cached}, {"yosys_seconds", s.seconds}, {"dir", s.dir}, {"yosys", y},
          {"model", model}, {"model_error", err}, {"bram_exact", bram_exact}};
}

bool model_built_in(const DerivedConfig& cfg) {
  bool built = false;
#ifdef TESSERA_HAVE_RTL
  for (const RtlModelEntry& e : rtl_model_entries())
    built |= derive(parse_config(e.config_json, e.config_name), e.config_name).hash == cfg.hash;
#else
  (void)cfg;
#endif
  return built;
}

// Builds (or reuses) the on-demand model and runs the point on it in tessera_sweep_rtl_runner.
json verify_on_demand(const Spec& spec, const json& point, const VerifyOptions& opt) {
  json r = {{"id", point.value("id", "")}};
  if (opt.cached_only) {
    struct stat st;
    const std::string so = opt.paths.build_dir + "/sweep/rtl/" +
                           cache_key(derive(parse_config(point.at("config").dump(), "point")), opt.paths) + "/model.so";
    if (::stat(so.c_str(), &st) != 0) {
      r["status"] = "not run", r["reason"] = "no model of this config built yet and the build budget (--max-builds) is spent";
      return r;
    }
  }
  const ModelBuild b = build_rtl_model(point.at("config"), opt.paths);
  json model = {{"source", "on-demand"}, {"cached", b.cached}, {"build_seconds", b.seconds},
               {"lock_wait_seconds", b.lock_wait_seconds}, {"library", b.so}};
  if (!b.ok) {
    r["status"] = "not run", r["reason"] = "on-demand Verilator model: " + b.error, r["rtl_model"] = model;
    return r;
  }
  const std::string runner = rtl_runner_path(opt.paths);
  struct stat st;
  if (::stat(runner.c_str(), &st) != 0) {
    r["status"] = "not run", r["rtl_model"] = model;
    r["reason"] = "no " + runner + " (build target tessera_sweep_rtl_runner)";
    return r;
  }
  const std::string id = point.value("id", "point");
  const std::string pfile = b.dir + "/point_" + id + ".json", out = b.dir + "/verify_" + id + ".json";
  {
    std::ofstream f(pfile);
    f << point.dump() << "\n";
  }
  ::unlink(out.c_str());
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = run_logged({runner, "--model", b.so, spec.file, pfile, out}, b.dir + "/run_" + id + ".log");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto result = read_text_file(out);
  if (rc != 0 || !result) {
    r["status"] = "not run", r["rtl_model"] = model;
    r["reason"] = "tessera_sweep_rtl_runner exited with " + std::to_string(rc) + ", see " + b.dir + "/run_" + id + ".log";
    return r;
  }
  json got = json::parse(*result);
  model["runner_seconds"] = secs;
  got["rtl_model"] = model;
  return got;
}

}  // namespace

json verify_point(const Spec& spec, const json& point, const VerifyOptions& opt) {
  json r = {{"id", point.value("id", "")}};
  if (point.value("status", "") != "ok") {
    r["status"] = "not run", r["reason"] = "the point is " + point.value("status", std::string("unknown"));
    return r;
  }
  const DerivedConfig cfg = derive(parse_config(point.at("config").dump(), "point " + point.value("id", "")));
  const bool built = model_built_in(cfg);
  if (!built && opt.build_models) {
    r = verify_on_demand(spec, point, opt);
    if (opt.synthesize) r["synth"] = synth_point(point, opt);
    return r;
  }
  if (opt.synthesize) r["synth"] = synth_point(point, opt);
  if (!built) {
    std::string names;
    for (const auto& n : rtl_model_configs()) names += (names.empty() ? "" : ", ") + n;
    r["status"] = "not run";
    r["reason"] = "no Verilator model of this config in this binary (built: " + (names.empty() ? "none" : names) +
                  "; on-demand models are off)";
    return r;
  }
  r["rtl_model"] = {{"source", "built-in"}};
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
