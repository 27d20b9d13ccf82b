// tessera sweep: design-space exploration over accelerator configs (docs/sweep.md): run a spec
// (locally, or one shard), plan shards for GNU parallel / Slurm, merge shard results, report, and
// the area model's calibration.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "sweep/area_model.h"
#include "sweep/defaults.h"
#include "sweep/heavy.h"
#include "sweep/plan.h"
#include "sweep/report.h"
#include "sweep/run.h"
#include "sweep/store.h"
#include "sweep/verify.h"

namespace tessera::cli {
namespace {

std::vector<sweep::AreaSample> area_samples(const std::string& calibration) {
  return sweep::load_area_samples(calibration.empty() ? sweep::default_area_calibration() : calibration,
                                  sweep::default_source_dir(), sweep::default_area_cache());
}

sweep::AreaModel area_model(const std::string& calibration, const std::vector<sweep::AreaSample>& samples) {
  return sweep::AreaModel(samples, sweep::load_lane_delta(calibration.empty() ? sweep::default_area_calibration() : calibration));
}

void report(const std::string& dir, const std::string& title, const std::vector<std::string>& objectives) {
  const auto points = sweep::read_results(dir + "/results.jsonl");
  const sweep::ReportSummary r = sweep::write_reports(dir, title, objectives, points);
  std::printf("report: %zu points, %zu legal, %zu on the Pareto front: %s/report.html, results.csv, pareto.json\n", r.points,
              r.ok, r.front, dir.c_str());
}

// Verifies the points the spec chooses on the RTL model; DIR/verify.jsonl and a table on stdout.
void verify(const sweep::Spec& spec, const std::string& dir, sweep::VerifyOptions vopt, int max_builds) {
  int builds = 0;  // new model builds and synth runs so far
  const auto points = sweep::read_results(dir + "/results.jsonl");
  const auto ids = sweep::points_to_verify(spec, points);
  std::printf("verify: %zu points chosen (spec /verify); RTL models in this binary:", ids.size());
  for (const auto& n : sweep::rtl_model_configs()) std::printf(" %s", n.c_str());
  std::printf("\n");
  sweep::ResultStore store(dir + "/verify", sweep::spec_fingerprint(spec), true);
  for (const std::string& id : ids) {
    const auto it = std::find_if(points.begin(), points.end(), [&](const auto& p) { return p.value("id", "") == id; });
    if (it == points.end()) {
      std::printf("  %s: no such point in the results\n", id.c_str());
      continue;
    }
    vopt.cached_only = builds >= max_builds;
    const auto r = sweep::verify_point(spec, *it, vopt);
    store.append(r);
    if (r.contains("rtl_model") && r["rtl_model"].value("source", "") == "on-demand" && !r["rtl_model"].value("cached", true)) ++builds;
    if (r.contains("synth") && r["synth"].value("status", "") == "ok" && !r["synth"].value("cached", true)) ++builds;
    const auto syn = r.value("synth", nlohmann::ordered_json());
    if (syn.is_object() && syn.value("status", "") == "ok") {
      const auto& y = syn["yosys"];
      const auto& e = syn["model_error"];
      std::printf("  %s Yosys%s: %.0f LUT (model %+.1f%%), %.0f FF (%+.1f%%), %.0f DSP (%+.1f%%), %.0f RAMB36 + %.0f RAMB18 "
                  "(model %s)\n", id.c_str(), syn.value("cached", false) ? " (cached)" : "", y.value("luts", 0.0),
                  100 * e.value("luts", 0.0), y.value("ffs", 0.0), 100 * e.value("ffs", 0.0), y.value("dsp48e1", 0.0),
                  100 * e.value("dsp48e1", 0.0), y.value("ramb36e1", 0.0), y.value("ramb18e1", 0.0),
                  syn.value("bram_exact", false) ? "exact" : "DIFFERS");
    } else if (syn.is_object()) {
      std::printf("  %s Yosys: %s\n", id.c_str(), syn.value("error", std::string("failed")).c_str());
    }
    const auto rm = r.value("rtl_model", nlohmann::ordered_json());
    if (rm.is_object() && rm.value("source", "") == "on-demand")
      std::printf("  %s Verilator model built on demand%s%s\n", id.c_str(),
                  rm.value("cached", false) ? " (cached)" : "",
                  rm.value("cached", false) ? "" : (" in " + std::to_string(int(rm.value("build_seconds", 0.0) + 0.5)) + " s").c_str());
    if (r.value("status", "") != "ok") {
      std::printf("  %s (%s): %s\n", id.c_str(), it->value("gemm", "").c_str(), r.value("reason", "").c_str());
      continue;
    }
    for (const auto& w : r["workloads"]) {
      if (w.value("status", "") != "ran") {
        std::printf("  %s %s: %s\n", id.c_str(), w.value("name", "").c_str(), w.value("status", "").c_str());
        continue;
      }
      std::printf("  %s %s: predicted %.0f, RTL %.0f cycles, model error %+.2f%%, RTL outputs %s fsim's\n", id.c_str(),
                  w.value("name", "").c_str(), w.value("predicted_cycles", 0.0), w.value("rtl_cycles", 0.0),
                  100 * w.value("model_error", 0.0), w.value("rtl_equals_fsim", false) ? "equal" : "DIFFER FROM");
    }
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto* c = app.add_subcommand("sweep", "Design-space exploration: evaluate every config of a sweep spec (docs/sweep.md)");
  c->require_subcommand(0, 1);
  auto spec_file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>("sweep_out");
  auto jobs = std::make_shared<int>(1);
  auto resume = std::make_shared<bool>(false), no_layers = std::make_shared<bool>(false), no_report = std::make_shared<bool>(false);
  auto shard = std::make_shared<std::string>(), calibration = std::make_shared<std::string>();
  c->add_option("spec", *spec_file, "sweep spec (JSON)");
  c->add_option("-o,--out", *out, "output directory (results.jsonl, results.csv, pareto.json, report.html)");
  c->add_option("-j,--jobs", *jobs, "threads evaluating points")->check(CLI::Range(1, 256));
  c->add_flag("--resume", *resume, "skip the points already in DIR/results.jsonl");
  c->add_option("--range", *shard, "evaluate only points BEGIN:END of the full product (what a shard runs)");
  c->add_flag("--no-layer-details", *no_layers, "leave per-layer rows (schedules) out of the results");
  c->add_flag("--no-report", *no_report, "write results.jsonl only (shards)");
  c->add_option("--area-calibration", *calibration, "area calibration file (default: sweep/area_calibration.json)");
  auto do_verify = std::make_shared<bool>(false), no_synth = std::make_shared<bool>(false),
       no_build = std::make_shared<bool>(false);
  c->add_flag("--no-synth", *no_synth, "--verify: do not synthesize the verified points");
  c->add_flag("--no-model-build", *no_build, "--verify: run only configs whose Verilator model is in this binary");
  auto max_builds = std::make_shared<int>(4);
  c->add_option("--max-builds", *max_builds,
                "--verify: at most N new model builds + synth runs (minutes each); later points use cached ones only")
      ->check(CLI::Range(0, 100000));
  c->add_flag("--verify", *do_verify, "afterwards, run the points the spec's /verify chooses on the RTL model (built on demand when not in the binary) and synthesize them");
  c->callback([=] {
    if (!c->get_subcommands().empty()) return;
    if (spec_file->empty()) throw std::runtime_error("sweep: a spec file is required (tessera sweep SPEC.json -o DIR)");
    const sweep::Spec spec = sweep::load_spec(*spec_file);
    sweep::Evaluator ev(spec);
    ev.per_layer = !*no_layers;
    const auto model = std::make_shared<sweep::AreaModel>(area_model(*calibration, area_samples(*calibration)));
    ev.area = [model](const DerivedConfig& cfg) { return model->to_json(cfg); };
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
    if (!*no_report) report(*out, "tessera sweep " + spec.name, spec.objectives);
    if (*do_verify) {
      sweep::VerifyOptions vopt;
      vopt.synthesize = !*no_synth, vopt.build_models = !*no_build;
      verify(spec, *out, vopt, *max_builds);
    }
  });

  auto* plan = c->add_subcommand("plan", "Split a sweep into shards: a GNU parallel job list and a Slurm job-array script");
  auto plan_spec = std::make_shared<std::string>(), plan_out = std::make_shared<std::string>("sweep_jobs");
  auto shards = std::make_shared<int>(8), plan_jobs = std::make_shared<int>(1);
  auto tessera_bin = std::make_shared<std::string>();
  plan->add_option("spec", *plan_spec, "sweep spec (JSON)")->required()->check(CLI::ExistingFile);
  plan->add_option("-o,--out", *plan_out, "directory for jobs.txt, slurm.sh and the shard results");
  plan->add_option("--shards", *shards, "number of shards")->check(CLI::Range(1, 1000000));
  plan->add_option("--jobs", *plan_jobs, "threads per shard")->check(CLI::Range(1, 256));
  plan->add_option("--tessera", *tessera_bin, "the tessera binary the jobs run (default: this one)");
  plan->callback([=] {
    const sweep::Spec spec = sweep::load_spec(*plan_spec);
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    const std::string bin = !tessera_bin->empty() ? *tessera_bin : n > 0 ? std::string(self, size_t(n)) : "tessera";
    const sweep::Plan p = sweep::write_plan(*plan_spec, spec, *plan_out, *shards, bin, *plan_jobs);
    std::printf("plan: %lld points in %d shards\n  GNU parallel: parallel --jobs N < %s\n  Slurm:        sbatch %s\n"
                "  then:         tessera sweep merge -o OUT %s/shard_*\n",
                (long long)p.points, p.shards, p.job_list.c_str(), p.slurm_script.c_str(), plan_out->c_str());
  });

  auto* merge = c->add_subcommand("merge", "Combine shard results into one results directory and write its reports");
  auto merge_out = std::make_shared<std::string>("sweep_out");
  auto merge_dirs = std::make_shared<std::vector<std::string>>();
  auto merge_obj = std::make_shared<std::vector<std::string>>();
  merge->add_option("dirs", *merge_dirs, "shard result directories")->required();
  merge->add_option("-o,--out", *merge_out, "merged results directory (must not hold results)");
  merge->add_option("--objectives", *merge_obj, "Pareto objectives (default: latency lut)");
  merge->callback([=] {
    const size_t n = sweep::merge_results(*merge_dirs, *merge_out);
    std::printf("merge: %zu points from %zu shards into %s/results.jsonl\n", n, merge_dirs->size(), merge_out->c_str());
    report(*merge_out, "tessera sweep (merged)", merge_obj->empty() ? std::vector<std::string>{"latency", "lut"} : *merge_obj);
  });

  auto* area = c->add_subcommand("area",
                                 "Fit the area model on the calibration configs; print its error on held-out synthesized configs");
  auto area_cal = std::make_shared<std::string>();
  auto area_synth = std::make_shared<std::vector<std::string>>();
  auto area_memories = std::make_shared<bool>(false);
  area->add_option("--calibration", *area_cal, "calibration file (default: sweep/area_calibration.json)");
  area->add_option("--synth", *area_synth,
                   "first synthesize these configs with Yosys (one at a time, cached by hash in BUILD/sweep/area/)")
      ->check(CLI::ExistingFile);
  area->add_flag("--memories", *area_memories, "also print how each config's memories map to block RAM");
  area->callback([=] {
    for (const std::string& f : *area_synth) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      const auto r = sweep::synthesize(nlohmann::ordered_json::parse(ss.str()));
      if (!r.ok) throw std::runtime_error(f + ": " + r.error);
      std::printf("synth %s: %s, %.0f LUT %.0f FF %.0f DSP %.0f RAMB36 %.0f RAMB18 (Yosys %.0f s) in %s\n", f.c_str(),
                  r.cached ? "cached" : "synthesized", r.figures.luts, r.figures.ffs, r.figures.dsps, r.figures.ramb36,
                  r.figures.ramb18, r.seconds, r.dir.c_str());
    }
    const auto samples = area_samples(*area_cal);
    const sweep::AreaModel model = area_model(*area_cal, samples);
    std::printf("area model: fitted on %zu configs (LUT, FF, DSP least squares; block RAM computed from the SRAM geometry)\n",
                model.fit_size());
    std::printf("%-22s %-9s %-8s %23s %23s %17s %15s %15s\n", "config", "role", "GEMM", "LUT meas/model", "FF meas/model",
                "DSP meas/model", "RAMB36 m/model", "RAMB18 m/model");
    double worst[3] = {0, 0, 0};
    int held = 0, bram_exact = 0, bram_total = 0;
    for (const auto& s : samples) {
      // The calibration file's runs measure the RTL it was made from; cached runs the current one.
      const sweep::AreaFigures p = s.role == "cached" ? model.predict(s.cfg) : model.predict_calibration_rtl(s.cfg);
      const double m[3] = {s.measured.luts, s.measured.ffs, s.measured.dsps}, q[3] = {p.luts, p.ffs, p.dsps};
      std::printf("%-22s %-9s %-8s", s.name.c_str(), s.role.c_str(),
                  (std::to_string(s.cfg.hw.batch) + "x" + std::to_string(s.cfg.hw.block_in) + "x" + std::to_string(s.cfg.hw.block_out)).c_str());
      for (int i = 0; i < 3; ++i) {
        const double e = m[i] ? (q[i] / m[i] - 1) * 100 : 0;
        if (s.role != "fit") worst[i] = std::max(worst[i], std::abs(e));
        std::printf(" %7.0f/%-7.0f %+6.1f%%", m[i], q[i], e);
      }
      const bool exact = p.ramb36 == s.measured.ramb36 && p.ramb18 == s.measured.ramb18;
      ++bram_total, bram_exact += exact;
      std::printf("   %5.0f/%-5.0f   %5.0f/%-5.0f %s\n", s.measured.ramb36, p.ramb36, s.measured.ramb18, p.ramb18, exact ? "exact" : "DIFFERS");
      held += s.role != "fit";
      if (*area_memories)
        for (const auto& mm : sweep::memory_mappings(s.cfg, s.role != "cached"))
          std::printf("      %-20s %5d x %-6lld x%d  %-16s RAMB36 %d RAMB18 %d LUTRAM %d\n", mm.name.c_str(), mm.width,
                      (long long)mm.depth, mm.instances, mm.mode.c_str(), mm.ramb36, mm.ramb18, mm.lutram);
    }
    std::printf("held out (%d configs not fitted on): largest error LUT %.1f%%, FF %.1f%%, DSP %.1f%%; block RAM exact on %d of %d configs\n",
                held, worst[0], worst[1], worst[2], bram_exact, bram_total);
  });
}

}  // namespace tessera::cli
