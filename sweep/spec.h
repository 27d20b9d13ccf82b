// The sweep spec (docs/sweep.md): a base config, per-field value lists or ranges, constraints between
// fields, workloads, objectives, the board's DRAM figures and which points to verify. Strict: unknown
// keys are errors, and every error names the spec file and the JSON path.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::sweep {

class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One config field swept: its dotted name ("gemm.block_in") and the values it takes.
struct Axis {
  std::string field;           // section.key as in configs/*.json ("clock_mhz" for top-level keys)
  std::vector<double> values;  // in the order given (ranges ascending)
};

// A constraint between fields, e.g. "gemm.block_in == gemm.block_out && sram_bytes.acc >= 2 * sram_bytes.inp".
class Expr;
struct Constraint {
  std::string text;
  std::shared_ptr<const Expr> expr;
};

enum class WorkloadKind { ONNX, MODEL, TABLE, BUILTIN };
struct Workload {
  std::string name;
  WorkloadKind kind = WorkloadKind::ONNX;
  std::string path;            // resolved against the spec's directory; BUILTIN: "resnet18"
  bool pointwise_only = false; // TABLE: keep 1x1 convs only
  double weight = 1;           // in the total latency objective
};

struct VerifySpec {
  bool pareto = false;            // every point on the latency-vs-area front
  int top = 0;                    // the K best by the first objective
  std::vector<std::string> points;  // point ids or names
};

struct Spec {
  std::string file, dir;       // where it was read from (paths resolve against dir)
  std::string name;            // [a-z0-9_]+, names the points' configs
  nlohmann::ordered_json base; // the base config (a configs/*.json object)
  std::string base_origin;
  std::vector<Axis> axes;
  std::vector<Constraint> constraints;
  std::vector<Workload> workloads;
  std::vector<std::string> objectives;  // latency, throughput, dram_bytes, sram_bytes, lut, ff, dsp, bram
  std::string search_objective = "latency";  // per-layer schedule objective: latency | dram
  VerifySpec verify;
};

// Every field a spec may sweep ("gemm.batch", ..., "clock_mhz"), and whether it must be a power of two.
const std::vector<std::pair<std::string, bool>>& config_fields();

Spec parse_spec(const std::string& json_text, const std::string& file);
Spec load_spec(const std::string& path);

// Evaluates a constraint on one point's field values (name -> value); throws SpecError on an unknown name.
double eval_constraint(const Expr& e, const std::vector<std::pair<std::string, double>>& vars);
// Parses an expression (fields, numbers, + - * / %, comparisons, && || !, parentheses); `where` names it.
std::shared_ptr<const Expr> parse_expr(const std::string& text, const std::string& where);

}  // namespace tessera::sweep
