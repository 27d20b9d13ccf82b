// tessera sweep: design-space exploration over accelerator configs (docs/sweep.md).
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "sweep/run.h"

namespace tessera::cli {

void add_sweep_command(CLI::App& app) {
  auto* c = app.add_subcommand("sweep", "Design-space exploration: evaluate every config of a sweep spec (docs/sweep.md)");
  auto spec_file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>("sweep_out");
  auto jobs = std::make_shared<int>(1);
  auto resume = std::make_shared<bool>(false);
  auto shard = std::make_shared<std::string>();
  auto no_layers = std::make_shared<bool>(false);
  c->add_option("spec", *spec_file, "sweep spec (JSON)")->required()->check(CLI::ExistingFile);
  c->add_option("-o,--out", *out, "output directory (results.jsonl, reports)");
  c->add_option("-j,--jobs", *jobs, "threads evaluating points")->check(CLI::Range(1, 256));
  c->add_flag("--resume", *resume, "skip the points already in DIR/results.jsonl");
  c->add_option("--range", *shard, "evaluate only points BEGIN:END of the full product (what a shard runs)");
  c->add_flag("--no-layer-details", *no_layers, "leave per-layer rows (schedules) out of the results");
  c->callback([=] {
    const sweep::Spec spec = sweep::load_spec(*spec_file);
    sweep::Evaluator ev(spec);
    ev.per_layer = !*no_layers;
    sweep::RunOptions opt;
    opt.out = *out, opt.jobs = *jobs, opt.resume = *resume;
    if (!shard->empty()) {
      const size_t colon = shard->find(':');
      if (colon == std::string::npos) throw std::runtime_error("--range: expected BEGIN:END");
      opt.begin = std::stoll(shard->substr(0, colon)), opt.end = std::stoll(shard->substr(colon + 1));
    }
    const sweep::RunSummary s = sweep::run_sweep(spec, ev, opt);
    std::printf("sweep %s: %lld points (%lld resumed, %lld evaluated, %lld illegal) in %.2f s; %lld layer searches, "
                "%lld cost families, %lld evaluations, %lld memo hits; results in %s/results.jsonl\n",
                spec.name.c_str(), (long long)s.points, (long long)s.resumed, (long long)s.evaluated, (long long)s.illegal,
                s.seconds, (long long)s.search.searches, (long long)s.search.family_builds, (long long)s.search.evaluations,
                (long long)s.search.memo_hits, out->c_str());
  });
}

}  // namespace tessera::cli
