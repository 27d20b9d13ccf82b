// Writes the shipped schedule databases (configs/schedules/<config>.json): the searched schedules of
// ResNet-18's unique convs and FC (as single layers and as the network compiler lowers them: conv1
// over im2col, residual adds fused), MobileNetV2's pointwise convs and its whole network (depthwise
// convs, fused inverted-residual adds; its fused blocks too, on configs with the depthwise mode), full
// size, TESSERA ISA, for the latency and DRAM-traffic objectives (blocks: latency). Deterministic:
// the same compiler writes the same files.
// usage: ship_schedules --workloads DIR --out DIR CONFIG.json...   (scripts/ship_schedules.sh)
#include <cstdio>
#include <string>
#include <vector>

#include "bench/search/workload_table.h"
#include "compiler/compile_error.h"
#include "compiler/import/onnx_import.h"
#include "compiler/import/random_network.h"
#include "compiler/network/compile_network.h"
#include "compiler/search/schedule_cache.h"
#include "tests/compiler/resnet18_shapes.h"

using namespace tessera;
using namespace tessera::compiler;
using namespace tessera::compiler::search;

int main(int argc, char** argv) {
  std::string workloads, out;
  std::vector<std::string> configs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--workloads" || a == "--out") && i + 1 < argc) (a == "--out" ? out : workloads) = argv[++i];
    else if (!a.empty() && a[0] != '-') configs.push_back(a);
    else {
      std::fprintf(stderr, "usage: ship_schedules --workloads DIR --out DIR CONFIG.json...\n");
      return 2;
    }
  }
  if (workloads.empty() || out.empty() || configs.empty()) {
    std::fprintf(stderr, "usage: ship_schedules --workloads DIR --out DIR CONFIG.json...\n");
    return 2;
  }
  try {
    std::vector<RandomLayerSpec> layers;
    for (const auto& l : testing::resnet18_layers()) layers.push_back(l.spec);
    for (const auto& s : workloads::read_workload(workloads + "/mobilenetv2.csv", true, INT64_MAX, INT64_MAX))
      layers.push_back(testing::resnet_conv(s.c, s.hw, s.k, int(s.kernel), int(s.stride), int(s.pad)));
    // Whole ResNet-18 as the network compiler lowers it: conv1 over the host im2col, convs with
    // their residual adds fused (the random weights do not change a layer's schedule problem).
    std::vector<Network> networks;
    for (NetworkArch arch : {NetworkArch::RESNET18, NetworkArch::MOBILENETV2}) {
      NetworkSpec net_spec;
      net_spec.arch = arch;
      networks.push_back(import_onnx_network(random_network(net_spec).onnx, network_arch_name(arch)));
    }
    for (const std::string& file : configs) {
      const DerivedConfig cfg = load_derived(file);
      std::vector<Layer> problems;
      std::vector<ConvBlock> blocks;
      for (const RandomLayerSpec& spec : layers) problems.push_back(random_layer(spec, 1));
      for (const Network& net : networks) {
        try {
          // Every layer apart (what the fusion pass weighs a block against), then the fused blocks.
          CompileOptions apart;
          apart.blocks = BlockFusion::NEVER;
          for (const NetNode& n : run_graph_passes(net, cfg, apart).nodes)
            if (n.layer && (n.layer->kind == LayerKind::CONV2D || n.layer->kind == LayerKind::DENSE))
              problems.push_back(*n.layer);
          for (const NetNode& n : run_graph_passes(net, cfg).nodes)
            if (n.block) blocks.push_back(*n.block);
        } catch (const CompileError& e) {  // e.g. BLOCK_IN != BLOCK_OUT: no networks on this config
          std::printf("%s: no %s layers: %s\n", file.c_str(), net.source.c_str(), e.what());
        }
      }
      const CostModel model(cfg);
      std::string name = shipped_database_path(file);
      name = out + name.substr(name.find_last_of('/'));
      std::remove(name.c_str());  // regenerated from scratch, never merged with an older file
      ScheduleCache db(name, "shipped database");
      for (const Layer& layer : problems) {
        const LayerProblem lp = layer_problem(layer, cfg, IsaTarget::TESSERA);
        for (Objective o : {Objective::LATENCY, Objective::DRAM_TRAFFIC}) {
          SearchOptions opt;
          opt.objective = o;
          try {
            cached_search(lp, model, &db, opt);
          } catch (const CompileError& e) {  // the layer does not fit this config at all: nothing to ship
            std::printf("%s: %s layer %s: %s\n", name.c_str(), objective_name(o), lp.descriptor().c_str(), e.what());
          }
        }
      }
      for (const ConvBlock& blk : blocks) cached_block_search(blk, cfg, &db);
      db.save();
      std::printf("%s: %zu entries\n", name.c_str(), db.size());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ship_schedules: %s\n", e.what());
    return 1;
  }
  return 0;
}
