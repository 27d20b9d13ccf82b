// .npy reading (a strict parser for NumPy's header dict) and writing.
#include "isa/npy.h"

#include <fstream>
#include <iterator>

namespace tessera {
namespace {

constexpr uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kMaxRank = 32;
constexpr size_t kAlign = 64;

struct DescrName {
  const char* descr;
  NpyDType dtype;
};
// What NumPy writes (first spelling) and the explicit-endian spellings it also accepts for bytes.
constexpr DescrName kDescrs[] = {{"|i1", NpyDType::INT8},  {"<i1", NpyDType::INT8},    {"|u1", NpyDType::UINT8},
                                 {"<u1", NpyDType::UINT8}, {"<i4", NpyDType::INT32},   {"<f4", NpyDType::FLOAT32}};

const char* descr_of(NpyDType t) {
  for (const auto& d : kDescrs)
    if (d.dtype == t) return d.descr;
  return "?";
}

// Parses the header: a Python dict literal with exactly 'descr', 'fortran_order' and 'shape'.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, size_t base, const std::string& origin)
      : s_(text), base_(base), origin_(origin) {}

  void parse(NpyArray* a) {
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const size_t key_at = i_;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        once(&seen_descr, key_at, key);
        skip_space();
        const size_t at = i_;
        const std::string d = string_literal();
        bool known = false;
        for (const auto& x : kDescrs)
          if (d == x.descr) a->dtype = x.dtype, known = true;
        if (!known) {
          const bool big = !d.empty() && d[0] == '>';
          fail(at, "dtype '" + d + "' is not supported" +
                       (big ? std::string(" (big-endian)") : std::string()) + "; expected int8, uint8, int32 or float32 (little-endian)");
        }
      } else if (key == "fortran_order") {
        once(&seen_order, key_at, key);
        skip_space();
        const size_t at = i_;
        if (word("True")) fail(at, "Fortran-order arrays are not supported (save with C order)");
        if (!word("False")) fail(at, "fortran_order must be True or False");
      } else if (key == "shape") {
        once(&seen_shape, key_at, key);
        shape(&a->shape);
      } else {
        fail(key_at, "unknown header key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      skip_space();
      if (peek() != '}') fail(i_, "expected ',' or '}' in the header dict");
    }
    ++i_;
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    if (i_ != s_.size()) fail(i_, "unexpected text after the header dict");
    if (!seen_descr) fail(s_.size(), "header has no 'descr'");
    if (!seen_order) fail(s_.size(), "header has no 'fortran_order'");
    if (!seen_shape) fail(s_.size(), "header has no 'shape'");
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& why) const {
    throw NpyError(origin_ + ": byte " + std::to_string(base_ + at) + ": " + why);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(i_, std::string("expected '") + c + "' in the header dict");
    ++i_;
  }
  bool word(const char* w) {
    const std::string x(w);
    if (s_.compare(i_, x.size(), x) != 0) return false;
    i_ += x.size();
    return true;
  }
  void once(bool* seen, size_t at, const std::string& key) {
    if (*seen) fail(at, "duplicate header key '" + key + "'");
    *seen = true;
  }
  std::string string_literal() {
    skip_space();
    const char q = peek();
    if (q != '\'' && q != '"') fail(i_, "expected a quoted string in the header dict");
    const size_t start = ++i_;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\') fail(i_, "escape sequences are not supported in the header");
      ++i_;
    }
    if (i_ == s_.size()) fail(start - 1, "unterminated string in the header dict");
    return s_.substr(start, i_++ - start);
  }
  void shape(std::vector<int64_t>* out) {
    expect('(');
    while (true) {
      skip_space();
      if (peek() == ')') break;
      const size_t at = i_;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail(at, "expected a non-negative dimension in 'shape'");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (INT64_MAX - 9) / 10) fail(at, "dimension too large");
        v = v * 10 + (s_[i_++] - '0');
      }
      out->push_back(v);
      if (out->size() > kMaxRank) fail(at, "more than " + std::to_string(kMaxRank) + " dimensions");
      skip_space();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() != ')') fail(i_, "expected ',' or ')' in 'shape'");
    }
    ++i_;
  }

  const std::string& s_;
  size_t base_;
  const std::string& origin_;
  size_t i_ = 0;
};

// Element count of a shape, or -1 on overflow.
int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return -1;
  return n;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

const char* npy_dtype_name(NpyDType t) {
  static constexpr const char* kNames[] = {"int8", "uint8", "int32", "float32"};
  return kNames[static_cast<int>(t)];
}

int npy_dtype_bytes(NpyDType t) { return t == NpyDType::INT32 || t == NpyDType::FLOAT32 ? 4 : 1; }

int64_t NpyArray::elements() const { return element_count(shape); }

NpyArray read_npy(const std::vector<uint8_t>& b, const std::string& origin) {
  auto fail = [&](size_t at, const std::string& why) -> void {
    throw NpyError(origin + ": byte " + std::to_string(at) + ": " + why);
  };
  if (b.size() < 8) fail(b.size(), "truncated: " + std::to_string(b.size()) + " bytes is shorter than the .npy preamble");
  if (!std::equal(std::begin(kMagic), std::end(kMagic), b.begin())) fail(0, "not a .npy file (bad magic)");
  const int major = b[6], minor = b[7];
  if ((major != 1 && major != 2) || minor != 0)
    fail(6, "format version " + std::to_string(major) + "." + std::to_string(minor) + " is not supported (1.0 or 2.0)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (b.size() < 8 + len_bytes) fail(b.size(), "truncated header length");
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= size_t(b[8 + i]) << (8 * i);
  const size_t header_at = 8 + len_bytes;
  if (header_len > b.size() - header_at)
    fail(8, "header length " + std::to_string(header_len) + " runs past the end of the file (" +
                std::to_string(b.size()) + " bytes)");
  const std::string header(reinterpret_cast<const char*>(b.data() + header_at), header_len);
  NpyArray a;
  HeaderParser(header, header_at, origin).parse(&a);
  const size_t data_at = header_at + header_len;
  const int64_t n = element_count(a.shape);
  int64_t need = 0;
  if (n < 0 || __builtin_mul_overflow(n, int64_t(npy_dtype_bytes(a.dtype)), &need))
    fail(header_at, "shape " + shape_text(a.shape) + " has too many elements");
  if (uint64_t(need) != b.size() - data_at)
    fail(data_at, "data is " + std::to_string(b.size() - data_at) + " bytes, but shape " + shape_text(a.shape) +
                      " of " + npy_dtype_name(a.dtype) + " needs " + std::to_string(need));
  a.data.assign(b.begin() + std::ptrdiff_t(data_at), b.end());
  return a;
}

std::vector<uint8_t> write_npy(const NpyArray& a) {
  const int64_t n = a.elements();
  if (n < 0 || a.shape.size() > kMaxRank) throw NpyError("write_npy: invalid shape " + shape_text(a.shape));
  if (uint64_t(n) * uint64_t(npy_dtype_bytes(a.dtype)) != a.data.size())
    throw NpyError("write_npy: " + std::to_string(a.data.size()) + " data bytes do not match shape " +
                   shape_text(a.shape) + " of " + npy_dtype_name(a.dtype));
  std::string header = std::string("{'descr': '") + descr_of(a.dtype) + "', 'fortran_order': False, 'shape': " +
                       shape_text(a.shape) + ", }";
  const bool v1 = header.size() + 1 + 10 <= 65535;
  const size_t preamble = v1 ? 10 : 12;
  header.append((kAlign - (preamble + header.size() + 1) % kAlign) % kAlign, ' ');
  header += '\n';
  std::vector<uint8_t> out(std::begin(kMagic), std::end(kMagic));
  out.push_back(v1 ? 1 : 2);
  out.push_back(0);
  for (size_t i = 0; i < (v1 ? 2u : 4u); ++i) out.push_back(uint8_t(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

NpyArray read_npy_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw NpyError(path + ": cannot open for reading");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return read_npy(bytes, path);
}

void write_npy_file(const NpyArray& a, const std::string& path) {
  const auto bytes = write_npy(a);
  std::ofstream f(path, std::ios::binary);
  if (!f) throw NpyError(path + ": cannot open for writing");
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!f) throw NpyError(path + ": write failed");
}

}  // namespace tessera
