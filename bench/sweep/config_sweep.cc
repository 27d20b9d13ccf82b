// Config sweep: one fixed workload (ResNet-18's layer2 and layer3 3x3 convs and a strided pointwise
// conv) searched and costed on every config; run on the RTL model where one is built (measured cycles,
// output checked against fsim); area from cached Yosys runs (scripts/sweep.sh --area).
// usage: config_sweep [--quick] [--no-rtl] [--area-dir DIR] [--csv FILE] [--json FILE] CONFIG.json...
// Prints a Markdown table, one row per config; exit 1 if an RTL output differs from fsim.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/search/search.h"
#include "sim/rtl/rtl_backend.h"
#include "sim/rtl/model.h"
#include "tests/compiler/resnet18_shapes.h"
#include "tests/compiler/search/rtl_measure.h"

using namespace tessera;
using namespace tessera::compiler;
using namespace tessera::compiler::search;
using json = nlohmann::ordered_json;

namespace {

// The workload; --quick shrinks every layer to at most 8x8 inputs and 32 channels.
std::vector<compiler::testing::NamedShape> workload(bool quick) {
  std::vector<compiler::testing::NamedShape> out;
  for (const auto& l : compiler::testing::resnet18_layers()) {
    const std::string n = l.name;
    if (n != "layer2.conv" && n != "layer3.conv" && n != "layer3.0.downsample") continue;
    out.push_back(l);
    if (quick) {
      auto& s = out.back().spec;
      s.c = std::min<int64_t>(s.c, 32), s.k = std::min<int64_t>(s.k, 32), s.h = s.w = std::min<int64_t>(s.h, 8);
    }
  }
  return out;
}

bool has_rtl_model(const DerivedConfig& cfg) {
  for (const RtlModelEntry& e : rtl_model_entries())
    if (derive(parse_config(e.config_json, e.config_name), e.config_name).hash == cfg.hash) return true;
  return false;
}

// Area figures of scripts/synth.sh (area.json) cached under DIR/<config hash>/, if present.
json area_of(const std::string& dir, const DerivedConfig& cfg) {
  if (dir.empty()) return nullptr;
  std::ifstream f(dir + "/" + cfg.hash_hex() + "/area.json");
  if (!f) return nullptr;
  std::stringstream ss;
  ss << f.rdbuf();
  return json::parse(ss.str());
}

struct LayerResult {
  std::string name, schedule;
  double macs = 0, predicted = 0, measured = 0;
  int64_t dram_bytes = 0;
  bool ran = false, matches = false;
};

LayerResult run_layer(const compiler::testing::NamedShape& shape, const DerivedConfig& cfg, bool rtl) {
  const Layer layer = random_layer(shape.spec, 3);
  const LayerProblem lp = layer_problem(layer, cfg, IsaTarget::TESSERA);
  const SearchResult r = search_layer(lp, CostModel(cfg));
  if (r.top.empty()) throw std::runtime_error(std::string(shape.name) + ": no legal schedule on " + cfg.hw.name);
  LayerResult out;
  out.name = shape.name;
  out.schedule = schedule_json(r.top[0].schedule);
  out.macs = double(lp.g.n * lp.g.c * lp.g.k * lp.g.oh * lp.g.ow * lp.g.r * lp.g.s);
  out.predicted = r.top[0].cost.cycles;
  out.dram_bytes = r.top[0].cost.dram_read + r.top[0].cost.dram_written;
  if (!rtl) return out;
  const search::testing::CheckedRun run = search::testing::run_checked_on_rtl(layer, cfg, r.top[0].schedule, 11);
  out.ran = true;
  out.measured = double(run.rtl.report.cycles);
  out.matches = run.matches_fsim;
  return out;
}

std::string fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, rtl = true;
  std::string area_dir, csv_file, json_file;
  std::vector<std::string> configs;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      const auto val = [&] {
        if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
        return std::string(argv[++i]);
      };
      if (a == "--quick") quick = true;
      else if (a == "--no-rtl") rtl = false;
      else if (a == "--area-dir") area_dir = val();
      else if (a == "--csv") csv_file = val();
      else if (a == "--json") json_file = val();
      else if (!a.empty() && a[0] != '-') configs.push_back(a);
      else throw std::runtime_error("unknown argument " + a);
    }
    if (configs.empty()) throw std::runtime_error("no config files given");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "config_sweep: %s\nusage: config_sweep [--quick] [--no-rtl] [--area-dir DIR] [--csv FILE] "
                         "[--json FILE] CONFIG.json...\n", e.what());
    return 2;
  }
  const auto layers = workload(quick);
  json rows = json::array();
  bool mismatch = false;
  std::string layer_names;
  for (const auto& l : layers) layer_names += (layer_names.empty() ? "" : ", ") + std::string(l.name);
  std::printf("Workload%s: %s (TESSERA ISA, searched schedules, latency objective)\n\n", quick ? " (--quick: C, K <= 32, H, W <= 8)" : "",
              layer_names.c_str());
  std::printf("| config | GEMM | MACs/cycle | predicted cycles | util (model) | DRAM bytes | RTL cycles | util (RTL) | "
              "model vs RTL | RTL = fsim | LUT | FF | DSP | BRAM36/18 |\n"
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
  for (const std::string& file : configs) {
    try {
      const DerivedConfig cfg = load_derived(file);
      const double peak = double(cfg.hw.batch) * cfg.hw.block_in * cfg.hw.block_out;
      const bool on_rtl = rtl && has_rtl_model(cfg);
      json row = {{"config", cfg.hw.name}, {"hash", cfg.hash_hex()},
                  {"gemm", std::to_string(cfg.hw.batch) + "x" + std::to_string(cfg.hw.block_in) + "x" +
                               std::to_string(cfg.hw.block_out)},
                  {"macs_per_cycle", peak}};
      double macs = 0, predicted = 0, measured = 0;
      int64_t bytes = 0;
      bool matches = true;
      json per_layer = json::array();
      for (const auto& l : layers) {
        const LayerResult r = run_layer(l, cfg, on_rtl);
        macs += r.macs, predicted += r.predicted, measured += r.measured, bytes += r.dram_bytes;
        matches &= r.matches;
        per_layer.push_back({{"layer", r.name}, {"schedule", json::parse(r.schedule)}, {"macs", r.macs},
                             {"predicted_cycles", r.predicted}, {"dram_bytes", r.dram_bytes},
                             {"rtl_cycles", r.ran ? json(r.measured) : json(nullptr)},
                             {"rtl_matches_fsim", r.ran ? json(r.matches) : json(nullptr)}});
      }
      row["predicted_cycles"] = predicted;
      row["util_model"] = macs / (predicted * peak);
      row["dram_bytes"] = bytes;
      row["rtl_cycles"] = on_rtl ? json(measured) : json(nullptr);
      row["util_rtl"] = on_rtl ? json(macs / (measured * peak)) : json(nullptr);
      row["model_error"] = on_rtl ? json(predicted / measured - 1) : json(nullptr);
      row["rtl_matches_fsim"] = on_rtl ? json(matches) : json(nullptr);
      row["area"] = area_of(area_dir, cfg);
      row["layers"] = per_layer;
      mismatch |= on_rtl && !matches;
      const json& a = row["area"];
      const auto area = [&](const char* k) { return a.is_null() ? std::string("-") : std::to_string(a.at(k).get<int64_t>()); };
      std::printf("| %s | %s | %.0f | %.0f | %s%% | %lld | %s | %s | %s | %s | %s | %s | %s | %s |\n", cfg.hw.name.c_str(),
                  row["gemm"].get<std::string>().c_str(), peak, predicted, fixed(100 * macs / (predicted * peak), 1).c_str(),
                  (long long)bytes, on_rtl ? fixed(measured, 0).c_str() : "-",
                  on_rtl ? (fixed(100 * macs / (measured * peak), 1) + "%").c_str() : "-",
                  on_rtl ? (fixed(100 * (predicted / measured - 1), 2) + "%").c_str() : "-",
                  on_rtl ? (matches ? "yes" : "**NO**") : "-", area("luts").c_str(), area("ffs").c_str(),
                  area("dsp48e1").c_str(), a.is_null() ? "-" : (area("ramb36e1") + "/" + area("ramb18e1")).c_str());
      std::fflush(stdout);
      rows.push_back(row);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "config_sweep: %s: %s\n", file.c_str(), e.what());
      return 1;
    }
  }
  if (!json_file.empty()) std::ofstream(json_file) << rows.dump(1) << "\n";
  if (!csv_file.empty()) {
    std::ofstream f(csv_file);
    f << "config,hash,gemm,macs_per_cycle,predicted_cycles,util_model,dram_bytes,rtl_cycles,util_rtl,model_error,"
         "rtl_matches_fsim,luts,ffs,dsp48e1,ramb36e1,ramb18e1\n";
    for (const json& r : rows) {
      f << r["config"].get<std::string>();
      for (const char* k : {"hash", "gemm", "macs_per_cycle", "predicted_cycles", "util_model", "dram_bytes", "rtl_cycles",
                            "util_rtl", "model_error", "rtl_matches_fsim"})
        f << "," << (r[k].is_null() ? "" : r[k].is_string() ? r[k].get<std::string>() : r[k].dump());
      for (const char* k : {"luts", "ffs", "dsp48e1", "ramb36e1", "ramb18e1"})
        f << "," << (r["area"].is_null() ? "" : r["area"][k].dump());
      f << "\n";
    }
  }
  return mismatch ? 1 : 0;
}
