// A program's device DRAM: its initial image (micro-ops and constants placed) in lazily committed
// memory, and the device's capacity check.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "isa/program.h"
#include "isa/program_internal.h"

namespace tessera {

using program_detail::issue_label;

namespace {

// The image is built only from a valid program, so no field of a bad one sizes an allocation.
void check_image(const Program& p, const DerivedConfig& cfg) {
  const auto issues = program_issues(p, cfg);
  if (!issues.empty()) throw ProgramError("initial_dram: " + issue_label(issues[0]) + ": " + issues[0].message);
}

// Writes the micro-ops and constants of a checked program into `dram` (p.dram_bytes zeroed bytes).
void place_image(const Program& p, const DerivedConfig& cfg, uint8_t* dram) {
  const IsaCodec codec(cfg.layout);
  for (size_t i = 0; i < p.uops.size(); ++i)
    codec.encode_uop(p.uops[i], dram + p.uop_dram_offset + i * codec.uop_bytes());
  for (const auto& s : p.constants) std::copy(s.bytes.begin(), s.bytes.end(), dram + s.offset);
}

}  // namespace

std::vector<uint8_t> initial_dram(const Program& p, const DerivedConfig& cfg) {
  check_image(p, cfg);
  std::vector<uint8_t> dram(p.dram_bytes, 0);
  place_image(p, cfg, dram.data());
  return dram;
}

std::string format_bytes(uint64_t n) {
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (n < 1024) return std::to_string(n) + (n == 1 ? " byte" : " bytes");
  double v = double(n);
  int u = -1;
  while (v >= 1024 && u < 5) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, v == double(int64_t(v)) ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

bool parse_byte_count(const std::string& text, uint64_t* out) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + uint64_t(text[i++] - '0');
  }
  if (i == 0) return false;
  std::string suffix = text.substr(i);
  for (char& c : suffix) c = char(std::toupper(static_cast<unsigned char>(c)));
  if (suffix.size() == 3 && suffix.substr(1) == "IB") suffix = suffix.substr(0, 1);
  int shift = 0;
  if (suffix.empty() || suffix == "B") shift = 0;
  else if (suffix == "K") shift = 10;
  else if (suffix == "M") shift = 20;
  else if (suffix == "G") shift = 30;
  else if (suffix == "T") shift = 40;
  else return false;
  if (v == 0 || v > (UINT64_MAX >> shift)) return false;
  *out = v << shift;
  return true;
}

void check_dram_capacity(const Program& p, uint64_t capacity, const std::string& origin) {
  if (p.dram_bytes <= capacity) return;
  throw ProgramError(origin + ": byte 32: header: dram_bytes " + std::to_string(p.dram_bytes) + " (" +
                     format_bytes(p.dram_bytes) + ") exceeds the device DRAM capacity of " + std::to_string(capacity) +
                     " (" + format_bytes(capacity) + "; tessera run --dram-capacity sets it)");
}

DeviceMemory::DeviceMemory(uint64_t size) : size_(size) {
  if (size == 0) return;
  void* m = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED)
    throw std::runtime_error("cannot reserve " + std::to_string(size) + " bytes (" + format_bytes(size) +
                             ") of device DRAM: " + std::strerror(errno));
  data_ = static_cast<uint8_t*>(m);
}

DeviceMemory::~DeviceMemory() {
  if (data_) ::munmap(data_, size_);
}

DeviceMemory::DeviceMemory(DeviceMemory&& o) noexcept : data_(o.data_), size_(o.size_) {
  o.data_ = nullptr;
  o.size_ = 0;
}

DeviceMemory& DeviceMemory::operator=(DeviceMemory&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(data_, size_);
    data_ = o.data_, size_ = o.size_;
    o.data_ = nullptr, o.size_ = 0;
  }
  return *this;
}

uint64_t DeviceMemory::resident_bytes() const {
  if (!data_) return 0;
  const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
  const uint64_t pages = (size_ + page - 1) / page;
  uint64_t resident = 0;
  std::vector<unsigned char> v(size_t(std::min<uint64_t>(pages, 1 << 20)));
  for (uint64_t first = 0; first < pages; first += v.size()) {
    const uint64_t n = std::min<uint64_t>(v.size(), pages - first);
    if (::mincore(data_ + first * page, n * page, v.data()) != 0) return 0;
    for (uint64_t k = 0; k < n; ++k) resident += v[k] & 1;
  }
  return resident * page;
}

DeviceMemory initial_device_memory(const Program& p, const DerivedConfig& cfg) {
  check_image(p, cfg);
  DeviceMemory dram(p.dram_bytes);
  place_image(p, cfg, dram.data());
  return dram;
}
}  // namespace tessera
