// Perfetto / Chrome trace-event JSON of unit activity, built from the observation ports cycle by cycle.
#pragma once

#include <array>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "isa/insn.h"
#include "sim/rtl/model.h"

namespace tessera {

class TraceWriter {
 public:
  // `program` names the retired instructions; timestamps are in microseconds at `clock_mhz`.
  TraceWriter(const std::string& path, const std::vector<Insn>* program, double clock_mhz);
  ~TraceWriter();
  void sample(uint64_t cycle, const TopOutputs& o);
  void finish(uint64_t cycle);

 private:
  enum class State : uint8_t { IDLE, BUSY, STALL };
  void span(int unit, State s, uint64_t from, uint64_t to, uint16_t wait);
  void event(const std::string& json);
  double us(uint64_t cycle) const { return double(cycle) / mhz_; }

  std::ofstream out_;
  const std::vector<Insn>* program_;
  double mhz_;
  bool first_ = true;
  std::array<State, kNumUnits> state_{};
  std::array<uint64_t, kNumUnits> since_{};
  std::array<uint16_t, kNumUnits> wait_{};
  uint32_t tokens_ = 0xffffffffu;
};

}  // namespace tessera
