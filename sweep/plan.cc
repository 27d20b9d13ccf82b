// Shard planning (GNU parallel job list, Slurm array script) and merging of shard results.
#include "sweep/plan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "isa/text_file.h"
#include "sweep/space.h"
#include "sweep/store.h"

namespace tessera::sweep {

using json = nlohmann::ordered_json;

namespace {

std::string absolute(const std::string& p) {
  if (!p.empty() && p[0] == '/') return p;
  char buf[4096];
  return std::string(::getcwd(buf, sizeof buf) ? buf : ".") + "/" + p;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

Plan write_plan(const std::string& spec_path, const Spec& spec, const std::string& out_dir, int shards,
                const std::string& tessera, int jobs) {
  if (shards < 1) throw std::runtime_error("plan: --shards must be >= 1");
  const Space space(spec);
  Plan plan;
  plan.points = space.size();
  plan.shards = int(std::min<int64_t>(shards, std::max<int64_t>(1, space.size())));
  ::mkdir(out_dir.c_str(), 0777);
  const std::string dir = absolute(out_dir), spec_abs = absolute(spec_path);
  const auto range = [&](int i) {
    return std::to_string(space.size() * i / plan.shards) + ":" + std::to_string(space.size() * (i + 1) / plan.shards);
  };
  plan.job_list = dir + "/jobs.txt";
  {
    std::ofstream f(plan.job_list);
    for (int i = 0; i < plan.shards; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "shard_%04d", i);
      f << quote(tessera) << " sweep " << quote(spec_abs) << " -o " << quote(dir + "/" + name) << " --range " << range(i)
        << " --jobs " << jobs << " --resume --no-report\n";
    }
    if (!f) throw std::runtime_error(plan.job_list + ": cannot write");
  }
  plan.slurm_script = dir + "/slurm.sh";
  {
    std::ofstream f(plan.slurm_script);
    f << "#!/bin/bash\n"
      << "# tessera sweep " << spec.name << ": " << plan.points << " points in " << plan.shards << " shards.\n"
      << "# Submit: sbatch " << quote(plan.slurm_script) << "   then: tessera sweep merge -o OUT " << quote(dir) << "/shard_*\n"
      << "#SBATCH --job-name=tessera-sweep-" << spec.name << "\n"
      << "#SBATCH --array=0-" << plan.shards - 1 << "\n"
      << "#SBATCH --cpus-per-task=" << jobs << "\n"
      << "#SBATCH --output=" << dir << "/slurm-%A_%a.out\n"
      << "set -euo pipefail\n"
      << "i=${SLURM_ARRAY_TASK_ID:?run under sbatch --array}\n"
      << "line=$(sed -n \"$((i + 1))p\" " << quote(plan.job_list) << ")\n"
      << "eval \"$line\"\n";
    if (!f) throw std::runtime_error(plan.slurm_script + ": cannot write");
  }
  ::chmod(plan.slurm_script.c_str(), 0755);
  std::ofstream(dir + "/plan.json") << json{{"spec", spec_abs}, {"points", plan.points}, {"shards", plan.shards},
                                            {"objectives", spec.objectives}, {"name", spec.name}}
                                           .dump(1)
                                    << "\n";
  return plan;
}

size_t merge_results(const std::vector<std::string>& dirs, const std::string& out_dir) {
  if (dirs.empty()) throw std::runtime_error("merge: no shard directories given");
  std::string fingerprint;
  std::vector<json> all;
  std::set<std::string> seen;
  for (const std::string& d : dirs) {
    const auto meta = read_text_file(d + "/meta.json");
    if (!meta) throw std::runtime_error(d + ": no meta.json (not a sweep results directory)");
    const std::string fp = json::parse(*meta).value("fingerprint", "");
    if (fingerprint.empty()) fingerprint = fp;
    else if (fp != fingerprint) throw std::runtime_error(d + ": results of another spec (fingerprint " + fp + " vs " + fingerprint + ")");
    for (json& p : read_results(d + "/results.jsonl"))
      if (seen.insert(p.value("id", "")).second) all.push_back(std::move(p));
  }
  ResultStore store(out_dir, fingerprint, false);
  for (const json& p : all) store.append(p);
  return all.size();
}

}  // namespace tessera::sweep
