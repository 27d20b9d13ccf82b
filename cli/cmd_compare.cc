// `tessera compare`: element-wise comparison of two integer .npy arrays (our output vs an oracle's).
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "isa/npy.h"

namespace tessera::cli {
namespace {

int64_t element(const NpyArray& a, int64_t i) {
  switch (a.dtype) {
    case NpyDType::INT8: return int8_t(a.data[i]);
    case NpyDType::UINT8: return a.data[i];
    case NpyDType::INT32: {
      int32_t v;
      std::memcpy(&v, &a.data[4 * i], 4);
      return v;
    }
    case NpyDType::FLOAT32: break;
  }
  throw std::runtime_error("compare takes integer arrays, not float32");
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto* cmp = app.add_subcommand("compare", "Compare two integer .npy arrays element by element");
  static std::string a_file, b_file;
  static int64_t max_diff = 0;
  static double max_fraction = 0.0;
  cmp->add_option("a", a_file, "first array")->required()->check(CLI::ExistingFile);
  cmp->add_option("b", b_file, "second array")->required()->check(CLI::ExistingFile);
  cmp->add_option("--max-diff", max_diff, "largest allowed |a-b| per element")->capture_default_str();
  cmp->add_option("--max-fraction", max_fraction, "largest allowed fraction of elements that differ at all")
      ->capture_default_str();
  cmp->callback([] {
    const NpyArray a = read_npy_file(a_file), b = read_npy_file(b_file);
    if (a.shape != b.shape || a.dtype != b.dtype)
      throw std::runtime_error(a_file + " and " + b_file + " differ in shape or dtype");
    int64_t differing = 0, worst = 0;
    for (int64_t i = 0; i < a.elements(); ++i) {
      const int64_t d = std::llabs(element(a, i) - element(b, i));
      differing += d != 0;
      worst = std::max(worst, d);
    }
    const double fraction = a.elements() ? double(differing) / double(a.elements()) : 0.0;
    std::cout << a.elements() << " elements, " << differing << " differ (" << 100.0 * fraction
              << " %), largest difference " << worst << "\n";
    if (worst > max_diff || fraction > max_fraction)
      throw std::runtime_error("arrays differ beyond --max-diff " + std::to_string(max_diff) + " / --max-fraction " +
                               std::to_string(max_fraction));
  });
}

}  // namespace tessera::cli
