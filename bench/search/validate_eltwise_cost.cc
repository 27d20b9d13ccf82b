// Validates the eltwise cycle estimate (compiler/search/eltwise_cost.h) against the RTL model:
// ResNet-18's max-pool (both ISA targets), its residual adds at 56/28/14/7, its global average
// pool, odd shapes and channel counts, and output-halo fills; prints predicted vs RTL cycles and the
// error per shape, and the largest error. Usage: validate_eltwise_cost [config] (default: default).
#include <cmath>
#include <map>
#include <tuple>
#include <cstdio>
#include <string>
#include <vector>

#include "compiler/import/random_layer.h"
#include "compiler/program_builder.h"
#include "compiler/search/eltwise_cost.h"
#include "driver/device.h"
#include "tests/compiler/search/rtl_measure.h"

using namespace tessera;
using namespace tessera::compiler;

namespace {

struct Row {
  std::string what;
  double predicted;
  uint64_t rtl;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string config = argc > 1 ? argv[1] : "default";
  const DerivedConfig cfg = load_derived(std::string(TESSERA_SOURCE_DIR) + "/configs/" + config + ".json");
  Device rtl(cfg, "rtl");
  std::vector<Row> rows;
  const auto spec = [](LayerKind k, ElemType t, int64_t c, int64_t h, int64_t w) {
    RandomLayerSpec s;
    s.kind = k, s.type = t, s.c = c, s.h = h, s.w = w, s.kernel = 3, s.stride = 2, s.pad = 1;
    s.relu = k == LayerKind::ADD;
    return s;
  };
  const auto I8 = ElemType::INT8, U8 = ElemType::UINT8;
  struct Case {
    std::string what;
    RandomLayerSpec s;
    IsaTarget isa;
  };
  RandomLayerSpec k2 = spec(LayerKind::MAX_POOL, U8, 20, 13, 10);
  k2.kernel = 2, k2.pad = 0;
  const std::vector<Case> cases = {
      {"max-pool 64x112x112 3x3/2 (ResNet-18), TESSERA", spec(LayerKind::MAX_POOL, I8, 64, 112, 112), IsaTarget::TESSERA},
      {"max-pool 64x112x112 3x3/2 (ResNet-18), VTA", spec(LayerKind::MAX_POOL, I8, 64, 112, 112), IsaTarget::VTA},
      {"max-pool 20x13x10 3x3/2", spec(LayerKind::MAX_POOL, U8, 20, 13, 10), IsaTarget::TESSERA},
      {"max-pool 20x13x10 2x2/2 (every tap)", k2, IsaTarget::TESSERA},
      {"add 64x56x56", spec(LayerKind::ADD, U8, 64, 56, 56), IsaTarget::TESSERA},
      {"add 128x28x28", spec(LayerKind::ADD, U8, 128, 28, 28), IsaTarget::TESSERA},
      {"add 256x14x14", spec(LayerKind::ADD, U8, 256, 14, 14), IsaTarget::TESSERA},
      {"add 512x7x7", spec(LayerKind::ADD, U8, 512, 7, 7), IsaTarget::TESSERA},
      {"add 20x9x7", spec(LayerKind::ADD, I8, 20, 9, 7), IsaTarget::TESSERA},
      {"global avg pool 512x7x7 (ResNet-18)", spec(LayerKind::GLOBAL_AVG_POOL, U8, 512, 7, 7), IsaTarget::TESSERA},
      {"global avg pool 40x7x7", spec(LayerKind::GLOBAL_AVG_POOL, U8, 40, 7, 7), IsaTarget::TESSERA},
      {"global avg pool 17x5x9", spec(LayerKind::GLOBAL_AVG_POOL, I8, 17, 5, 9), IsaTarget::TESSERA},
  };
  for (const Case& c : cases) {
    Layer l = random_layer(c.s, 7);
    if (l.output.shape.size() == 2) l.output.shape = {l.output.shape[0], l.output.shape[1], 1, 1};
    ProgramBuilder b(cfg);
    const EltwiseIO io = place_eltwise_io(l, b);
    if (l.kind == LayerKind::ADD) lower_add(l, b, &io);
    else if (l.kind == LayerKind::MAX_POOL) lower_max_pool(l, b, &io, c.isa);
    else lower_global_avg_pool(l, b, io);
    const Program p = b.finish(c.what, nullptr);
    const DeviceRun r = rtl.run(p, search::testing::random_inputs(l, 3));
    rows.push_back({c.what, search::eltwise_cost(l, &io, cfg, c.isa).cycles, r.report.cycles});
  }
  // Halo fills, each a segment of its own.
  for (const auto& [what, planes, h, w, halo] :
       std::vector<std::tuple<std::string, int64_t, int64_t, int64_t, int64_t>>{
           {"halo fill 64x56x56, 1 around", 4, 56, 56, 1}, {"halo fill 128x28x28, 1 around", 8, 28, 28, 1},
           {"halo fill 20x9x7, 2 around", 2, 9, 7, 2}}) {
    ActBuffer buf{0, planes, h, w, halo, halo, halo, halo};
    ProgramBuilder b(cfg);
    buf.offset = b.reserve(uint64_t(buf.elements() * cfg.elem_bytes(int(MemType::OUT))), 64);
    fill_halo(buf, -128, what, b);
    const Program p = b.finish(what, nullptr);
    const DeviceRun r = rtl.run(p, {});
    rows.push_back({what, search::fill_halo_cost(buf, cfg).cycles, r.report.cycles});
  }
  std::printf("| segment (%s) | predicted | RTL | error |\n|---|---|---|---|\n", config.c_str());
  double worst = 0;
  for (const Row& r : rows) {
    const double err = 100.0 * (r.predicted - double(r.rtl)) / double(r.rtl);
    worst = std::max(worst, std::fabs(err));
    std::printf("| %s | %.0f | %llu | %+.1f %% |\n", r.what.c_str(), r.predicted, (unsigned long long)r.rtl, err);
  }
  std::printf("largest |error|: %.1f %%\n", worst);
  return 0;
}
