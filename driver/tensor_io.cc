// Tensor placement: dense C order, and the compiler's channel-blocked layouts (packed on the host).
//
// Blocked layouts ("NCHW<b>n<c>c", "NC<b>n<c>c", optional "_pad<t>_<l>_<b>_<r>" halo) hold the
// logical tensor as [N/b][C/c][H+t+b][W+l+r][b][c] signed bytes: the accelerator is signed, so a
// uint8 value q is held as q - 128. Every element outside the logical tensor (channel and batch
// padding, the halo) holds the tensor's zero point, which is what a convolution's padding means;
// with "_minpad..." it holds the type's minimum instead (a max-pool's padding never wins).
#include "driver/tensor_io.h"

#include <cstring>
#include <memory>
#include <regex>
#include <stdexcept>

namespace tessera {
namespace {

NpyDType npy_type(DType t) {
  switch (t) {
    case DType::INT8: return NpyDType::INT8;
    case DType::UINT8: return NpyDType::UINT8;
    case DType::INT32: return NpyDType::INT32;
  }
  throw std::logic_error("dtype");
}

int64_t elements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + ")";
}

// A blocked layout resolved against a tensor's logical shape; dims are N, C, H, W (H = W = 1 for NC).
struct Blocked {
  int64_t n = 1, c = 1, h = 1, w = 1, nb = 1, cb = 1;
  int64_t batch = 1, block = 1, top = 0, left = 0, bottom = 0, right = 0;
  bool fill_min = false;  // "_minpad": padding holds the type's minimum (max-pool), not the zero point
  int64_t hp() const { return h + top + bottom; }
  int64_t wp() const { return w + left + right; }
  uint64_t bytes() const { return uint64_t(nb * cb * hp() * wp() * batch * block); }
  // Byte of logical element (n, c, y, x) inside the tensor's region.
  int64_t at(int64_t in, int64_t ic, int64_t y, int64_t x) const {
    return ((((in / batch) * cb + ic / block) * hp() + y + top) * wp() + x + left) * batch * block +
           (in % batch) * block + ic % block;
  }
};

// Null for a dense layout; throws naming the tensor when the layout is malformed or does not fit.
std::unique_ptr<Blocked> blocked(const TensorInfo& t) {
  static const std::regex re(R"((NCHW|NC)(\d{1,4})n(\d{1,4})c(?:_(min)?pad(\d{1,2})_(\d{1,2})_(\d{1,2})_(\d{1,2}))?)");
  std::smatch m;
  if (!std::regex_match(t.layout, m, re)) return nullptr;
  const auto fail = [&](const std::string& why) {
    throw std::runtime_error("tensor '" + t.name + "': layout '" + t.layout + "' " + why);
  };
  const bool nchw = m[1] == "NCHW";
  if (t.shape.size() != (nchw ? 4u : 2u)) fail("does not match the tensor's rank " + std::to_string(t.shape.size()));
  if (t.dtype == DType::INT32) fail("is only defined for 8-bit tensors");
  auto b = std::make_unique<Blocked>();
  b->n = t.shape[0], b->c = t.shape[1], b->h = nchw ? t.shape[2] : 1, b->w = nchw ? t.shape[3] : 1;
  b->batch = std::stoll(m[2]), b->block = std::stoll(m[3]);
  if (b->batch < 1 || b->block < 1) fail("has an empty block");
  if (m[5].matched) {
    if (!nchw) fail("cannot pad a 2-D tensor");
    b->top = std::stoll(m[5]), b->left = std::stoll(m[6]), b->bottom = std::stoll(m[7]), b->right = std::stoll(m[8]);
    b->fill_min = m[4].matched;
  }
  b->nb = (b->n + b->batch - 1) / b->batch, b->cb = (b->c + b->block - 1) / b->block;
  if (t.bytes != b->bytes())
    fail("occupies " + std::to_string(b->bytes()) + " bytes, but the table says " + std::to_string(t.bytes));
  return b;
}

int8_t device_byte(int32_t q, DType t) { return int8_t(t == DType::UINT8 ? q - 128 : q); }

void check_inside(const TensorInfo& t, const std::vector<uint8_t>& dram) {
  if (t.dram_offset > dram.size() || t.bytes > dram.size() - t.dram_offset)
    throw std::runtime_error("tensor '" + t.name + "' lies outside device DRAM");
}

void check_dense(const TensorInfo& t) {
  const uint64_t dense = uint64_t(elements(t.shape)) * dtype_bytes(t.dtype);
  if (t.bytes != dense)
    throw std::runtime_error("tensor '" + t.name + "': layout '" + t.layout + "' occupies " + std::to_string(t.bytes) +
                             " bytes, not the dense " + std::to_string(dense) +
                             "; known layouts are dense C order and NCHW<b>n<c>c / NC<b>n<c>c[_pad<t>_<l>_<b>_<r>]");
}

}  // namespace

void place_tensor(const NpyArray& a, const TensorInfo& t, std::vector<uint8_t>& dram) {
  if (a.dtype != npy_type(t.dtype))
    throw std::runtime_error("input '" + t.name + "': array is " + npy_dtype_name(a.dtype) + ", the program wants " +
                             dtype_name(t.dtype));
  if (a.shape != t.shape)
    throw std::runtime_error("input '" + t.name + "': array shape " + shape_text(a.shape) +
                             ", the program wants " + shape_text(t.shape));
  const auto b = blocked(t);
  if (!b) check_dense(t);
  check_inside(t, dram);
  uint8_t* base = dram.data() + t.dram_offset;
  if (!b) {
    std::memcpy(base, a.data.data(), t.bytes);
    return;
  }
  std::memset(base, uint8_t(b->fill_min ? int8_t{-128} : device_byte(t.zero_point, t.dtype)), t.bytes);
  int64_t i = 0;
  for (int64_t n = 0; n < b->n; ++n)
    for (int64_t c = 0; c < b->c; ++c)
      for (int64_t y = 0; y < b->h; ++y)
        for (int64_t x = 0; x < b->w; ++x, ++i) {
          const int32_t q = t.dtype == DType::UINT8 ? int32_t(a.data[size_t(i)]) : int32_t(int8_t(a.data[size_t(i)]));
          base[b->at(n, c, y, x)] = uint8_t(device_byte(q, t.dtype));
        }
}

NpyArray fetch_tensor(const TensorInfo& t, const std::vector<uint8_t>& dram) {
  const auto b = blocked(t);
  if (!b) check_dense(t);
  check_inside(t, dram);
  NpyArray a;
  a.dtype = npy_type(t.dtype);
  a.shape = t.shape;
  const uint8_t* base = dram.data() + t.dram_offset;
  if (!b) {
    a.data.assign(base, base + t.bytes);
    return a;
  }
  a.data.resize(size_t(elements(t.shape)));
  int64_t i = 0;
  for (int64_t n = 0; n < b->n; ++n)
    for (int64_t c = 0; c < b->c; ++c)
      for (int64_t y = 0; y < b->h; ++y)
        for (int64_t x = 0; x < b->w; ++x, ++i) {
          const int8_t v = int8_t(base[b->at(n, c, y, x)]);
          a.data[size_t(i)] = uint8_t(t.dtype == DType::UINT8 ? int32_t(v) + 128 : int32_t(v));
        }
  return a;
}

}  // namespace tessera
