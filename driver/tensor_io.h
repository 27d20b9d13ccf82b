// Host-side placement of named tensors into device DRAM and back, following the program's I/O table.
#pragma once

#include <cstdint>
#include <vector>

#include "isa/npy.h"
#include "isa/program.h"

namespace tessera {

// The .npy element type holding a program tensor's dtype.
NpyDType npy_dtype_of(DType t);
// Writes `a` into `dram` where `t` says; throws std::runtime_error naming the tensor when the array's
// dtype, shape or the tensor's layout does not fit.
void place_tensor(const NpyArray& a, const TensorInfo& t, DramSpan dram);
// Reads tensor `t` out of `dram` as an array of its logical shape.
NpyArray fetch_tensor(const TensorInfo& t, DramSpan dram);
inline void place_tensor(const NpyArray& a, const TensorInfo& t, std::vector<uint8_t>& dram) {
  place_tensor(a, t, DramSpan{dram.data(), dram.size()});
}
inline NpyArray fetch_tensor(const TensorInfo& t, const std::vector<uint8_t>& dram) {
  return fetch_tensor(t, DramSpan{const_cast<uint8_t*>(dram.data()), dram.size()});
}

}  // namespace tessera
