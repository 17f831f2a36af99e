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

/// Copies the first `count` (0…16) floats of `source` to `destination` with one masked
/// sixteen-lane load and store: floats past `count` are neither read nor written, so both may
/// end at a buffer's edge. For the partial column tiles of the AVX-512 kernels (a 49-column
/// window product leaves 17), where a scalar loop costs as much as the tile's arithmetic.
static inline __attribute__((always_inline, target("avx512f")))
void runner_copy_first16(float *destination, const float *source, unsigned count) {
    __mmask16 mask = (__mmask16)((1u << count) - 1u);
    _mm512_mask_storeu_ps(destination, mask, _mm512_maskz_loadu_ps(mask, source));
}
#endif

#endif
