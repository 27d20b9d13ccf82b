// Compile time per layer: ResNet-18's conv shapes and FC at full size, default schedule, default config.
#include <benchmark/benchmark.h>

#include "compiler/compile.h"
#include "tests/compiler/resnet18_shapes.h"

namespace {

using namespace tessera;
using namespace tessera::compiler;

void BM_Compile(benchmark::State& state, RandomLayerSpec spec) {
  const DerivedConfig cfg = load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json");
  Model m;
  m.layers = {random_layer(spec, 1)};
  size_t insns = 0, uops = 0;
  for (auto _ : state) {
    const Compiled c = compile_model(m, cfg);
    insns = c.program.insns.size(), uops = c.program.uops.size();
    benchmark::DoNotOptimize(c.program.insns.data());
  }
  state.counters["insns"] = double(insns);
  state.counters["uops"] = double(uops);
}

const int kRegistered = [] {
  for (const auto& l : testing::resnet18_layers())
    benchmark::RegisterBenchmark((std::string("compile/") + l.name).c_str(), BM_Compile, l.spec)
        ->Unit(benchmark::kMillisecond);
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
