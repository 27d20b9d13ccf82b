// .npy reading and writing against hand-made byte strings in NumPy's exact format.
#include <gtest/gtest.h>

#include <filesystem>

#include "isa/npy.h"

namespace tessera {
namespace {

// A .npy file as NumPy lays it out: magic, version, little-endian header length, the header dict
// padded with spaces and a newline so the data starts on a 64-byte boundary, then the data.
std::vector<uint8_t> npy_bytes(int major, const std::string& dict, const std::vector<uint8_t>& data, bool pad = true) {
  const size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  if (pad)
    while ((6 + 2 + len_bytes + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  for (size_t i = 0; i < len_bytes; ++i) b.push_back(uint8_t(header.size() >> (8 * i)));
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

std::string read_error(const std::vector<uint8_t>& b) {
  try {
    read_npy(b, "a.npy");
  } catch (const NpyError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted a bad .npy";
  return "";
}

TEST(Npy, ReadsInt32MatrixWrittenByNumPy) {
  std::vector<uint8_t> data;
  for (int32_t v : {1, -2, 3, 70000, 0, -1})
    for (int i = 0; i < 4; ++i) data.push_back(uint8_t(uint32_t(v) >> (8 * i)));
  const auto b = npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data);
  ASSERT_EQ(b.size(), 128u + 24u);  // NumPy's 128-byte preamble for a small header
  const NpyArray a = read_npy(b, "a.npy");
  EXPECT_EQ(a.dtype, NpyDType::INT32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data, data);
  EXPECT_EQ(a.elements(), 6);
}

TEST(Npy, WritesExactlyWhatNumPyWrites) {
  const std::vector<uint8_t> data = {0x80, 0x7f, 0x00};
  NpyArray a{NpyDType::INT8, {3}, data};
  EXPECT_EQ(write_npy(a), npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", data));
  NpyArray s{NpyDType::FLOAT32, {}, {0, 0, 0x80, 0x3f}};  // scalar 1.0f
  EXPECT_EQ(write_npy(s), npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", s.data));
}

TEST(Npy, RoundTripsEveryDtypeAndVersion2) {
  for (NpyDType t : {NpyDType::INT8, NpyDType::UINT8, NpyDType::INT32, NpyDType::FLOAT32}) {
    NpyArray a{t, {2, 1, 3}, {}};
    for (int i = 0; i < 6 * npy_dtype_bytes(t); ++i) a.data.push_back(uint8_t(i * 37));
    EXPECT_EQ(read_npy(write_npy(a), "x"), a) << npy_dtype_name(t);
  }
  // Version 2.0 (4-byte header length), unpadded header, double quotes, spaces, no trailing comma.
  const auto b = npy_bytes(2, "{\"shape\" : ( 2 , ) , \"fortran_order\": False, \"descr\": \"|u1\"}", {7, 250}, false);
  const NpyArray a = read_npy(b, "v2.npy");
  EXPECT_EQ(a.dtype, NpyDType::UINT8);
  EXPECT_EQ(a.shape, std::vector<int64_t>{2});
  EXPECT_EQ(a.data, (std::vector<uint8_t>{7, 250}));
}

TEST(Npy, FileVariantsRoundTrip) {
  const std::string path = (std::filesystem::temp_directory_path() / "tessera_test.npy").string();
  const NpyArray a{NpyDType::INT32, {1, 2}, {1, 0, 0, 0, 2, 0, 0, 0}};
  write_npy_file(a, path);
  EXPECT_EQ(read_npy_file(path), a);
  std::filesystem::remove(path);
  EXPECT_THROW(read_npy_file(path), NpyError);
}

TEST(NpyErrors, NameOffsetAndReason) {
  const std::string h = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
  const std::vector<uint8_t> eight(8, 0);
  EXPECT_NE(read_error({0x93, 'N', 'U'}).find("a.npy: byte 3: truncated"), std::string::npos);
  auto b = npy_bytes(1, h, eight);
  b[1] = 'X';
  EXPECT_NE(read_error(b).find("a.npy: byte 0: not a .npy file"), std::string::npos);
  b = npy_bytes(1, h, eight);
  b[6] = 3;
  EXPECT_NE(read_error(b).find("a.npy: byte 6: format version 3.0 is not supported"), std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", eight))
                .find("a.npy: byte 20: dtype '>i4' is not supported (big-endian)"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", eight))
                .find("dtype '<f8' is not supported"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2,), }", eight))
                .find("Fortran-order arrays are not supported"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, h, std::vector<uint8_t>(7, 0)))
                .find("a.npy: byte 128: data is 7 bytes, but shape (2,) of int32 needs 8"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (-2,), }", eight))
                .find("expected a non-negative dimension"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '<i4', 'fortran_order': False}", eight)).find("header has no 'shape'"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", eight))
                .find("unknown header key 'extra'"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (2,)}", eight))
                .find("duplicate header key 'descr'"),
            std::string::npos);
  EXPECT_NE(read_error(npy_bytes(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }", eight))
                .find("too many elements"),
            std::string::npos);
  b = npy_bytes(1, h, eight);
  b[8] = 0xff;  // header length past the end of the file
  EXPECT_NE(read_error(b).find("a.npy: byte 8: header length"), std::string::npos);
}

TEST(NpyErrors, WriterRefusesDataThatDoesNotMatchTheShape) {
  EXPECT_THROW(write_npy(NpyArray{NpyDType::INT32, {2}, {1, 2, 3}}), NpyError);
  EXPECT_THROW(write_npy(NpyArray{NpyDType::INT8, {-1}, {}}), NpyError);
}

}  // namespace
}  // namespace tessera
