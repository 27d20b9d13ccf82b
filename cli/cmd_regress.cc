// `tessera regress`: run a regression suite (workloads x configs x backends), compare outputs, cycles and
// DRAM bytes with the recorded goldens, report what moved (table, JUnit XML, Markdown); --update rewrites them.
#include <chrono>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "regress/golden.h"
#include "regress/report.h"
#include "regress/runner.h"
#include "regress/suite.h"

namespace tessera::cli {

void add_regress_command(CLI::App& app) {
  auto* r = app.add_subcommand("regress", "Run a regression suite against its goldens (docs/PERFORMANCE.md, tests/regress/)");
  static std::string suite_file, junit, md_file, filter, goldens_file, slowdown, wrong;
  static bool update = false, quiet = false;
  static int jobs = 1;
  r->add_option("suite", suite_file, "suite JSON (tests/regress/*.json)")->required()->check(CLI::ExistingFile);
  r->add_flag("--update", update, "measure, check outputs against the reference, and rewrite the goldens (prints what moved)");
  r->add_option("--junit", junit, "write a JUnit XML report");
  r->add_option("--markdown", md_file, "write a Markdown summary (for a pull-request comment)");
  r->add_option("-j,--jobs", jobs, "runs measured in parallel (one child process each)")->check(CLI::Range(1, 256));
  r->add_option("--filter", filter, "only runs whose id (entry/config/backend) contains this text");
  r->add_option("--goldens", goldens_file, "goldens file to use instead of the suite's");
  r->add_flag("-q,--quiet", quiet, "no per-run progress lines");
  r->add_option("--inject-slowdown", slowdown,
                "test: STEP:N adds a bubble of N vector-ALU iterations (about N cycles, values unchanged) before the FINISH of STEP's segment (STEP '*': the first)");
  r->add_option("--inject-wrong", wrong, "test: corrupt one weight element of STEP (STEP '*': the first accelerator step)");
  r->callback([] {
    const auto t0 = std::chrono::steady_clock::now();
    regress::Suite suite = regress::load_suite(suite_file);
    if (!goldens_file.empty()) suite.goldens = goldens_file;
    regress::Injection inject;
    if (!slowdown.empty()) {
      const auto colon = slowdown.rfind(':');
      if (colon == std::string::npos) throw std::runtime_error("--inject-slowdown expects STEP:N");
      inject.slowdown_step = slowdown.substr(0, colon);
      inject.slowdown_cycles = std::stoll(slowdown.substr(colon + 1));
      if (inject.slowdown_cycles <= 0) throw std::runtime_error("--inject-slowdown: N must be positive");
    }
    inject.wrong_step = wrong;
    if (update && inject.any()) throw std::runtime_error("--update with an injected fault would record it as golden");
    const std::vector<regress::Run> runs = regress::expand_runs(suite, filter);
    if (runs.empty()) throw std::runtime_error("no run of " + suite_file + " matches --filter '" + filter + "'");
    const std::vector<regress::Measurement> ms = regress::measure_all(suite, runs, jobs, update, inject, !quiet);

    regress::Goldens goldens = regress::read_goldens(suite.goldens);
    regress::Outcome o;
    o.suite = suite.name, o.update = update;
    for (size_t i = 0; i < runs.size(); ++i) {
      const auto it = goldens.find(ms[i].run);
      o.verdicts.push_back(regress::compare(ms[i], it == goldens.end() ? nullptr : &*it, runs[i].entry->tolerance_pct));
    }
    if (update) {
      // Runs that measured rewrite their goldens; a run that failed (or failed its reference check) keeps its old ones.
      int rewritten = 0;
      for (size_t i = 0; i < runs.size(); ++i) {
        regress::Verdict& v = o.verdicts[i];
        if (!ms[i].ok) continue;
        goldens[ms[i].run] = ms[i].metrics;
        ++rewritten;
        v.failed = false, v.failure.clear();
      }
      regress::write_goldens(suite.goldens, goldens);
      std::cerr << "rewrote " << rewritten << " of " << runs.size() << " runs' goldens in " << suite.goldens << "\n";
    }
    o.figures = regress::check_figures(suite, ms);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << regress::moved_table(o);
    if (!junit.empty()) std::ofstream(junit) << regress::junit_xml(o);
    if (!md_file.empty()) std::ofstream(md_file) << regress::markdown(o);
    if (o.failures()) throw std::runtime_error(std::to_string(o.failures()) + " regression failure(s) in suite '" + suite.name + "'");
  });
}

}  // namespace tessera::cli
