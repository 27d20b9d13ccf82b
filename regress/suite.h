// Regression suites (`tessera regress`, issue #13): what to run. A suite names workloads (whole networks from
// the random-network generator, single layers, assembly programs, lockstep random-program co-simulation)
// x configs x backends; each combination is one run whose measurements are compared with its goldens.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessera::regress {

// A malformed suite: the message names the file and the JSON path ("$.entries[2].layer.kernel").
class SuiteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class WorkloadKind { NETWORK, LAYER, ASM, COSIM };
const char* workload_kind_name(WorkloadKind k);  // "network", "layer", "asm", "cosim"

// tessera_random_network's arguments.
struct NetworkWorkload {
  std::string arch = "resnet18", form = "qoperator", type = "uint8";
  int input_size = 224, classes = 1000;
  uint64_t seed = 2026;
};

// tessera_random_layer's arguments (a random quantized conv2d or dense layer and random inputs).
struct LayerWorkload {
  std::string kind = "conv2d", type = "uint8";
  int64_t c = 16, hw = 14, k = 16;
  int kernel = 3, stride = 1, pad = 1;
  bool per_channel = true, relu = true;
  uint64_t seed = 1;
};

// An assembly program with its inputs and, optionally, the outputs it must produce (paths from the root).
struct AsmWorkload {
  std::string program;
  std::map<std::string, std::string> inputs, expect;
};

// Lockstep RTL-vs-fsim co-simulation of `count` constrained-random programs from `seed` (sim/cosim).
struct CosimWorkload {
  uint64_t seed = 1;
  int64_t count = 100;
  std::string style = "mixed";  // random | pipeline | mixed
};

struct Entry {
  std::string id;  // unique, no '/' or whitespace
  WorkloadKind kind = WorkloadKind::LAYER;
  NetworkWorkload network;
  LayerWorkload layer;
  AsmWorkload asm_program;
  CosimWorkload cosim;
  std::vector<std::string> configs, backends;
  double tolerance_pct = 0;  // cycles/DRAM bytes worse than this fail the run
};

// A figure of docs/PERFORMANCE.md the suite checks: golden metric `run` / `metric` must stay within
// tolerance_pct of `value` (either way: the page must stay true).
struct Figure {
  std::string name, run, metric;
  double value = 0, tolerance_pct = 1;
};

struct Suite {
  std::string file, name;
  std::string root;     // the repository root (configs/, tests/onnx/run_onnx.js, asm paths), absolute
  std::string goldens;  // absolute path of the goldens file
  double tolerance_pct = 0.5;
  std::vector<Entry> entries;
  std::vector<Figure> figures;
};

// One unit of work: an entry on one config and one backend; its goldens live under id().
struct Run {
  const Entry* entry = nullptr;
  std::string config, backend;
  std::string id() const { return entry->id + "/" + config + "/" + backend; }
};

// Strict parsing: unknown keys, wrong types, out-of-range values, unknown configs/backends and duplicate
// ids are SuiteErrors naming the file and the JSON path. Relative paths ("root", "goldens") are taken
// from the suite file's folder.
Suite parse_suite(const std::string& text, const std::string& file);
Suite load_suite(const std::string& file);

// Every (entry, config, backend) in suite order; `filter` keeps runs whose id contains it.
std::vector<Run> expand_runs(const Suite& s, const std::string& filter = "");

// The config file of a config name.
std::string config_path(const Suite& s, const std::string& config);

}  // namespace tessera::regress
