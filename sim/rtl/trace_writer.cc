// Writes one track per unit (busy/stall spans, retire markers) and a counter per token queue.
#include "sim/rtl/trace_writer.h"

#include <cstdio>
#include <stdexcept>

namespace tessera {
namespace {
const char* kQueues[] = {"l2g", "g2l", "g2s", "s2g"};
std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}
}  // namespace

TraceWriter::TraceWriter(const std::string& path, const std::vector<Insn>* program, double clock_mhz)
    : out_(path), program_(program), mhz_(clock_mhz > 0 ? clock_mhz : 1.0) {
  if (!out_) throw std::runtime_error("cannot write trace file '" + path + "'");
  out_ << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  for (int u = 0; u < kNumUnits; ++u)
    event("{\"ph\":\"M\",\"pid\":1,\"tid\":" + std::to_string(u) + ",\"name\":\"thread_name\",\"args\":{\"name\":\"" +
          unit_name(static_cast<Unit>(u)) + "\"}}");
}

TraceWriter::~TraceWriter() {
  if (out_.is_open()) out_ << "\n]}\n";
}

void TraceWriter::event(const std::string& json) {
  out_ << (first_ ? "" : ",\n") << json;
  first_ = false;
}

void TraceWriter::span(int unit, State s, uint64_t from, uint64_t to, uint16_t wait) {
  if (s == State::IDLE || to <= from) return;
  std::string name = s == State::BUSY ? "busy" : "stall";
  for (int q = 0; q < 4; ++q)
    if (wait >> (4 * unit + q) & 1) name += std::string(" on ") + kQueues[q];
  event("{\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(unit) + ",\"name\":\"" + name + "\",\"ts\":" + num(us(from)) +
        ",\"dur\":" + num(us(to) - us(from)) + "}");
}

void TraceWriter::sample(uint64_t cycle, const TopOutputs& o) {
  for (int u = 0; u < kNumUnits; ++u) {
    const State s = (o.obs_stall >> u & 1) ? State::STALL : (o.obs_busy >> u & 1) ? State::BUSY : State::IDLE;
    const uint16_t wait = o.obs_wait & (0xf << (4 * u));
    if (s != state_[u] || wait != wait_[u]) {
      span(u, state_[u], since_[u], cycle, wait_[u]);
      state_[u] = s;
      since_[u] = cycle;
      wait_[u] = wait;
    }
    if (o.obs_retire >> u & 1) {
      const int64_t idx = o.obs_retire_idx[u];
      const char* op = "?";
      if (idx >= 0 && idx < static_cast<int64_t>(program_->size())) {
        const OpcodeInfo* info = find_opcode((*program_)[idx][Field::OPCODE]);
        op = info ? info->name : "?";
      }
      event("{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" + std::to_string(u) + ",\"name\":\"retire " + op + " #" +
            std::to_string(idx) + "\",\"ts\":" + num(us(cycle)) + "}");
    }
  }
  if (o.obs_tokens != tokens_) {
    tokens_ = o.obs_tokens;
    std::string args;
    for (int q = 0; q < 4; ++q)
      args += std::string(q ? "," : "") + "\"" + kQueues[q] + "\":" + std::to_string(tokens_ >> (8 * q) & 0xff);
    event("{\"ph\":\"C\",\"pid\":1,\"name\":\"tokens\",\"ts\":" + num(us(cycle)) + ",\"args\":{" + args + "}}");
  }
}

void TraceWriter::finish(uint64_t cycle) {
  for (int u = 0; u < kNumUnits; ++u) {
    span(u, state_[u], since_[u], cycle, wait_[u]);
    state_[u] = State::IDLE;
  }
}

}  // namespace tessera
