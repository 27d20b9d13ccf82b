// Cycle estimate of ALU-only segments: lower into a scratch program, then time its instructions.
#include "compiler/search/eltwise_cost.h"

#include <algorithm>
#include <array>
#include <deque>

#include "compiler/program_builder.h"

namespace tessera::compiler::search {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// A STORE row (one write burst) never takes fewer cycles than this on the RTL: measured with the
// halo fills' one-vector column rows (validate_eltwise_cost), which the conv calibration never has.
constexpr double kShortStoreRow = 7.6;

enum Unit { LOAD_UNIT, COMPUTE_UNIT, STORE_UNIT };
enum Queue { L2G, G2L, G2S, S2G };

Unit unit_of(const Insn& in) {
  const auto op = Opcode(in[Field::OPCODE]);
  if (op == Opcode::STORE) return STORE_UNIT;
  if (op == Opcode::LOAD) {
    const auto m = MemType(in[Field::MEMORY_TYPE]);
    if (m == MemType::INP || m == MemType::WGT) return LOAD_UNIT;
  }
  return COMPUTE_UNIT;
}

// The queues an instruction of `u` pops from and pushes to through its prev/next flags (-1: none).
std::array<int, 2> pops(Unit u) {
  if (u == LOAD_UNIT) return {-1, G2L};
  if (u == COMPUTE_UNIT) return {L2G, S2G};
  return {G2S, -1};
}
std::array<int, 2> pushes(Unit u) {
  if (u == LOAD_UNIT) return {-1, L2G};
  if (u == COMPUTE_UNIT) return {G2L, G2S};
  return {S2G, -1};
}

}  // namespace

double issue_slots(const Insn& in, const DerivedConfig& cfg) {
  const int64_t uops = std::max<int64_t>(0, in[Field::UOP_END] - in[Field::UOP_BGN]);
  const int64_t out = in[Field::ITER_OUT], inner = in[Field::ITER_IN];
  // Depthwise mode: per group its taps, then BLOCK_OUT drain slots.
  if (Opcode(in[Field::OPCODE]) == Opcode::GEMM && in[Field::DEPTHWISE]) return double(out * inner * (uops + cfg.hw.block_out));
  if (Opcode(in[Field::OPCODE]) == Opcode::GEMM || in[Field::RESET] || in[Field::USE_IMM]) return double(uops * out * inner);
  if (uops == 1 && in[Field::SRC_FACTOR_IN] == 0) return double(out * (1 + inner));  // operand fetched once
  return double(2 * uops * out * inner);
}

SegmentCost time_segment(const Program& prog, uint64_t begin, uint64_t end, const DerivedConfig& cfg,
                         const CostParams& p) {
  const auto& hw = cfg.hw;
  const int64_t beat = hw.dram_bus_bits / 8, lat = hw.dram_latency_cycles;
  const double cycles_per_beat = std::max(double(beat) / hw.dram_bytes_per_cycle,
                                          double(lat) / (hw.dram_max_outstanding * hw.dram_max_burst_beats));
  SegmentCost c;
  std::array<double, 3> free{p.start, p.start, p.start};
  std::array<double*, 3> busy{&c.load_busy, &c.compute_busy, &c.store_busy};
  std::array<std::deque<double>, 4> tokens;
  bool compute_ran = false;  // a compute-unit LOAD waits for the GEMM/ALU pipeline to drain
  // The compute unit dispatches in order into two pipes (GEMM, ALU work); an instruction with the
  // overlap flag waits only for its own pipe, any other for both.
  std::array<double, 2> pipe_free{p.start, p.start};
  double dispatch = p.start;
  for (uint64_t i = begin; i < end; ++i) {
    const Insn& in = prog.insns[i];
    const auto op = Opcode(in[Field::OPCODE]);
    const Unit u = unit_of(in);
    const int lane = u == COMPUTE_UNIT ? overlap_lane(in) : -1;
    const bool flagged = lane >= 0 && in[Field::OVERLAP];
    double start = free[u];
    if (u == COMPUTE_UNIT)
      start = flagged ? std::max(dispatch, pipe_free[size_t(lane)]) : std::max({dispatch, pipe_free[0], pipe_free[1]});
    const auto pq = pops(u);
    const Field pop_flag[2] = {Field::POP_PREV, Field::POP_NEXT};
    for (int k = 0; k < 2; ++k)
      if (pq[size_t(k)] >= 0 && in[pop_flag[k]]) {
        auto& q = tokens[size_t(pq[size_t(k)])];
        if (!q.empty()) start = std::max(start, q.front()), q.pop_front();
      }
    double d = 0;
    if (op == Opcode::LOAD || op == Opcode::STORE) {
      const auto m = MemType(in[Field::MEMORY_TYPE]);
      const int64_t eb = m == MemType::UOP ? cfg.uop_bytes() : cfg.elem_bytes(int(m));
      const int64_t x = in[Field::X_SIZE], rows = in[Field::Y_SIZE], bytes = x * eb * rows;
      if (x > 0) {
        const double row_beats = double(ceil_div(x * eb, beat)) * cycles_per_beat;
        if (m == MemType::OUT_TO_INP) {
          // On chip: one element per cycle, no DRAM traffic.
          d = p.store_insn + double(rows * x);
        } else if (op == Opcode::STORE) {
          d = p.store_insn + double(lat) + double(rows) * std::max(p.store_row + row_beats, kShortStoreRow);
          c.dram_written += bytes;
        } else {
          // Elements narrower than a beat are written one per cycle; pads one element per cycle.
          double row = std::max(row_beats, eb < beat ? double(x) : 0.0) + double(in[Field::X_PAD_0] + in[Field::X_PAD_1]);
          if (m == MemType::UOP) row = std::max(row, double(x));  // one micro-op per cycle at best
          const double pad_rows = double(in[Field::Y_PAD_0] + in[Field::Y_PAD_1]) *
                                  double(in[Field::X_PAD_0] + x + in[Field::X_PAD_1]);
          d = p.load_insn + double(lat) + double(rows) * (p.load_row + row) + pad_rows;
          if (u == COMPUTE_UNIT && compute_ran) d += p.drain;
          c.dram_read += bytes;
        }
      }
      if (u == COMPUTE_UNIT) compute_ran = false;
    } else if (op == Opcode::GEMM || op == Opcode::ALU) {
      const double s = issue_slots(in, cfg);
      c.alu_slots += s;
      d = p.compute_insn + s + (in[Field::PUSH_PREV] || in[Field::PUSH_NEXT] ? p.drain : 0.0);
      compute_ran = true;
    }
    free[u] = start + d;
    *busy[u] += d;
    if (u == COMPUTE_UNIT) {
      // A running GEMM/ALU loop lets the next instruction dispatch; a LOAD, FINISH or an empty loop
      // (which waits for both pipes) holds the sequencer until it is done.
      const bool loop = (op == Opcode::GEMM || op == Opcode::ALU) && issue_slots(in, cfg) > 0;
      dispatch = loop ? start : start + d;
      if (lane >= 0) pipe_free[size_t(lane)] = free[u];
      else pipe_free = {free[u], free[u]};
      free[u] = std::max(pipe_free[0], pipe_free[1]);
    }
    const auto pq2 = pushes(u);
    const Field push_flag[2] = {Field::PUSH_PREV, Field::PUSH_NEXT};
    for (int k = 0; k < 2; ++k)
      if (pq2[size_t(k)] >= 0 && in[push_flag[k]]) tokens[size_t(pq2[size_t(k)])].push_back(start + d);
  }
  c.cycles = *std::max_element(free.begin(), free.end());
  c.memory_bound = double(c.dram_read + c.dram_written) / double(std::max(1, hw.dram_bytes_per_cycle));
  return c;
}

SegmentCost eltwise_cost(const Layer& layer, const EltwiseIO* io, const DerivedConfig& cfg, IsaTarget isa,
                         const CostParams& params) {
  ProgramBuilder b(cfg);
  const EltwiseIO own = io ? EltwiseIO{} : place_eltwise_io(layer, b);
  if (!io) io = &own;
  if (layer.kind == LayerKind::ADD) lower_add(layer, b, io);
  else if (layer.kind == LayerKind::MAX_POOL) lower_max_pool(layer, b, io, isa);
  else lower_global_avg_pool(layer, b, *io);
  const auto [begin, end] = b.end_segment("layer '" + layer.name + "'");
  return time_segment(b.program(), begin, end, cfg, params);
}

SegmentCost fill_halo_cost(const ActBuffer& buf, const DerivedConfig& cfg, const CostParams& params) {
  if (!(buf.top || buf.left || buf.bottom || buf.right)) return {};
  ProgramBuilder b(cfg);
  fill_halo(buf, 0, "halo", b);
  const auto [begin, end] = b.end_segment("halo");
  return time_segment(b.program(), begin, end, cfg, params);
}

}  // namespace tessera::compiler::search
