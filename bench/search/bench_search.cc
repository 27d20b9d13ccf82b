// Search time: each unique ResNet-18 layer per config, and all of ResNet-18's layers in one go
// (the compile-time cost of searching every layer; threads = 1).
#include <benchmark/benchmark.h>

#include "compiler/search/search.h"
#include "tests/compiler/resnet18_shapes.h"

namespace {

using namespace tessera;
using namespace tessera::compiler;
using namespace tessera::compiler::search;

const char* const kConfigs[] = {"tiny", "default", "vta_4x8x8", "large_1x32x32", "rect_1x16x32", "batch2_2x16x16",
                                "board_zcu104_128bit"};

DerivedConfig config(const std::string& name) {
  return load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + name + ".json");
}

void BM_SearchLayer(benchmark::State& state, std::string cfg_name, RandomLayerSpec spec) {
  const DerivedConfig cfg = config(cfg_name);
  const LayerProblem lp = layer_problem(random_layer(spec, 1), cfg, IsaTarget::TESSERA);
  const CostModel model(cfg);
  SearchResult r;
  for (auto _ : state) r = search_layer(lp, model);
  state.counters["legal"] = double(r.legal);
  state.counters["evaluated"] = double(r.evaluated);
  state.counters["cycles"] = r.top.empty() ? 0 : r.top[0].cost.cycles;
}

void BM_SearchResNet18(benchmark::State& state, std::string cfg_name) {
  const DerivedConfig cfg = config(cfg_name);
  const CostModel model(cfg);
  std::vector<LayerProblem> layers;
  for (const auto& l : testing::resnet18_layers()) layers.push_back(layer_problem(random_layer(l.spec, 1), cfg, IsaTarget::TESSERA));
  for (auto _ : state)
    for (const auto& lp : layers) benchmark::DoNotOptimize(search_layer(lp, model).top.data());
}

const int kRegistered = [] {
  for (const char* c : kConfigs) {
    for (const auto& l : testing::resnet18_layers())
      benchmark::RegisterBenchmark((std::string("search/") + c + "/" + l.name).c_str(), BM_SearchLayer, std::string(c), l.spec)
          ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("search_resnet18/") + c).c_str(), BM_SearchResNet18, std::string(c))
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
