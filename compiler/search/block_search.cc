// Block schedule search: lower each candidate tiling, time it, keep the fastest.
#include "compiler/search/block_search.h"

#include <algorithm>
#include <future>
#include <thread>
#include <vector>
#include <limits>
#include <map>
#include <tuple>

#include "compiler/compile_error.h"
#include "compiler/lower_block.h"
#include "compiler/program_builder.h"
#include "compiler/search/eltwise_cost.h"

namespace tessera::compiler::search {

SegmentCost block_cost(const ConvBlock& blk, const BlockSchedule& s, const DerivedConfig& cfg, const CostParams& params) {
  ProgramBuilder b(cfg);
  const int64_t eb = cfg.elem_bytes(int(MemType::OUT));
  // Scratch buffers of the block's shapes (their DRAM contents do not matter to the timing).
  auto [in, out] = block_buffers(blk, cfg);
  in.offset = b.reserve(uint64_t((in.elements() + in.wp()) * eb), 64);
  out.offset = b.reserve(uint64_t(out.elements() * eb), 64);
  lower_block(blk, s, b, in, out);
  const auto [begin, end] = b.end_segment("block '" + blk.name() + "'");
  return time_segment(b.program(), begin, end, cfg, params);
}

BlockChoice search_block(const ConvBlock& blk, const DerivedConfig& cfg, const CostParams& params) {
  BlockChoice best;
  best.cycles = std::numeric_limits<double>::infinity();
  const ConvGeometry d = conv_geometry(blk.depthwise, cfg);
  // Per tile width, chunk size, buffering and overlap, the tallest legal tile, balanced over the tile rows.
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, int64_t> tallest;
  for (const BlockSchedule& s : block_schedules(blk, cfg)) {
    int64_t& th = tallest[{s.tile_w, s.tile_e, s.bufs, s.overlap}];
    th = std::max(th, s.tile_h);
  }
  std::vector<BlockSchedule> candidates;
  for (const auto& [key, th] : tallest) {
    const auto [tw, te, bufs, overlap] = key;
    const int64_t rows = (d.oh + th - 1) / th;
    candidates.push_back({(d.oh + rows - 1) / rows, tw, te, bufs, overlap});
  }
  if (candidates.empty()) throw CompileError("block '" + blk.name() + "': no legal schedule");
  // Timed on every core (each candidate lowers into its own scratch program); the first of equals wins.
  std::vector<SegmentCost> costs(candidates.size());
  const size_t workers = std::max<size_t>(1, std::min<size_t>(candidates.size(), std::thread::hardware_concurrency()));
  std::vector<std::future<void>> running;
  for (size_t w = 0; w < workers; ++w)
    running.push_back(std::async(std::launch::async, [&, w] {
      for (size_t i = w; i < candidates.size(); i += workers) costs[i] = block_cost(blk, candidates[i], cfg, params);
    }));
  for (auto& f : running) f.get();  // rethrows a worker's CompileError
  for (size_t i = 0; i < candidates.size(); ++i)
    if (costs[i].cycles < best.cycles) best.cycles = costs[i].cycles, best.schedule = candidates[i];
  return best;
}

}  // namespace tessera::compiler::search
