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
/// `SIMD8<Float>.squareRoot()` goes lane by lane through the scalar square root, which would
/// make the optimizers' update (one root per element) several times slower than its memory traffic.
static inline __attribute__((always_inline)) runner_float8 runner_sqrt8(runner_float8 x) {
    return __builtin_elementwise_sqrt(x);
}

/// Sixteen floats; Swift sees it as `SIMD16<Float>`.
typedef float runner_float16 __attribute__((ext_vector_type(16)));

/// Sixteen floats from any address, as one unaligned vector load. Swift's
/// `loadUnaligned(fromByteOffset:as:)` is a generic call that the optimiser may leave out of
/// line in a large kernel such as the long-depth GEMM, spilling every accumulator around each
/// call; this one is always inlined.
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

/// Stores sixteen floats at a 64-byte-aligned `address` without reading its line in first and
/// without keeping it in cache (`vmovntps`): for results read back only much later.
static inline __attribute__((always_inline, target("avx512f"))) void runner_stream16(void *address, runner_float16 value) {
    _mm512_stream_ps((float *)address, (__m512)value);
}

/// Orders this thread's streaming stores before its later stores (`sfence`): they are weakly
/// ordered, so a kernel that streams fences before the pool's join hands its results to another
/// thread.
static inline __attribute__((always_inline)) void runner_store_fence(void) {
    _mm_sfence();
}

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

/// eᵈ for d ≤ 0 on sixteen lanes (the engine's `VectorMath.expOfNonPositive`, same reduction and
/// polynomial): d clamped at −88, d = n·ln 2 + r, eʳ = 1 + r·P(r) with P of degree 4 (relative error
/// ≤ 2.5e-7), times 2ⁿ built in the exponent field; −∞ gives 0, NaN stays NaN. For the AVX-512
/// softmax.
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

/// Coefficient tables of `runner_gelu16` and `runner_gelu_derivative16` (gelu_tables.c, written by
/// tools/fit_gelu_tables.py): `[5][32]`, row k the u^k coefficients of the 32 intervals.
extern const float runner_gelu_cdf_table[5 * 32];
extern const float runner_gelu_derivative_table[5 * 32];

/// A piecewise degree-4 polynomial of t = |x| on sixteen lanes: interval ⌊4t⌋ (t clamped just
/// below 8) of `table`, evaluated at u = 4t − ⌊4t⌋. Each coefficient is one 32-entry permute of
/// two table vectors by the interval index, so the whole function is 5 + 4 + 5 vector operations
/// where a rational approximation needs a reciprocal and twice the multiply-adds. NaN stays NaN
/// (vminps keeps its second operand, and an indefinite index still selects a finite entry).
static inline __attribute__((always_inline, target("avx512f,avx512dq")))
__m512 runner_gelu_piecewise16(const float *table, __m512 t) {
    __m512 s = _mm512_min_ps(_mm512_set1_ps(31.999998f), _mm512_mul_ps(t, _mm512_set1_ps(4.0f)));
    __m512i interval = _mm512_cvttps_epi32(s);
    __m512 u = _mm512_reduce_ps(s, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 p = _mm512_permutex2var_ps(_mm512_load_ps(table + 128), interval, _mm512_load_ps(table + 144));
    p = _mm512_fmadd_ps(p, u, _mm512_permutex2var_ps(_mm512_load_ps(table + 96), interval, _mm512_load_ps(table + 112)));
    p = _mm512_fmadd_ps(p, u, _mm512_permutex2var_ps(_mm512_load_ps(table + 64), interval, _mm512_load_ps(table + 80)));
    p = _mm512_fmadd_ps(p, u, _mm512_permutex2var_ps(_mm512_load_ps(table + 32), interval, _mm512_load_ps(table + 48)));
    return _mm512_fmadd_ps(p, u, _mm512_permutex2var_ps(_mm512_load_ps(table), interval, _mm512_load_ps(table + 16)));
}

/// GELU(x) = x·Φ(x) (the exact, erf form) on sixteen lanes, as ½x + |x|·F(|x|) with
/// F = Φ − ½ from `runner_gelu_cdf_table`: error ≤ 1e-7·max(1, |x|) (8.2e-8 measured by the
/// generator), exactly x above 5.75 and exactly 0 below −5.75, since F is exactly ½ there; NaN
/// stays NaN.
static inline __attribute__((always_inline, target("avx512f,avx512dq"))) runner_float16 runner_gelu16(runner_float16 x) {
    __m512 value = (__m512)x;
    __m512 t = _mm512_abs_ps(value);
    __m512 f = runner_gelu_piecewise16(runner_gelu_cdf_table, t);
    return (runner_float16)_mm512_fmadd_ps(t, f, _mm512_mul_ps(_mm512_set1_ps(0.5f), value));
}

/// GELU′(x) = Φ(x) + x·φ(x) on sixteen lanes — what the gradient of GELU's output is multiplied
/// by — as ½ + sign(x)·D(|x|) from `runner_gelu_derivative_table` (GELU′ − ½ is odd): absolute
/// error ≤ 2e-7 (1.9e-7 measured by the generator), exactly 0 and 1 beyond ±6.25; NaN stays NaN.
static inline __attribute__((always_inline, target("avx512f,avx512dq"))) runner_float16 runner_gelu_derivative16(runner_float16 x) {
    __m512 value = (__m512)x;
    __m512 t = _mm512_abs_ps(value);
    __m512 d = runner_gelu_piecewise16(runner_gelu_derivative_table, t);
    // d ≥ 0: OR-ing in x's sign bit gives sign(x)·d.
    __m512 signedD = _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(d), _mm512_castps_si512(value),
                                                                   _mm512_set1_epi32((int)0x80000000), 0xF8));
    return (runner_float16)_mm512_add_ps(_mm512_set1_ps(0.5f), signedD);
}
#endif

/// The peak-measuring loops of fma_peak.c, `iterations` rounds each: 12 independent 8-lane FMAs
/// (192 flops a round; AVX2 + FMA), 16 independent 16-lane FMAs (512 flops; AVX-512 F), and 16
/// independent `vdpbf16ps` (1024 flops: 32 bfloat16 products added into 16 floats; AVX512-BF16).
/// Call each only on a processor that has its instructions.
float runner_fma_peak_avx2(long iterations);
float runner_fma_peak_avx512(long iterations);
float runner_bf16_dot_peak_avx512(long iterations);

#include "PackedGemm.h"

#endif
