// `tessera compare`: two .npy arrays element by element (with the network criterion), or two folders
// of dumped activations, naming the first tensor that differs.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "isa/npy.h"

namespace tessera::cli {
namespace {

namespace fs = std::filesystem;

double element(const NpyArray& a, int64_t i) {
  switch (a.dtype) {
    case NpyDType::INT8: return int8_t(a.data[size_t(i)]);
    case NpyDType::UINT8: return a.data[size_t(i)];
    case NpyDType::INT32: {
      int32_t v;
      std::memcpy(&v, &a.data[size_t(4 * i)], 4);
      return v;
    }
    case NpyDType::FLOAT32: {
      float v;
      std::memcpy(&v, &a.data[size_t(4 * i)], 4);
      return v;
    }
  }
  return 0;
}

struct Diff {
  int64_t elements = 0, differing = 0, worst = 0;
  int64_t histogram[5] = {};  // |difference| in LSBs: 0, 1, 2, 3, more
  int64_t argmax_mismatches = 0, rows = 0;
};

// Differences in units of `lsb` (integer arrays: 1); the arg-max is taken along the last axis.
Diff diff(const NpyArray& a, const NpyArray& b, double lsb, const std::string& what) {
  if (a.shape != b.shape || a.dtype != b.dtype)
    throw std::runtime_error(what + ": shapes or dtypes differ (" + npy_dtype_name(a.dtype) + " vs " + npy_dtype_name(b.dtype) + ")");
  Diff d;
  d.elements = a.elements();
  for (int64_t i = 0; i < d.elements; ++i) {
    const auto u = int64_t(std::llround(std::fabs(element(a, i) - element(b, i)) / lsb));
    d.differing += u != 0;
    d.worst = std::max(d.worst, u);
    ++d.histogram[std::min<int64_t>(u, 4)];
  }
  const int64_t row = a.shape.empty() ? 1 : a.shape.back();
  for (int64_t r = 0; row > 0 && r < d.elements / row; ++r, ++d.rows) {
    int64_t ia = 0, ib = 0;
    for (int64_t j = 1; j < row; ++j) {
      if (element(a, r * row + j) > element(a, r * row + ia)) ia = j;
      if (element(b, r * row + j) > element(b, r * row + ib)) ib = j;
    }
    d.argmax_mismatches += ia != ib;
  }
  return d;
}

void print(const Diff& d, std::ostream& os) {
  os << d.elements << " elements, " << d.differing << " differ (" << (d.elements ? 100.0 * double(d.differing) / double(d.elements) : 0.0)
     << " %), largest difference " << d.worst << "; |diff| histogram 0:" << d.histogram[0] << " 1:" << d.histogram[1]
     << " 2:" << d.histogram[2] << " 3:" << d.histogram[3] << " >3:" << d.histogram[4] << "; arg-max differs in "
     << d.argmax_mismatches << " of " << d.rows << " rows\n";
}

std::vector<std::string> tensor_order(const std::string& dir) {
  std::vector<std::string> names;
  std::ifstream order(dir + "/tensors.txt");
  for (std::string line; std::getline(order, line);)
    if (!line.empty()) names.push_back(line);
  if (names.empty()) {
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".npy") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
  }
  return names;
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto* cmp = app.add_subcommand("compare", "Compare two .npy arrays element by element, or two folders of dumped tensors");
  static std::string a_file, b_file;
  static int64_t max_diff = 0;
  static double max_fraction = 0.0, lsb = 0.0;
  static bool network = false;
  cmp->add_option("a", a_file, "first array or folder (e.g. tessera run --dump-activations)")->required()->check(CLI::ExistingPath);
  cmp->add_option("b", b_file, "second array or folder")->required()->check(CLI::ExistingPath);
  cmp->add_option("--max-diff", max_diff, "largest allowed |a-b| per element, in LSBs")->capture_default_str();
  cmp->add_option("--max-fraction", max_fraction, "largest allowed fraction of elements that differ at all")
      ->capture_default_str();
  cmp->add_option("--lsb", lsb, "float32 arrays: the value of one LSB (the output's quantization scale)");
  cmp->add_flag("--network", network,
                "the whole-network criterion: arg-max identical, >= 99 % of elements within 1 LSB, none more than 3 away");
  cmp->callback([] {
    if (fs::is_directory(a_file) != fs::is_directory(b_file)) throw std::runtime_error("compare two arrays or two folders");
    if (fs::is_directory(a_file)) {
      // Folders: every tensor both hold, in a's production order; the first that differs is named.
      int64_t compared = 0;
      for (const auto& name : tensor_order(a_file)) {
        const std::string fa = a_file + "/" + tensor_file_name(name) + ".npy", fb = b_file + "/" + tensor_file_name(name) + ".npy";
        if (!fs::exists(fa) || !fs::exists(fb)) continue;
        const NpyArray a = read_npy_file(fa), b = read_npy_file(fb);
        if (a.dtype == NpyDType::FLOAT32 && lsb <= 0) continue;  // float tensors need --lsb
        const Diff d = diff(a, b, a.dtype == NpyDType::FLOAT32 ? lsb : 1.0, name);
        ++compared;
        if (d.worst > max_diff || double(d.differing) > max_fraction * double(d.elements)) {
          std::cout << "first tensor that differs: '" << name << "': ";
          print(d, std::cout);
          throw std::runtime_error("tensor '" + name + "' differs beyond --max-diff " + std::to_string(max_diff));
        }
      }
      if (compared == 0) throw std::runtime_error("the folders have no tensor in common");
      std::cout << compared << " tensors compared, all within --max-diff " << max_diff << "\n";
      return;
    }
    const NpyArray a = read_npy_file(a_file), b = read_npy_file(b_file);
    if (a.dtype == NpyDType::FLOAT32 && !(lsb > 0)) throw std::runtime_error("float32 arrays need --lsb (one quantization step)");
    const Diff d = diff(a, b, a.dtype == NpyDType::FLOAT32 ? lsb : 1.0, a_file + " vs " + b_file);
    print(d, std::cout);
    if (network) {
      if (d.argmax_mismatches || d.worst > 3 || double(d.histogram[0] + d.histogram[1]) < 0.99 * double(d.elements))
        throw std::runtime_error("the arrays fail the network criterion (arg-max identical, >= 99 % within 1 LSB, none above 3)");
      return;
    }
    if (d.worst > max_diff || double(d.differing) > max_fraction * double(d.elements))
      throw std::runtime_error("arrays differ beyond --max-diff " + std::to_string(max_diff) + " / --max-fraction " +
                               std::to_string(max_fraction));
  });
}

}  // namespace tessera::cli
