#ifndef RUNNER_CKERNELINTRINSICS_H
#define RUNNER_CKERNELINTRINSICS_H

// Processor operations the kernels need and Swift's SIMD types do not expose (or expose only
// lane by lane, or out of line): a cache-prefetch hint, a vector square root, always-inlined
// sixteen-lane loads and stores, and masked ones. All are static inline, so they compile into the Swift kernel that calls them.

/// Asks the processor to bring the cache line at `address` towards L1 ahead of its use, for
/// kernels whose access pattern the hardware prefetchers do not follow (strided column strips).
/// A hint only: it never faults, so addresses past the end of a buffer are harmless.
static inline __attribute__((always_inline)) void runner_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// `runner_prefetch` for a line about to be written: fetched in the exclusive state (`prefetchw`
/// on x86-64, a no-op on processors that predate it), so that the first store to it does not
/// wait for the line to be read in and then claimed.
static inline __attribute__((always_inline)) void runner_prefetch_write(const void *address) {
#if defined(__x86_64__)
    __asm__ volatile("prefetchw (%0)" : : "r"(address));
#else
    __builtin_prefetch(address, 1, 3);
#endif
}

/// Eight floats; Swift sees it as `SIMD8<Float>`.
typedef float runner_float8 __attribute__((ext_vector_type(8)));

/// The correctly rounded square root of each lane, as one vector instruction. Swift's
/// `SIMD8<Float>.squareRoot()` goes lane by lane through the scalar square root, which made
/// the optimizers' update (one root per element) several times slower than its memory traffic.
static inline __attribute__((always_inline)) runner_float8 runner_sqrt8(runner_float8 x) {
    return __builtin_elementwise_sqrt(x);
}

/// Sixteen floats; Swift sees it as `SIMD16<Float>`.
typedef float runner_float16 __attribute__((ext_vector_type(16)));

/// Sixteen floats from any address, as one unaligned vector load. Swift's
/// `loadUnaligned(fromByteOffset:as:)` is a generic call that the optimiser may leave out of
/// line in a large kernel (it did in the long-depth GEMM, spilling every accumulator around each
/// call: 29% of the square rate instead of 90%); this one is always inlined.
static inline __attribute__((always_inline)) runner_float16 runner_load16(const void *address) {
    runner_float16 value;
    __builtin_memcpy(&value, address, sizeof value);
    return value;
}

/// Stores sixteen floats at any address, always inlined (see `runner_load16`).
static inline __attribute__((always_inline)) void runner_store16(void *address, runner_float16 value) {
    __builtin_memcpy(address, &value, sizeof value);
}

#if defined(__x86_64__)
#include <immintrin.h>

/// Transposes the 8 × 8 block at `source` (rows `sourceStride` floats apart) into `destination`
/// (rows `destinationStride` apart): destination row i = source column i. Fused attention stages
/// each head's keys and values transposed ([d, keys]); eight scalar stores per loaded vector made
/// that staging cost more than the products that read it.
static inline __attribute__((always_inline, target("avx2")))
void runner_transpose8x8(const float *source, long sourceStride, float *destination, long destinationStride) {
    __m256 r0 = _mm256_loadu_ps(source), r1 = _mm256_loadu_ps(source + sourceStride);
    __m256 r2 = _mm256_loadu_ps(source + 2 * sourceStride), r3 = _mm256_loadu_ps(source + 3 * sourceStride);
    __m256 r4 = _mm256_loadu_ps(source + 4 * sourceStride), r5 = _mm256_loadu_ps(source + 5 * sourceStride);
    __m256 r6 = _mm256_loadu_ps(source + 6 * sourceStride), r7 = _mm256_loadu_ps(source + 7 * sourceStride);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(destination, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(destination + destinationStride, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(destination + 2 * destinationStride, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(destination + 3 * destinationStride, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(destination + 4 * destinationStride, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(destination + 5 * destinationStride, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(destination + 6 * destinationStride, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(destination + 7 * destinationStride, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/// Copies the first `count` (0…16) floats of `source` to `destination` with one masked
/// sixteen-lane load and store: floats past `count` are neither read nor written, so both may
/// end at a buffer's edge. For the partial column tiles of the AVX-512 kernels (a 49-column
/// window product leaves 17), where a scalar loop costs as much as the tile's arithmetic.
static inline __attribute__((always_inline, target("avx512f")))
void runner_copy_first16(float *destination, const float *source, unsigned count) {
    __mmask16 mask = (__mmask16)((1u << count) - 1u);
    _mm512_mask_storeu_ps(destination, mask, _mm512_maskz_loadu_ps(mask, source));
}

/// The first `count` (0…16) floats at `source` in the low lanes, zeros above, with one masked
/// load that reads nothing past `count`. Setting lanes one by one from Swift goes through the
/// stack and stalls each following vector load (it cost the long-depth kernel's bias-gradient
/// sums more than its product when a thread's share of columns ended mid-vector).
static inline __attribute__((always_inline, target("avx512f")))
runner_float16 runner_load_first16(const float *source, unsigned count) {
    return (runner_float16)_mm512_maskz_loadu_ps((__mmask16)((1u << count) - 1u), source);
}

/// Stores the low `count` (0…16) lanes of `value` at `destination`, writing nothing past them.
static inline __attribute__((always_inline, target("avx512f")))
void runner_store_first16(float *destination, runner_float16 value, unsigned count) {
    _mm512_mask_storeu_ps(destination, (__mmask16)((1u << count) - 1u), (__m512)value);
}

/// 1/x in each lane, within one ulp or so of the quotient (the 14-bit estimate `vrcp14ps` and one
/// Newton step, relative error ≈ 2⁻²⁸ before rounding) for normal positive x: a few cycles where
/// `vdivps` on sixteen lanes takes ten, which made the division GELU's rational needs cost most
/// of the activation.
static inline __attribute__((always_inline, target("avx512f"))) runner_float16 runner_reciprocal16(runner_float16 x) {
    __m512 value = (__m512)x;
    __m512 estimate = _mm512_rcp14_ps(value);
    __m512 error = _mm512_fnmadd_ps(value, estimate, _mm512_set1_ps(2.0f));
    return (runner_float16)_mm512_mul_ps(estimate, error);
}

/// Φ(x), the standard normal distribution function, on sixteen lanes: ½ + u·P(u²)/Q(u²) with
/// u = x clamped to ±5.7 (a degree-5 rational, absolute error ≤ 2e-7), P/Q through
/// `runner_reciprocal16`, then clamped to [0, 1]; NaN stays NaN. In C, so that the GELU a product
/// kernel applies in its tiles' epilogues is whole vector instructions however large the kernel
/// around it: Swift lowers `SIMD16` arithmetic lane by lane and leaves LLVM to re-vectorise it,
/// which it does fully only in small bodies (see `SoftmaxAVX512`).
static inline __attribute__((always_inline, target("avx512f"))) __m512 runner_normal_cdf16(__m512 x) {
    __m512 u = _mm512_min_ps(_mm512_set1_ps(5.7f), _mm512_max_ps(_mm512_set1_ps(-5.7f), x));
    __m512 s = _mm512_mul_ps(u, u);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(1.913886731e-02f), s, _mm512_set1_ps(5.249626764e+00f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.367626902e+02f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(3.875538938e+03f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(2.785538130e+04f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(3.326559070e+05f));
    __m512 q = _mm512_add_ps(s, _mm512_set1_ps(6.002131848e+01f));
    q = _mm512_fmadd_ps(q, s, _mm512_set1_ps(1.548742091e+03f));
    q = _mm512_fmadd_ps(q, s, _mm512_set1_ps(2.366848680e+04f));
    q = _mm512_fmadd_ps(q, s, _mm512_set1_ps(2.087969760e+05f));
    q = _mm512_fmadd_ps(q, s, _mm512_set1_ps(8.338447197e+05f));
    __m512 ratio = _mm512_mul_ps(p, (__m512)runner_reciprocal16((runner_float16)q));
    __m512 phi = _mm512_fmadd_ps(u, ratio, _mm512_set1_ps(0.5f));
    return _mm512_min_ps(_mm512_set1_ps(1.0f), _mm512_max_ps(_mm512_set1_ps(0.0f), phi));
}

/// eᵈ for d ≤ 0 on sixteen lanes (the engine's `VectorMath.expOfNonPositive`, same reduction and
/// polynomial): d clamped at −88, d = n·ln 2 + r, eʳ = 1 + r·P(r) with P of degree 4 (relative error
/// ≤ 2.5e-7), times 2ⁿ built in the exponent field; −∞ gives 0, NaN stays NaN. The softmax and
/// GELU′ of the AVX-512 kernels both use it.
static inline __attribute__((always_inline, target("avx512f"))) runner_float16 runner_exp_nonpositive16(runner_float16 x) {
    __m512 d = (__m512)x;
    // Clamping at −88 puts n at −127 for the lowest arguments, whose 2ⁿ bit pattern is 0
    // (vmaxps returns d, its second operand, when d is NaN).
    __m512 clamped = _mm512_max_ps(_mm512_set1_ps(-88.0f), d);
    __m512 shift = _mm512_set1_ps(12582912.0f);
    __m512 shifted = _mm512_fmadd_ps(clamped, _mm512_set1_ps(1.442695041f), shift);
    __m512 n = _mm512_sub_ps(shifted, shift);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), clamped);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.1219444e-4f), r);
    __m512 e = _mm512_fmadd_ps(_mm512_set1_ps(8.2903057337e-03f), r, _mm512_set1_ps(4.1897974908e-02f));
    e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.6667637229e-01f));
    e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(4.9999150634e-01f));
    e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(9.9999970198e-01f));
    __m512 expR = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_castps_si512(shifted);
    __m512i scale = _mm512_slli_epi32(_mm512_add_epi32(bits, _mm512_set1_epi32(127 - 0x4B400000)), 23);
    return (runner_float16)_mm512_mul_ps(expR, _mm512_castsi512_ps(scale));
}

/// GELU(x) = x·Φ(x) on sixteen lanes (see `runner_normal_cdf16`).
static inline __attribute__((always_inline, target("avx512f"))) runner_float16 runner_gelu16(runner_float16 x) {
    return (runner_float16)_mm512_mul_ps((__m512)x, runner_normal_cdf16((__m512)x));
}

/// GELU′(x) = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π), on sixteen lanes: what the gradient of
/// GELU's output is multiplied by.
static inline __attribute__((always_inline, target("avx512f"))) runner_float16 runner_gelu_derivative16(runner_float16 x) {
    __m512 value = (__m512)x;
    __m512 square = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(-0.5f), value), value);
    __m512 density = _mm512_mul_ps((__m512)runner_exp_nonpositive16((runner_float16)square),
                                   _mm512_set1_ps(0.398942280401432678f));
    return (runner_float16)_mm512_fmadd_ps(value, density, runner_normal_cdf16(value));
}
#endif

#endif
