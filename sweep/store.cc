// Append-only JSON-lines results with crash-safe resume (see store.h).
#include "sweep/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "isa/text_file.h"

namespace tessera::sweep {

using json = nlohmann::ordered_json;

namespace {

void mkdirs(const std::string& dir) {
  std::string cur;
  std::stringstream ss(dir);
  for (std::string part; std::getline(ss, part, '/');) {
    cur += part + "/";
    if (part.empty()) continue;
    if (::mkdir(cur.c_str(), 0777) != 0 && errno != EEXIST) throw std::runtime_error(cur + ": " + std::strerror(errno));
  }
}

}  // namespace

std::vector<json> read_results(const std::string& path, bool* dropped) {
  const std::string text = read_text_file(path).value_or("");
  std::vector<json> out;
  if (dropped) *dropped = false;
  size_t at = 0;
  for (int line = 1; at < text.size(); ++line) {
    const size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {  // cut off by a kill: never a finished point
      if (dropped) *dropped = true;
      break;
    }
    if (nl > at) {
      try {
        out.push_back(json::parse(text.substr(at, nl - at)));
      } catch (const json::parse_error& e) {
        throw std::runtime_error(path + ": line " + std::to_string(line) + ": corrupt result: " + e.what());
      }
    }
    at = nl + 1;
  }
  return out;
}

ResultStore::ResultStore(const std::string& dir, const std::string& fingerprint, bool resume) {
  mkdirs(dir);
  path_ = dir + "/results.jsonl";
  const std::string meta_path = dir + "/meta.json";
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0 && st.st_size > 0;
  if (exists && !resume) throw std::runtime_error(dir + " already holds sweep results: pass --resume, or another -o DIR");
  if (exists) {
    if (const auto m = read_text_file(meta_path)) {
      const json meta = json::parse(*m, nullptr, false);
      if (!meta.is_discarded() && meta.value("fingerprint", "") != fingerprint)
        throw std::runtime_error(dir + ": the results were written for another spec (workloads, base or objectives differ): "
                                       "use another -o DIR");
    }
    bool dropped = false;
    for (const json& p : read_results(path_, &dropped)) done_.insert(p.value("id", ""));
    if (dropped) {  // cut the partial last line so the next append starts a fresh line
      const std::string text = read_text_file(path_).value_or("");
      if (::truncate(path_.c_str(), off_t(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1)) != 0)
        throw std::runtime_error(path_ + ": " + std::strerror(errno));
    }
  }
  std::ofstream(meta_path) << json{{"fingerprint", fingerprint}}.dump() << "\n";
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd_ < 0) throw std::runtime_error(path_ + ": " + std::strerror(errno));
}

ResultStore::~ResultStore() {
  if (fd_ >= 0) ::close(fd_);
}

void ResultStore::append(const json& point) {
  const std::string line = point.dump() + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  size_t off = 0;
  while (off < line.size()) {  // one write(2) unless the kernel splits it
    const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(path_ + ": " + std::strerror(errno));
    off += size_t(n);
  }
  done_.insert(point.value("id", ""));
}

}  // namespace tessera::sweep
