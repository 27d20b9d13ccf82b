// Where a blocked activation lives in device DRAM, so a producer stores exactly what its consumers load.
#pragma once

#include <cstdint>

namespace tessera::compiler {

// [planes][top + h + bottom][left + w + right] elements of BATCH x BLOCK bytes (NCHW<b>n<B>c with a
// halo, docs/compiler.md); plane = batch block x channel block. A consumer whose padding is smaller
// than the halo reads from an offset inside it.
struct ActBuffer {
  uint64_t offset = 0;  // bytes: plane 0, halo row 0, halo column 0
  int64_t planes = 0, h = 1, w = 1;
  int64_t top = 0, left = 0, bottom = 0, right = 0;
  int64_t hp() const { return h + top + bottom; }
  int64_t wp() const { return w + left + right; }
  int64_t elements() const { return planes * hp() * wp(); }
  // Element index (from the tensor's first element) of logical row y, column x of a plane.
  int64_t at(int64_t plane, int64_t y, int64_t x) const { return (plane * hp() + top + y) * wp() + left + x; }
};

}  // namespace tessera::compiler
