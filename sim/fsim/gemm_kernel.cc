// GEMM inner kernels: a portable scalar loop and AVX2 / AVX-512 VNNI versions chosen at run time.
//
// The SIMD kernels read the packed operands of FsimSram: an input pair (two int16 in one int32) is
// broadcast and multiplied against BLOCK_OUT weight pairs with a pairwise multiply-add, so each
// instruction does 2 x 8 (AVX2) or 2 x 16 (AVX-512) MACs with no horizontal reduction. Products of
// int8 values summed in pairs fit int16 x int16 -> int32 exactly, and the int32 adds wrap, as the
// semantics require. Functions carry their own target attribute; no global -march is needed.
#include <immintrin.h>

#include "sim/fsim/sram.h"

namespace tessera {
namespace {

// Calls body(d, s, w) for every micro-op of the loop nest, in the semantic loop order.
template <typename Body>
inline __attribute__((always_inline)) void for_each_uop(const UopLoop& loop, const FsimSram& s, Body body) {
  const UopLoop l = loop;  // a local copy: stores into the ACC SRAM cannot alias it
  const Uop* const uops = s.uop.data();
  for (int64_t o = 0; o < l.iter_out; ++o)
    for (int64_t i = 0; i < l.iter_in; ++i) {
      const int64_t db = o * l.dst_out + i * l.dst_in, sb = o * l.src_out + i * l.src_in,
                    wb = o * l.wgt_out + i * l.wgt_in;
      for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) body(uops[k].dst + db, uops[k].src + sb, uops[k].wgt + wb);
    }
}

void gemm_scalar(const UopLoop& l, FsimSram& s) {
  const int B = s.batch, I = s.block_in, O = s.block_out;
  for_each_uop(l, s, [&](int64_t d, int64_t src, int64_t w) {
    int32_t* acc = &s.acc[size_t(d * s.acc_lanes)];
    const int8_t* in = &s.inp[size_t(src * s.inp_lanes)];
    const int8_t* wt = &s.wgt[size_t(w * s.wgt_lanes)];
    for (int b = 0; b < B; ++b)
      for (int n = 0; n < O; ++n) {
        int32_t sum = 0;  // |sum| <= 256 * 128 * 128: no overflow before the wrapping add
        for (int j = 0; j < I; ++j) sum += int32_t(in[b * I + j]) * int32_t(wt[n * I + j]);
        acc[b * O + n] = int32_t(uint32_t(acc[b * O + n]) + uint32_t(sum));
      }
  });
}

// Template arguments fix BATCH, BLOCK_IN / 2 and BLOCK_OUT at compile time for common shapes (full
// unrolling, no spills); 0 means "read at run time", which serves every other shape.
struct Shape {
  int batch, pairs, out;
};
template <int B_, int KP_, int O_>
inline Shape shape_of(const FsimSram& s) {
  return {B_ ? B_ : s.batch, KP_ ? KP_ : s.block_in / 2, O_ ? O_ : s.block_out};
}

template <int B_, int KP_, int O_>
__attribute__((target("avx2"))) void gemm_avx2(const UopLoop& l, FsimSram& s) {
  const Shape sh = shape_of<B_, KP_, O_>(s);
  const int32_t* const inp = s.inp_pairs.data();
  const int32_t* const wgt = s.wgt_pairs.data();
  int32_t* const acc_base = s.acc.data();
  for_each_uop(l, s, [=](int64_t d, int64_t src, int64_t w) __attribute__((target("avx2"))) {
    const int32_t* wp = wgt + w * sh.pairs * sh.out;
    for (int b = 0; b < sh.batch; ++b) {
      const int32_t* ip = inp + (src * sh.batch + b) * sh.pairs;
      int32_t* acc = acc_base + (d * sh.batch + b) * sh.out;
      for (int n = 0; n < sh.out; n += 8) {
        __m256i sum = _mm256_setzero_si256();
        for (int kp = 0; kp < sh.pairs; ++kp) {
          const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + kp * sh.out + n));
          sum = _mm256_add_epi32(sum, _mm256_madd_epi16(wv, _mm256_set1_epi32(ip[kp])));
        }
        __m256i* a = reinterpret_cast<__m256i*>(acc + n);
        _mm256_storeu_si256(a, _mm256_add_epi32(_mm256_loadu_si256(a), sum));
      }
    }
  });
}

template <int B_, int KP_, int O_>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void gemm_avx512(const UopLoop& l, FsimSram& s) {
  const Shape sh = shape_of<B_, KP_, O_>(s);
  const int32_t* const inp = s.inp_pairs.data();
  const int32_t* const wgt = s.wgt_pairs.data();
  int32_t* const acc_base = s.acc.data();
  for_each_uop(l, s, [=](int64_t d, int64_t src, int64_t w) __attribute__((target("avx512f,avx512bw,avx512vnni"))) {
    const int32_t* wp = wgt + w * sh.pairs * sh.out;
    for (int b = 0; b < sh.batch; ++b) {
      const int32_t* ip = inp + (src * sh.batch + b) * sh.pairs;
      int32_t* acc = acc_base + (d * sh.batch + b) * sh.out;
      for (int n = 0; n < sh.out; n += 16) {
        // Products go to four chains that start from zero, so the only dependency between
        // micro-ops hitting the same accumulator (common in conv kernels) is one load-add-store.
        __m512i p[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                        _mm512_setzero_si512()};
        for (int kp = 0; kp < sh.pairs; ++kp)
          p[kp % 4] = _mm512_dpwssd_epi32(p[kp % 4], _mm512_loadu_si512(wp + kp * sh.out + n),
                                          _mm512_set1_epi32(ip[kp]));
        const __m512i sum = _mm512_add_epi32(_mm512_add_epi32(p[0], p[1]), _mm512_add_epi32(p[2], p[3]));
        _mm512_storeu_si512(acc + n, _mm512_add_epi32(_mm512_loadu_si512(acc + n), sum));
      }
    }
  });
}

// The kernel instantiation for a shape: specialized for the shipped block shapes, generic otherwise.
template <template <int, int, int> class K>
GemmKernelFn pick(int batch, int block_in, int block_out) {
  if (batch == 1 && block_in == 16 && block_out == 16) return K<1, 8, 16>::run;
  if (batch == 1 && block_in == 32 && block_out == 32) return K<1, 16, 32>::run;
  if (batch == 4 && block_in == 8 && block_out == 8) return K<4, 4, 8>::run;
  return K<0, 0, 0>::run;
}
template <int B_, int KP_, int O_>
struct Avx2 {
  static constexpr GemmKernelFn run = gemm_avx2<B_, KP_, O_>;
};
template <int B_, int KP_, int O_>
struct Avx512 {
  static constexpr GemmKernelFn run = gemm_avx512<B_, KP_, O_>;
};

}  // namespace

std::vector<GemmKernel> gemm_kernels_for(int batch, int block_in, int block_out) {
  std::vector<GemmKernel> k;
  const bool pairs = block_in % 2 == 0;
  if (pairs && block_out % 16 == 0 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vnni"))
    k.push_back({"avx512vnni", pick<Avx512>(batch, block_in, block_out)});
  if (pairs && block_out % 8 == 0 && __builtin_cpu_supports("avx2"))
    k.push_back({"avx2", pick<Avx2>(batch, block_in, block_out)});
  k.push_back({"scalar", gemm_scalar});
  return k;
}

}  // namespace tessera
