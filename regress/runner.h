// Running one regression run (an entry on one config and backend) and measuring it: output hashes,
// cycles per step and in total, DRAM bytes; with --update, the check against the reference first.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regress/suite.h"

namespace tessera::regress {

// Deliberate faults for proving the suite catches them (test options of `tessera regress`).
struct Injection {
  // A bubble of `slowdown_cycles` vector-ALU iterations (ADD immediate 0 on one accumulator vector,
  // about a cycle each) at the end of the named step's segment, before its FINISH, values unchanged: a real slowdown the timed backends
  // measure, the outputs unchanged. Step "*" or a single-layer program: the first segment.
  std::string slowdown_step;
  int64_t slowdown_cycles = 0;
  // One weight element of the named step (its first WGT load's source) flipped in the program's
  // constant DRAM image: a wrong result in that step's output tensor and everything after it.
  std::string wrong_step;
  bool any() const { return !slowdown_step.empty() || !wrong_step.empty(); }
};

struct Measurement {
  std::string run;        // Run::id()
  bool ok = true;         // false: the run could not complete (error says why)
  std::string error;
  double seconds = 0;     // wall time of the run
  // metric name -> value in production order: "output_hash", "cycles", "dram_bytes",
  // "step <name> cycles", "step <name> dram_bytes", "tensor <name> hash", "checked_against", ...
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  std::map<std::string, std::string> producers;  // networks: tensor -> the step that writes it (for messages)
};

// Runs `run`. With `check_reference` the outputs are also checked against the entry's reference
// (onnxruntime for networks, the plain-loop oracle for layers, the expected .npy files of an assembly
// program, the fsim in lockstep for cosim) and "checked_against" says what and how close; a failed
// reference check is an error (goldens must not record a wrong output).
Measurement measure(const Suite& suite, const Run& run, bool check_reference, const Injection& inject = {});

nlohmann::ordered_json to_json(const Measurement& m);
Measurement measurement_from_json(const nlohmann::ordered_json& j);

// Runs every run in child processes, at most `jobs` at a time (each child measures one run, so a
// crashing simulator fails only its run); results in the order of `runs`. `progress` prints a line per run.
std::vector<Measurement> measure_all(const Suite& suite, const std::vector<Run>& runs, int jobs, bool check_reference,
                                     const Injection& inject, bool progress);

}  // namespace tessera::regress
