// NumPy .npy files (format v1/v2, little-endian int8/uint8/int32/float32, C order) for tensor I/O.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessera {

// A rejected .npy file: the message names the file, the byte offset and what is wrong.
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class NpyDType : uint8_t { INT8, UINT8, INT32, FLOAT32 };
const char* npy_dtype_name(NpyDType t);  // "int8", "uint8", "int32", "float32"
int npy_dtype_bytes(NpyDType t);

struct NpyArray {
  NpyDType dtype = NpyDType::INT8;
  std::vector<int64_t> shape;  // empty = a scalar
  std::vector<uint8_t> data;   // little-endian elements in C order
  int64_t elements() const;
  bool operator==(const NpyArray& o) const { return dtype == o.dtype && shape == o.shape && data == o.data; }
};

NpyArray read_npy(const std::vector<uint8_t>& bytes, const std::string& origin);
NpyArray read_npy_file(const std::string& path);
// Writes format 1.0 when the header fits, else 2.0; throws NpyError when data does not match the shape.
std::vector<uint8_t> write_npy(const NpyArray& a);
void write_npy_file(const NpyArray& a, const std::string& path);

}  // namespace tessera
