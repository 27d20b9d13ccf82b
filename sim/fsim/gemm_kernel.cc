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
inline __attribute__((always_inline)) void for_each_uop(const GemmLoop& l, const FsimSram& s, Body body) {
  const Uop* uops = s.uop.data();
  for (int64_t o = 0; o < l.iter_out; ++o)
    for (int64_t i = 0; i < l.iter_in; ++i) {
      const int64_t db = o * l.dst_out + i * l.dst_in, sb = o * l.src_out + i * l.src_in,
                    wb = o * l.wgt_out + i * l.wgt_in;
      for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) body(uops[k].dst + db, uops[k].src + sb, uops[k].wgt + wb);
    }
}

void gemm_scalar(const GemmLoop& l, FsimSram& s) {
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

// KP = BLOCK_IN / 2 when known at compile time (full unrolling), 0 when read at run time.
template <int KP>
__attribute__((target("avx2"))) void gemm_avx2(const GemmLoop& l, FsimSram& s) {
  const int B = s.batch, O = s.block_out, kp_n = KP ? KP : s.block_in / 2;
  const int32_t* inp = s.inp_pairs.data();
  const int32_t* wgt = s.wgt_pairs.data();
  int32_t* acc_base = s.acc.data();
  for_each_uop(l, s, [&](int64_t d, int64_t src, int64_t w) __attribute__((target("avx2"))) {
    const int32_t* wp = wgt + w * kp_n * O;
    for (int b = 0; b < B; ++b) {
      const int32_t* ip = inp + (src * B + b) * kp_n;
      int32_t* acc = acc_base + d * s.acc_lanes + b * O;
      for (int n = 0; n < O; n += 8) {
        __m256i sum = _mm256_setzero_si256();
        for (int kp = 0; kp < kp_n; ++kp) {
          const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + kp * O + n));
          sum = _mm256_add_epi32(sum, _mm256_madd_epi16(wv, _mm256_set1_epi32(ip[kp])));
        }
        __m256i* a = reinterpret_cast<__m256i*>(acc + n);
        _mm256_storeu_si256(a, _mm256_add_epi32(_mm256_loadu_si256(a), sum));
      }
    }
  });
}

template <int KP>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void gemm_avx512(const GemmLoop& l, FsimSram& s) {
  const int B = s.batch, O = s.block_out, kp_n = KP ? KP : s.block_in / 2;
  const int32_t* inp = s.inp_pairs.data();
  const int32_t* wgt = s.wgt_pairs.data();
  int32_t* acc_base = s.acc.data();
  for_each_uop(l, s, [&](int64_t d, int64_t src, int64_t w) __attribute__((target("avx512f,avx512bw,avx512vnni"))) {
    const int32_t* wp = wgt + w * kp_n * O;
    for (int b = 0; b < B; ++b) {
      const int32_t* ip = inp + (src * B + b) * kp_n;
      int32_t* acc = acc_base + d * s.acc_lanes + b * O;
      for (int n = 0; n < O; n += 16) {
        // Two chains halve the dependency on the multiply-add latency.
        __m512i even = _mm512_loadu_si512(acc + n), odd = _mm512_setzero_si512();
        int kp = 0;
        for (; kp + 1 < kp_n; kp += 2) {
          even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(wp + kp * O + n), _mm512_set1_epi32(ip[kp]));
          odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(wp + (kp + 1) * O + n), _mm512_set1_epi32(ip[kp + 1]));
        }
        if (kp < kp_n)
          even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(wp + kp * O + n), _mm512_set1_epi32(ip[kp]));
        _mm512_storeu_si512(acc + n, _mm512_add_epi32(even, odd));
      }
    }
  });
}

}  // namespace

std::vector<GemmKernel> gemm_kernels_for(int batch, int block_in, int block_out) {
  (void)batch;  // every kernel loops over BATCH at run time
  std::vector<GemmKernel> k;
  const bool pairs = block_in % 2 == 0;
  if (pairs && block_out % 16 == 0 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vnni"))
    k.push_back({"avx512vnni", block_in == 16 ? gemm_avx512<8> : gemm_avx512<0>});
  if (pairs && block_out % 8 == 0 && __builtin_cpu_supports("avx2"))
    k.push_back({"avx2", block_in == 16 ? gemm_avx2<8> : gemm_avx2<0>});
  k.push_back({"scalar", gemm_scalar});
  return k;
}

}  // namespace tessera
