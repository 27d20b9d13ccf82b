// `tessera search`: the searched schedule of every conv/dense/pooling-by-GEMM layer of a model, its
// predicted cycles against the compute and memory roofline bounds, and the runners-up. A layer found
// in the user's cache or the config's shipped database is reported from there without a search.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "compiler/compile.h"
#include "compiler/import/json_import.h"
#include "compiler/search/schedule_cache.h"
#include "compiler/search/search.h"
#include "isa/config.h"

namespace tessera::cli {
namespace {

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", v);
  std::string s = b, out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

// The model's account of one schedule: cycles against the roofline bounds, unit busy times, SRAM.
void print_cost(const compiler::search::LayerProblem& lp, const compiler::search::Cost& k, const DerivedConfig& cfg) {
  const double peak = double(cfg.hw.batch) * cfg.hw.block_in * cfg.hw.block_out;
  const double compute = compiler::search::compute_bound_cycles(lp.g);
  const double memory = double(k.dram_read + k.dram_written) / cfg.hw.dram_bytes_per_cycle;
  std::cout << "  predicted " << fmt(k.cycles) << " cycles; compute bound " << fmt(compute) << ", memory bound "
            << fmt(memory) << " (" << fmt(double(k.dram_read + k.dram_written)) << " DRAM bytes); utilization "
            << fmt(100 * compute / k.cycles) << "% of " << fmt(peak) << " MACs/cycle\n"
            << "  busy      load " << fmt(k.load_busy) << ", compute " << fmt(k.compute_busy) << " (GEMM "
            << fmt(k.gemm_cycles) << ", epilogue " << fmt(k.alu_cycles) << "), store " << fmt(k.store_busy) << "\n"
            << "  SRAM      inp " << k.inp_sram << "/" << cfg.inp.depth << ", wgt " << k.wgt_sram << "/" << cfg.wgt.depth
            << ", acc " << k.acc_sram << "/" << cfg.acc.depth << ", uop " << k.uops << "/" << cfg.uop.depth << "; "
            << k.insns << " instructions\n";
}

}  // namespace

void add_search_command(CLI::App& app) {
  auto* c = app.add_subcommand("search", "Search each layer's schedule under the cost model and explain the choice");
  static std::string cfg_file, model_file, isa = "tessera", objective = "latency", cache_file;
  static int threads = 1, top = 4;
  static bool fresh = false;
  static double budget = 0;
  c->add_option("-c,--config", cfg_file, "accelerator config JSON")->required()->check(CLI::ExistingFile);
  c->add_option("-m,--model", model_file, "model: .onnx or .json (docs/layer-format.md)")->required()->check(CLI::ExistingFile);
  c->add_option("--isa", isa, "tessera or vta")->check(CLI::IsMember({"tessera", "vta"}));
  c->add_option("--objective", objective, "latency (default) or dram")->check(CLI::IsMember({"latency", "dram"}));
  c->add_option("--threads", threads, "search threads (the answer does not depend on it)")->check(CLI::Range(1, 256));
  c->add_option("--top", top, "alternatives shown per layer")->check(CLI::Range(0, 100));
  c->add_option("--budget", budget, "seconds per layer; 0 = search to proven optimality")->check(CLI::NonNegativeNumber);
  c->add_option("--cache", cache_file, "schedule cache JSON consulted first and recording the winners");
  c->add_flag("--fresh", fresh, "search every layer (ignore the cache and the config's shipped database)");
  c->callback([] {
    using namespace compiler;
    using namespace compiler::search;
    const DerivedConfig cfg = load_derived(cfg_file);
    const Model model = import_model_file(model_file);
    const IsaTarget target = isa == "vta" ? IsaTarget::VTA : IsaTarget::TESSERA;
    SearchOptions opt;
    opt.objective = parse_objective(objective), opt.threads = threads, opt.keep_top = 6 * (top + 1), opt.time_budget_s = budget;
    const CostModel cm(cfg);
    std::unique_ptr<ScheduleCache> cache, shipped;
    if (!cache_file.empty()) cache = std::make_unique<ScheduleCache>(cache_file);
    if (!fresh) shipped = std::make_unique<ScheduleCache>(shipped_database_path(cfg_file), "shipped database");
    for (const Layer& layer : model.layers) {
      const Layer l = as_gemm_layer(layer);
      if (l.kind != LayerKind::CONV2D && l.kind != LayerKind::DENSE) {
        std::cout << "layer '" << layer.name << "': no schedule (lowered without tiling choices)\n";
        continue;
      }
      const LayerProblem lp = layer_problem(l, cfg, target);
      std::cout << "layer '" << layer.name << "' (" << lp.descriptor() << ")\n";
      if (!fresh)
        if (const auto hit = find_cached(lp, cfg, opt.objective, {cache.get(), shipped.get()})) {
          std::cout << "  schedule  " << schedule_json(hit->schedule) << "\n";
          print_cost(lp, cm.evaluate(lp, hit->schedule), cfg);
          std::cout << "  from      the " << hit->origin << " (not searched; --fresh searches and shows alternatives)\n";
          continue;
        }
      const SearchResult r = search_layer(lp, cm, opt);
      if (r.top.empty()) {
        std::cout << "  no legal schedule among " << r.space_size << " points\n";
        continue;
      }
      const Candidate& best = r.top[0];
      const Cost& k = best.cost;
      std::cout << "  schedule  " << schedule_json(best.schedule) << "\n";
      print_cost(lp, k, cfg);
      std::cout << "  searched  " << r.legal << " legal of " << r.space_size << " points, " << r.evaluated
                << " evaluated, " << (r.optimal ? "optimal (proven)" : "time budget hit: best so far") << ", "
                << r.seconds * 1e3 << " ms\n";
      // Alternatives with other tiles or buffers (loop-order variants of one tiling mostly tie).
      std::vector<Schedule> shown{best.schedule};
      for (size_t i = 1; i < r.top.size() && int(shown.size()) <= top; ++i) {
        Schedule tiles = r.top[i].schedule;
        bool seen = false;
        for (const Schedule& s : shown) {
          tiles.order = s.order;
          seen |= tiles == s;
        }
        if (seen) continue;
        shown.push_back(r.top[i].schedule);
        std::cout << "  alt " << shown.size() - 1 << "     " << schedule_json(r.top[i].schedule) << ": "
                  << explain_loss(k, r.top[i].cost) << "\n";
      }
      if (cache) cache->put(lp, cfg, opt.objective, best.schedule, k.cycles);
    }
    for (const auto* c : {cache.get(), shipped.get()})
      if (c)
        for (const auto& w : c->warnings()) std::cerr << "tessera: warning: " << w << "\n";
    if (cache) cache->save();
  });
}

}  // namespace tessera::cli
