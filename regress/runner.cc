// Measuring regression runs: compile (networks, layers) or assemble, inject faults on request, run on
// the backend, hash every tensor, count cycles and DRAM bytes per step; cosim in lockstep.
#include "regress/runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "compiler/compile.h"
#include "compiler/import/onnx_import.h"
#include "compiler/import/random_layer.h"
#include "compiler/import/random_network.h"
#include "compiler/network/compile_network.h"
#include "compiler/search/schedule_cache.h"
#include "driver/device.h"
#include "isa/asm.h"
#include "isa/npy.h"
#include "isa/text_file.h"
#include "sim/cosim/lockstep.h"
#include "sim/cosim/random_program.h"
#include "tests/reference/quantized_ops.h"

namespace tessera::regress {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

std::string hex64(uint64_t h) {
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", (unsigned long long)h);
  return b;
}

// FNV-1a 64 over dtype, shape and bytes: equal hashes mean equal tensors for every practical purpose.
uint64_t fnv(uint64_t h, const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}
uint64_t hash_array(const NpyArray& a, uint64_t h = 14695981039346656037ull) {
  const int d = int(a.dtype);
  h = fnv(h, &d, sizeof d);
  for (int64_t x : a.shape) h = fnv(h, &x, sizeof x);
  return fnv(h, a.data.data(), a.data.size());
}
std::string hash_outputs(const std::map<std::string, NpyArray>& outs) {
  uint64_t h = 14695981039346656037ull;
  for (const auto& [name, a] : outs) h = hash_array(a, fnv(h, name.data(), name.size()));
  return "fnv1a64:" + hex64(h);
}

// The instruction range of the named step ("*": the first accelerator step; a program without steps: all).
std::pair<size_t, size_t> step_range(const Program& p, const std::string& step) {
  if (p.steps.empty()) return {0, p.insns.size()};
  std::string names;
  for (const Step& s : p.steps) {
    if (s.kind != StepKind::ACCEL) continue;
    if (step == "*" || s.name == step) return {size_t(s.insn_begin), size_t(s.insn_end)};
    names += (names.empty() ? "" : ", ") + s.name;
  }
  throw std::runtime_error("injection: no accelerator step named '" + step + "' (steps: " + names + ")");
}

void inject_slowdown(Program& p, const Injection& in) {
  const auto [b, e] = step_range(p, in.slowdown_step);
  size_t uop = b;
  while (uop < e && !(p.insns[uop].opcode() == Opcode::LOAD && p.insns[uop][Field::MEMORY_TYPE] == int64_t(MemType::UOP))) ++uop;
  if (uop == e || e == b || p.insns[e - 1].opcode() != Opcode::FINISH)
    throw std::runtime_error("injection: the step has no micro-op load or does not end in FINISH");
  // ALU ADD of immediate 0 on one accumulator vector, iterated: the values stay as they are (a store
  // still reading the accumulators sees the same data), the compute unit is busy for about a cycle per iteration.
  std::vector<Insn> bubble;
  for (int64_t left = in.slowdown_cycles; left > 0; left -= 256) {
    Insn g;
    g[Field::OPCODE] = int64_t(Opcode::ALU);
    g[Field::ALU_OPCODE] = int64_t(AluOp::ADD);
    g[Field::USE_IMM] = 1;
    g[Field::IMM] = 0;
    g[Field::UOP_BGN] = p.insns[uop][Field::SRAM_BASE];
    g[Field::UOP_END] = g[Field::UOP_BGN] + 1;
    g[Field::ITER_OUT] = std::min<int64_t>(left, 256);
    g[Field::ITER_IN] = 1;
    bubble.push_back(g);
  }
  const size_t at = e - 1;  // before the FINISH
  p.insns.insert(p.insns.begin() + long(at), bubble.begin(), bubble.end());
  for (Step& s : p.steps)
    if (s.kind == StepKind::ACCEL && s.insn_end > at) {
      if (s.insn_begin > at) s.insn_begin += bubble.size();
      s.insn_end += bubble.size();
    }
}

void inject_wrong(Program& p, const DerivedConfig& cfg, const Injection& in) {
  const auto [b, e] = step_range(p, in.wrong_step);
  for (size_t i = b; i < e; ++i) {
    const Insn& x = p.insns[i];
    if (x.opcode() != Opcode::LOAD || x[Field::MEMORY_TYPE] != int64_t(MemType::WGT)) continue;
    const int64_t eb = cfg.elem_bytes(int(MemType::WGT));
    const uint64_t at = uint64_t(x[Field::DRAM_BASE] * eb);
    for (DramSegment& seg : p.constants)
      if (at >= seg.offset && at + uint64_t(eb) <= seg.offset + seg.bytes.size()) {
        for (int64_t k = 0; k < eb; ++k) seg.bytes[at - seg.offset + uint64_t(k)] ^= 0x5a;
        return;
      }
    throw std::runtime_error("injection: the step's weights are not in the program's constants");
  }
  throw std::runtime_error("injection: step '" + in.wrong_step + "' loads no weights to corrupt");
}

void apply(Program& p, const DerivedConfig& cfg, const Injection& in) {
  if (!in.wrong_step.empty()) inject_wrong(p, cfg, in);
  if (!in.slowdown_step.empty() && in.slowdown_cycles > 0) inject_slowdown(p, in);
}

compiler::CompileOptions compile_options(const Suite& s, const Run& r) {
  compiler::CompileOptions opt;
  opt.shipped_schedules = compiler::search::shipped_database_path(config_path(s, r.config));
  return opt;
}

// Totals and, for network programs, per-step cycles and DRAM bytes and per-tensor hashes.
void record_run(const DeviceRun& dr, const std::vector<std::pair<std::string, std::string>>& tensors, ojson& m) {
  m["output_hash"] = hash_outputs(dr.outputs);
  if (dr.report.cycles) m["cycles"] = dr.report.cycles;
  m["dram_bytes"] = dr.report.bytes_read + dr.report.bytes_written;
  std::map<std::string, int> seen;
  for (const StepRun& s : dr.steps) {
    if (s.host) continue;
    std::string name = s.name;
    if (seen[s.name]++) name += "#" + std::to_string(seen[s.name]);
    if (s.report.cycles) m["step " + name + " cycles"] = s.report.cycles;
    m["step " + name + " dram_bytes"] = s.report.bytes_read + s.report.bytes_written;
  }
  for (const auto& [name, h] : tensors) m["tensor " + name + " hash"] = h;
}

// The network criterion of `tessera compare --network`: arg-max equal, >= 99 % within 1 LSB, none above 3.
std::string network_criterion(const NpyArray& got, const NpyArray& ref, double lsb) {
  if (got.dtype != NpyDType::FLOAT32 || ref.dtype != NpyDType::FLOAT32 || got.shape != ref.shape)
    throw std::runtime_error("onnxruntime's output and ours differ in dtype or shape");
  const size_t n = got.data.size() / 4;
  std::vector<float> a(n), b(n);
  std::memcpy(a.data(), got.data.data(), n * 4);
  std::memcpy(b.data(), ref.data.data(), n * 4);
  int64_t hist[3] = {}, worst = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t d = std::llround(std::fabs(double(a[i]) - double(b[i])) / lsb);
    worst = std::max(worst, d);
    ++hist[std::min<int64_t>(d, 2)];
  }
  const size_t row = got.shape.empty() ? n : size_t(got.shape.back());
  int64_t argmax_diff = 0;
  for (size_t r = 0; row && r < n / row; ++r) {
    size_t ia = 0, ib = 0;
    for (size_t j = 1; j < row; ++j) {
      if (a[r * row + j] > a[r * row + ia]) ia = j;
      if (b[r * row + j] > b[r * row + ib]) ib = j;
    }
    argmax_diff += ia != ib;
  }
  std::ostringstream os;
  os << "onnxruntime (tessera compare --network): " << n << " elements, " << hist[0] << " equal, " << hist[1]
     << " 1 LSB away, largest " << worst << " LSB, arg-max " << (argmax_diff ? "DIFFERS" : "equal");
  if (argmax_diff || worst > 3 || double(hist[0] + hist[1]) < 0.99 * double(n))
    throw std::runtime_error("fails the network criterion: " + os.str());
  return os.str();
}

std::string run_onnxruntime(const Suite& s, const compiler::RandomNetwork& rn, double lsb, const NpyArray& got) {
  const fs::path dir = fs::temp_directory_path() / ("tessera-regress-ort-" + std::to_string(getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "net.onnx", std::ios::binary).write(reinterpret_cast<const char*>(rn.onnx.data()), long(rn.onnx.size())); }
  write_npy_file(rn.input, (dir / "x.npy").string());
  const std::string cmd = "node '" + s.root + "/tests/onnx/run_onnx.js' '" + (dir / "net.onnx").string() + "' '" +
                          (dir / "x.npy").string() + "' '" + (dir / "y.npy").string() + "' >'" +
                          (dir / "log.txt").string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    const std::string log = read_text_file((dir / "log.txt").string()).value_or("");
    fs::remove_all(dir);
    throw std::runtime_error("onnxruntime (node tests/onnx/run_onnx.js) failed: " + log);
  }
  const NpyArray ref = read_npy_file((dir / "y.npy").string());
  fs::remove_all(dir);
  return network_criterion(got, ref, lsb);
}

compiler::NetworkSpec network_spec(const NetworkWorkload& w) {
  compiler::NetworkSpec s;
  s.arch = compiler::network_archs().at(w.arch);  // the suite checked the name
  s.form = w.form == "qdq" ? compiler::NetworkForm::QDQ : compiler::NetworkForm::QOPERATOR;
  s.type = w.type == "int8" ? compiler::ElemType::INT8 : compiler::ElemType::UINT8;
  s.input_size = w.input_size, s.classes = w.classes, s.seed = w.seed;
  return s;
}

void measure_network(const Suite& s, const Run& r, bool check, const Injection& in, ojson& m,
                     std::map<std::string, std::string>& producers) {
  const DerivedConfig cfg = load_derived(config_path(s, r.config));
  const compiler::RandomNetwork rn = compiler::random_network(network_spec(r.entry->network));
  compiler::CompiledNetwork c =
      compiler::compile_network(compiler::import_onnx_network(rn.onnx, r.entry->id + ".onnx"), cfg, compile_options(s, r));
  apply(c.program, cfg, in);
  std::string input_name;
  for (const TensorInfo& t : c.program.tensors)
    if (t.dir == TensorDir::INPUT) input_name = t.name;
  Device dev(cfg, r.backend);
  std::vector<std::pair<std::string, std::string>> tensors;
  const DeviceRun dr = dev.run(c.program, {{input_name, rn.input}}, {}, [&](const TensorInfo& t, const NpyArray& a) {
    tensors.push_back({t.name, "fnv1a64:" + hex64(hash_array(a))});
  });
  if (check) {
    // One LSB of the float output: the scale of the quantized tensor its producing step reads.
    if (dr.outputs.size() != 1) throw std::runtime_error("the network criterion needs exactly one output");
    double lsb = 0;
    for (const Step& st : c.program.steps)
      for (const auto& out : st.outputs)
        if (out == dr.outputs.begin()->first && !st.inputs.empty())
          for (const TensorInfo& t : c.program.tensors)
            if (t.name == st.inputs[0] && t.dtype != DType::FLOAT32) lsb = t.scale;
    if (!(lsb > 0)) throw std::runtime_error("cannot find the scale of the network's quantized output");
    m["checked_against"] = run_onnxruntime(s, rn, lsb, dr.outputs.begin()->second);
  }
  record_run(dr, tensors, m);
  for (const Step& st : c.program.steps)
    for (const auto& t : st.outputs) producers[t] = st.name;
}

NpyArray to_npy(const std::vector<int32_t>& v, compiler::ElemType t, const std::vector<int64_t>& shape) {
  NpyArray a;
  a.dtype = t == compiler::ElemType::UINT8 ? NpyDType::UINT8 : NpyDType::INT8;
  a.shape = shape;
  for (int32_t x : v) a.data.push_back(uint8_t(x));
  return a;
}

void measure_layer(const Suite& s, const Run& r, bool check, const Injection& in, ojson& m) {
  const DerivedConfig cfg = load_derived(config_path(s, r.config));
  const LayerWorkload& w = r.entry->layer;
  compiler::RandomLayerSpec spec;
  const bool dense = w.kind == "dense";
  spec.kind = dense ? compiler::LayerKind::DENSE : compiler::LayerKind::CONV2D;
  spec.type = w.type == "int8" ? compiler::ElemType::INT8 : compiler::ElemType::UINT8;
  spec.c = w.c, spec.h = spec.w = dense ? 1 : w.hw, spec.k = w.k;
  spec.kernel = w.kernel, spec.stride = w.stride, spec.pad = w.pad;
  spec.per_channel = w.per_channel, spec.relu = w.relu;
  const compiler::Layer layer = compiler::random_layer(spec, w.seed);
  compiler::Compiled c = compiler::compile_model(compiler::Model{r.entry->id, {layer}}, cfg, compile_options(s, r));
  apply(c.program, cfg, in);
  std::map<std::string, NpyArray> inputs;
  std::vector<std::vector<int32_t>> values;
  for (const compiler::QTensor& x : layer.inputs) {
    size_t count = 1;
    for (int64_t d : x.shape) count *= size_t(d);
    values.push_back(compiler::random_values(x.type, count, w.seed + 1 + values.size()));
    inputs[x.name] = to_npy(values.back(), x.type, x.shape);
  }
  Device dev(cfg, r.backend);
  const DeviceRun dr = dev.run(c.program, inputs);
  if (check) {
    const std::vector<int32_t> want = reference::run_layer(layer, values);
    const NpyArray& got = dr.outputs.at(layer.output.name);
    if (got.data.size() != want.size()) throw std::runtime_error("the output has the wrong size");
    int64_t off1 = 0, worse = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      const int32_t v = got.dtype == NpyDType::UINT8 ? int32_t(got.data[i]) : int32_t(int8_t(got.data[i]));
      off1 += std::abs(v - want[i]) == 1, worse += std::abs(v - want[i]) > 1;
    }
    if (worse) throw std::runtime_error(std::to_string(worse) + " output elements differ from the plain-loop reference by more than 1 LSB");
    m["checked_against"] = "plain-loop reference (tests/reference): " + std::to_string(want.size()) + " elements, " +
                           (off1 ? std::to_string(off1) + " 1 LSB away" : std::string("all equal"));
  }
  record_run(dr, {}, m);
  m["schedule"] = compiler::schedule_json(c.schedule);
}

void measure_asm(const Suite& s, const Run& r, bool check, const Injection& in, ojson& m) {
  const DerivedConfig cfg = load_derived(config_path(s, r.config));
  const std::string path = s.root + "/" + r.entry->asm_program.program;
  const auto text = read_text_file(path);
  if (!text) throw std::runtime_error(path + ": cannot open the assembly program");
  Program p = assemble(*text, cfg, path);
  apply(p, cfg, in);
  std::map<std::string, NpyArray> inputs;
  for (const auto& [name, file] : r.entry->asm_program.inputs) inputs[name] = read_npy_file(s.root + "/" + file);
  Device dev(cfg, r.backend);
  const DeviceRun dr = dev.run(p, inputs);
  if (check) {
    std::string what = "the fsim's result when recorded (no expected outputs given)";
    for (const auto& [name, file] : r.entry->asm_program.expect) {
      const auto it = dr.outputs.find(name);
      if (it == dr.outputs.end()) throw std::runtime_error("the program has no output '" + name + "'");
      if (!(it->second == read_npy_file(s.root + "/" + file)))
        throw std::runtime_error("output '" + name + "' differs from " + file);
      what = (what.front() == 't' ? std::string("equal to ") : what + ", ") + file;
    }
    m["checked_against"] = what;
  }
  record_run(dr, {}, m);
}

void measure_cosim(const Suite& s, const Run& r, bool check, ojson& m) {
  const DerivedConfig cfg = load_derived(config_path(s, r.config));
  const CosimWorkload& w = r.entry->cosim;
  auto rtl = make_rtl_sim(cfg);
  uint64_t cycles = 0;
  int64_t insns = 0, failures = 0;
  std::string first;
  for (int64_t k = 0; k < w.count; ++k) {
    const bool pipeline = w.style == "pipeline" || (w.style == "mixed" && k % 4 == 3);
    const uint64_t seed = w.seed + uint64_t(k);
    const RandomProgram p = pipeline ? pipeline_program(cfg, seed) : random_program(cfg, seed);
    std::string error;
    try {
      const CosimResult cr = run_lockstep(*rtl, p.insns, p.dram);
      cycles += cr.rtl.cycles;
      insns += cr.checked_insns;
      if (!cr.ok) error = cr.divergence;
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty() && !failures++)
      first = std::string(pipeline ? "pipeline" : "random") + " program seed " + std::to_string(seed) + ": " + error;
  }
  if (failures)
    throw std::runtime_error(std::to_string(failures) + " of " + std::to_string(w.count) +
                             " programs diverge from the fsim; first: " + first);
  if (check) m["checked_against"] = "fsim in lockstep (every retire, final SRAMs and DRAM)";
  m["programs"] = w.count;
  m["checked_insns"] = insns;
  m["cycles"] = cycles;
}

}  // namespace

Measurement measure(const Suite& suite, const Run& run, bool check_reference, const Injection& inject) {
  Measurement m;
  m.run = run.id();
  const auto t0 = std::chrono::steady_clock::now();
  try {
    switch (run.entry->kind) {
      case WorkloadKind::NETWORK: measure_network(suite, run, check_reference, inject, m.metrics, m.producers); break;
      case WorkloadKind::LAYER: measure_layer(suite, run, check_reference, inject, m.metrics); break;
      case WorkloadKind::ASM: measure_asm(suite, run, check_reference, inject, m.metrics); break;
      case WorkloadKind::COSIM: measure_cosim(suite, run, check_reference, m.metrics); break;
    }
  } catch (const std::exception& e) {
    m.ok = false;
    m.error = e.what();
  }
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return m;
}

ojson to_json(const Measurement& m) {
  return ojson{{"run", m.run},         {"ok", m.ok},           {"error", m.error},
               {"seconds", m.seconds}, {"metrics", m.metrics}, {"producers", m.producers}};
}

Measurement measurement_from_json(const ojson& j) {
  Measurement m;
  m.run = j.at("run").get<std::string>();
  m.ok = j.at("ok").get<bool>();
  m.error = j.at("error").get<std::string>();
  m.seconds = j.at("seconds").get<double>();
  m.metrics = j.at("metrics");
  m.producers = j.at("producers").get<std::map<std::string, std::string>>();
  return m;
}

std::vector<Measurement> measure_all(const Suite& suite, const std::vector<Run>& runs, int jobs, bool check_reference,
                                     const Injection& inject, bool progress) {
  std::vector<Measurement> out(runs.size());
  const fs::path dir = fs::temp_directory_path() / ("tessera-regress-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  const auto result_file = [&](size_t i) { return (dir / (std::to_string(i) + ".json")).string(); };
  std::cout.flush();
  while (done < runs.size()) {
    while (next < runs.size() && int(running.size()) < std::max(1, jobs)) {
      std::fflush(nullptr);
      const pid_t pid = fork();
      if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
      if (pid == 0) {
        const Measurement m = measure(suite, runs[next], check_reference, inject);
        std::ofstream(result_file(next)) << to_json(m).dump();
        std::fflush(nullptr);
        _exit(0);
      }
      running[pid] = next++;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    ++done;
    const std::string result = read_text_file(result_file(i)).value_or("");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !result.empty()) {
      out[i] = measurement_from_json(ojson::parse(result));
    } else {
      out[i].run = runs[i].id();
      out[i].ok = false;
      out[i].error = WIFSIGNALED(status) ? "the run crashed (signal " + std::to_string(WTERMSIG(status)) + ")"
                                         : "the run exited with status " + std::to_string(WEXITSTATUS(status));
    }
    if (progress)
      std::fprintf(stderr, "[%zu/%zu] %-48s %7.1f s%s\n", done, runs.size(), out[i].run.c_str(), out[i].seconds,
                   out[i].ok ? "" : "  ERROR");
  }
  fs::remove_all(dir);
  return out;
}

}  // namespace tessera::regress
