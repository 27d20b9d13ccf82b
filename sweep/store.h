// The results of a sweep: DIR/results.jsonl, one JSON object per finished point, appended with one
// write(2) per line as each point finishes (O_APPEND), so a killed run loses at most the points in
// flight. A line cut short by a kill (the only possible damage: it is always the last) is dropped
// when the file is read or reopened with --resume. DIR/meta.json records the spec's fingerprint so
// --resume refuses results of another spec.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::sweep {

class ResultStore {
 public:
  // Opens DIR/results.jsonl for appending. Without `resume`, existing results are an error; with it,
  // their ids are loaded (done()) and a cut-off last line is truncated away.
  ResultStore(const std::string& dir, const std::string& fingerprint, bool resume);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;
  const std::set<std::string>& done() const { return done_; }
  void append(const nlohmann::ordered_json& point);
  std::string path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::mutex mu_;
  std::set<std::string> done_;
};

// Every complete line of a results file (a cut-off last line is skipped, `dropped` says so);
// throws std::runtime_error naming file and line for a corrupt line elsewhere.
std::vector<nlohmann::ordered_json> read_results(const std::string& path, bool* dropped = nullptr);

}  // namespace tessera::sweep
