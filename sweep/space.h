// The points of a sweep: the cartesian product of the spec's axes (the last axis fastest), minus
// points that break a constraint. A point's id is a hash of its field values, so it survives edits
// of the spec that keep the point (resume, merge of shards).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sweep/spec.h"

namespace tessera::sweep {

struct Point {
  int64_t index = 0;                                  // in the full product
  std::string id;                                     // 16 hex digits
  std::vector<std::pair<std::string, double>> values; // field -> value, spec order
  nlohmann::ordered_json config;                      // the base config with the values applied
};

class Space {
 public:
  explicit Space(const Spec& spec);
  int64_t size() const { return size_; }  // the full product, constraints not applied
  // The point at `index`, or nothing if it breaks a constraint.
  std::optional<Point> at(int64_t index) const;
  // Every point in [begin, end) that meets the constraints.
  std::vector<Point> points(int64_t begin, int64_t end) const;
  std::vector<Point> points() const { return points(0, size_); }

 private:
  const Spec& spec_;
  int64_t size_ = 1;
};

// FNV-1a 64 as 16 hex digits.
std::string hash_hex(const std::string& text);

}  // namespace tessera::sweep
