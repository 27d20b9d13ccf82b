// Tensor placement: dense C order, and the compiler's channel-blocked layouts (packed on the host).
//
// Blocked layouts ("NCHW<b>n<c>c", "NC<b>n<c>c", optional "_pad<t>_<l>_<b>_<r>" halo) hold the
// logical tensor as [N/b][C/c][H+t+b][W+l+r][b][c] elements: signed bytes for 8-bit tensors (the
// accelerator is signed, so a uint8 value q is held as q - 128), IEEE floats for float32 ones. Every
// element outside the logical tensor (channel and batch padding, the halo) holds the tensor's zero
// point (0.0 for float32), which is what a convolution's padding means; with "_minpad..." it holds
// the type's minimum instead (-inf for float32), so a max-pool's padding never wins.
#include "driver/tensor_io.h"

#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <regex>
#include <stdexcept>

namespace tessera {

NpyDType npy_dtype_of(DType t) {
  switch (t) {
    case DType::INT8: return NpyDType::INT8;
    case DType::UINT8: return NpyDType::UINT8;
    case DType::INT32: return NpyDType::INT32;
    case DType::FLOAT32: return NpyDType::FLOAT32;
  }
  throw std::logic_error("dtype");
}

namespace {

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
  int64_t elem = 1;       // bytes per element
  uint64_t bytes() const { return uint64_t(nb * cb * hp() * wp() * batch * block * elem); }
  // Element index of logical element (n, c, y, x) inside the tensor's region.
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
  if (t.dtype == DType::INT32) fail("is only defined for 8-bit and float32 tensors");
  auto b = std::make_unique<Blocked>();
  b->elem = dtype_bytes(t.dtype);
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

// What the padding of a blocked tensor holds, as the element's device bytes.
std::array<uint8_t, 4> fill_value(const TensorInfo& t, bool fill_min) {
  std::array<uint8_t, 4> v{};
  if (t.dtype == DType::FLOAT32) {
    const float f = fill_min ? -std::numeric_limits<float>::infinity() : 0.0f;
    std::memcpy(v.data(), &f, 4);
  } else {
    v[0] = uint8_t(fill_min ? int8_t{-128} : device_byte(t.zero_point, t.dtype));
  }
  return v;
}

// Copies one element between host and device form; the two differ only for uint8 (q vs q - 128),
// and flipping the top bit converts either way.
void copy_element(const uint8_t* from, uint8_t* to, const Blocked& b, DType t) {
  std::memcpy(to, from, size_t(b.elem));
  if (t == DType::UINT8) to[0] ^= 0x80;
}

// Calls f(logical element index, device element index) over the logical tensor in C order.
template <typename F>
void for_each_element(const Blocked& b, F f) {
  int64_t i = 0;
  for (int64_t n = 0; n < b.n; ++n)
    for (int64_t c = 0; c < b.c; ++c)
      for (int64_t y = 0; y < b.h; ++y)
        for (int64_t x = 0; x < b.w; ++x, ++i) f(i, b.at(n, c, y, x));
}

void check_inside(const TensorInfo& t, DramSpan dram) {
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

void place_tensor(const NpyArray& a, const TensorInfo& t, DramSpan dram) {
  if (a.dtype != npy_dtype_of(t.dtype))
    throw std::runtime_error("tensor '" + t.name + "': array is " + npy_dtype_name(a.dtype) + ", the program wants " +
                             dtype_name(t.dtype));
  if (a.shape != t.shape)
    throw std::runtime_error("tensor '" + t.name + "': array shape " + shape_text(a.shape) +
                             ", the program wants " + shape_text(t.shape));
  const auto b = blocked(t);
  if (!b) check_dense(t);
  check_inside(t, dram);
  uint8_t* base = dram.data() + t.dram_offset;
  if (!b) {
    std::memcpy(base, a.data.data(), t.bytes);
    return;
  }
  const auto fill = fill_value(t, b->fill_min);
  for (uint64_t at = 0; at < t.bytes; at += uint64_t(b->elem)) std::memcpy(base + at, fill.data(), size_t(b->elem));
  for_each_element(*b, [&](int64_t i, int64_t d) {
    copy_element(a.data.data() + i * b->elem, base + d * b->elem, *b, t.dtype);
  });
}

NpyArray fetch_tensor(const TensorInfo& t, DramSpan dram) {
  const auto b = blocked(t);
  if (!b) check_dense(t);
  check_inside(t, dram);
  NpyArray a;
  a.dtype = npy_dtype_of(t.dtype);
  a.shape = t.shape;
  const uint8_t* base = dram.data() + t.dram_offset;
  if (!b) {
    a.data.assign(base, base + t.bytes);
    return a;
  }
  a.data.resize(size_t(elements(t.shape) * b->elem));
  for_each_element(*b, [&](int64_t i, int64_t d) {
    copy_element(base + d * b->elem, a.data.data() + i * b->elem, *b, t.dtype);
  });
  return a;
}

}  // namespace tessera
