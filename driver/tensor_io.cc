// Dense (C-order) tensor placement; blocked accelerator layouts are added with the compiler's packing.
#include "driver/tensor_io.h"

#include <cstring>
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

// Only dense layouts are understood here: the tensor's bytes are exactly its elements in C order.
void check_dense(const TensorInfo& t, const std::vector<uint8_t>& dram) {
  const uint64_t dense = uint64_t(elements(t.shape)) * dtype_bytes(t.dtype);
  if (t.bytes != dense)
    throw std::runtime_error("tensor '" + t.name + "': layout '" + t.layout + "' occupies " + std::to_string(t.bytes) +
                             " bytes, not the dense " + std::to_string(dense) +
                             "; this driver only places dense C-order tensors");
  if (t.dram_offset + t.bytes > dram.size())
    throw std::runtime_error("tensor '" + t.name + "' lies outside device DRAM");
}

}  // namespace

void place_tensor(const NpyArray& a, const TensorInfo& t, std::vector<uint8_t>& dram) {
  check_dense(t, dram);
  if (a.dtype != npy_type(t.dtype))
    throw std::runtime_error("input '" + t.name + "': array is " + npy_dtype_name(a.dtype) + ", the program wants " +
                             dtype_name(t.dtype));
  if (a.shape != t.shape)
    throw std::runtime_error("input '" + t.name + "': array shape " + shape_text(a.shape) +
                             ", the program wants " + shape_text(t.shape));
  std::memcpy(dram.data() + t.dram_offset, a.data.data(), t.bytes);
}

NpyArray fetch_tensor(const TensorInfo& t, const std::vector<uint8_t>& dram) {
  check_dense(t, dram);
  NpyArray a;
  a.dtype = npy_type(t.dtype);
  a.shape = t.shape;
  a.data.assign(dram.begin() + int64_t(t.dram_offset), dram.begin() + int64_t(t.dram_offset + t.bytes));
  return a;
}

}  // namespace tessera
