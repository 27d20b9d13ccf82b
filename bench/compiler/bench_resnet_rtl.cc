// ResNet-18 layers at full size on a backend (default: the RTL model): cycles, MAC utilization,
// and agreement with the plain-loop reference. usage: bench_resnet_rtl [backend] [layer-name ...]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "compiler/compile.h"
#include "driver/device.h"
#include "tests/compiler/resnet18_shapes.h"
#include "tests/reference/quantized_ops.h"

using namespace tessera;
using namespace tessera::compiler;

int main(int argc, char** argv) {
  const std::string backend = argc > 1 ? argv[1] : "rtl";
  const DerivedConfig cfg = load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/default.json");
  std::printf("%-22s %12s %12s %8s %10s %8s %8s\n", "layer", "MACs", "cycles", "util%", "elements", "off-by-1", "worse");
  int bad = 0;
  for (const auto& shape : testing::resnet18_layers()) {
    bool wanted = argc <= 2;
    for (int i = 2; i < argc; ++i) wanted |= shape.name == std::string(argv[i]);
    if (!wanted) continue;
    Model m;
    m.layers = {random_layer(shape.spec, 18)};
    const Layer& l = m.layers[0];
    const Compiled c = compile_model(m, cfg);
    size_t count = 1;
    for (int64_t d : l.inputs[0].shape) count *= size_t(d);
    const std::vector<int32_t> xs = random_values(l.inputs[0].type, count, 1);
    NpyArray x;
    x.dtype = NpyDType::UINT8, x.shape = l.inputs[0].shape;
    for (int32_t v : xs) x.data.push_back(uint8_t(v));
    Device dev(cfg, backend);
    const DeviceRun r = dev.run(c.program, {{l.inputs[0].name, x}});
    const std::vector<int32_t> want = reference::run_layer(l, {xs});
    const NpyArray& y = r.outputs.at(l.output.name);
    int64_t ones = 0, worse = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      const int d = std::abs(int(y.data[i]) - want[i]);
      ones += d == 1, worse += d > 1;
    }
    int64_t macs = int64_t(l.weights.size());
    for (size_t d = 2; d < l.output.shape.size(); ++d) macs *= l.output.shape[d];
    const double peak = double(cfg.hw.batch) * cfg.hw.block_in * cfg.hw.block_out;
    std::printf("%-22s %12lld %12llu %8.1f %10zu %8lld %8lld\n", shape.name, (long long)macs,
                (unsigned long long)r.report.cycles, r.report.cycles ? 100.0 * double(macs) / (peak * double(r.report.cycles)) : 0.0,
                want.size(), (long long)ones, (long long)worse);
    bad += worse > 0 || ones * 1000 > int64_t(want.size());
  }
  return bad ? 1 : 0;
}
