// ResNet-18's 19 convs after the max-pool at full size on the RTL model, each with its searched
// schedule: predicted and measured cycles per unique layer, and the network total against the
// compute bound (the figure: <= 6.95 M cycles on the default config).
// usage: resnet18_searched_rtl [config-name] [workloads-dir] [--what-if-epilogue-slots N]
// --what-if-epilogue-slots N: no RTL; the model's total if the epilogue after the GEMMs took N ALU
// slots per output vector (today 1: REQ; the bias MOV before the GEMMs is counted apart), for
// hardware/lowering decisions. Every RTL run's outputs are compared with the fsim's.
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/search/search.h"
#include "tests/compiler/search/rtl_measure.h"

using namespace tessera;
using namespace tessera::compiler;
using namespace tessera::compiler::search;

namespace {

// RTL cycles of `layer` with schedule `s`; the outputs must equal the fsim's for the same inputs.
double rtl_cycles_checked(const Layer& layer, const DerivedConfig& cfg, const Schedule& s) {
  const testing::CheckedRun r = testing::run_checked_on_rtl(layer, cfg, s, 7);
  if (!r.matches_fsim) throw std::runtime_error(layer.name + ": RTL and fsim outputs differ");
  return double(r.rtl.report.cycles);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cname = argc > 1 ? argv[1] : "default";
  const std::string dir = argc > 2 ? argv[2] : std::string(TESSERA_SOURCE_DIR) + "/../shared/workloads";
  const int what_if = argc > 4 && std::string(argv[3]) == "--what-if-epilogue-slots" ? std::stoi(argv[4]) : -1;
  const DerivedConfig cfg = load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + cname + ".json");
  const CostModel model(cfg);
  std::ifstream f(dir + "/resnet18.csv");
  if (!f) {
    std::fprintf(stderr, "%s/resnet18.csv: cannot open\n", dir.c_str());
    return 1;
  }
  std::string line;
  std::getline(f, line);
  struct Result { double predicted = 0, measured = 0, bound = 0; int count = 0; std::string name, schedule; };
  std::map<std::vector<int64_t>, Result> unique;
  std::vector<std::vector<int64_t>> order;
  while (std::getline(f, line)) {
    std::vector<std::string> col;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) col.push_back(x);
    const auto num = [&](int i) { return std::stoll(col[size_t(i)]); };
    if (col.size() < 16 || col[2] == "conv1" || num(5) == 1) continue;  // stem and fc
    const std::vector<int64_t> key = {num(4), num(5), num(7), num(8), num(10), num(11)};
    if (!unique.count(key)) order.push_back(key), unique[key].name = col[2];
    ++unique[key].count;
  }
  double total_pred = 0, total_meas = 0, total_bound = 0;
  int convs = 0;
  std::printf("%-22s %3s %12s %12s %12s %7s %7s  %s\n", "layer", "x", "bound", "predicted", "rtl", "err%", "util%", "schedule");
  for (const auto& key : order) {
    Result& r = unique[key];
    RandomLayerSpec spec;
    spec.c = key[0], spec.h = spec.w = key[1], spec.k = key[2], spec.kernel = int(key[3]), spec.stride = int(key[4]);
    spec.pad = int(key[5]), spec.type = ElemType::UINT8, spec.per_channel = true, spec.relu = true;
    const Layer layer = random_layer(spec, 18);
    LayerProblem lp = layer_problem(layer, cfg, IsaTarget::TESSERA);
    if (what_if >= 0) lp.alu_vector_ops = 0, lp.alu_imm_ops = what_if;  // N one-slot passes = N slots per vector
    const SearchResult s = search_layer(lp, model);
    r.predicted = s.top[0].cost.cycles;
    r.bound = compute_bound_cycles(lp.g);
    r.measured = what_if >= 0 ? r.predicted : rtl_cycles_checked(layer, cfg, s.top[0].schedule);
    r.schedule = schedule_json(s.top[0].schedule);
    std::printf("%-22s %3d %12.0f %12.0f %12.0f %7.2f %7.1f  %s\n", r.name.c_str(), r.count, r.bound, r.predicted, r.measured,
                100 * (r.predicted / r.measured - 1), 100 * r.bound / r.measured, r.schedule.c_str());
    std::fflush(stdout);
    total_pred += r.count * r.predicted, total_meas += r.count * r.measured, total_bound += r.count * r.bound;
    convs += r.count;
  }
  std::printf("total of %d convs: compute bound %.0f, predicted %.0f, %s %.0f cycles (%.1f%% of the bound)%s\n", convs,
              total_bound, total_pred, what_if >= 0 ? "what-if (model, no RTL)" : "RTL", total_meas,
              100 * total_bound / total_meas, what_if >= 0 ? "" : "; every RTL output equals the fsim's");
  return 0;
}
