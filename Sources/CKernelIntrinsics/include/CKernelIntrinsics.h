#ifndef RUNNER_CKERNELINTRINSICS_H
#define RUNNER_CKERNELINTRINSICS_H

// Processor operations the kernels need and Swift's SIMD types do not expose: a cache-prefetch
// hint and sixteen-lane masked loads and stores. All are static inline, so they compile into the
// Swift kernel that calls them.

/// Asks the processor to bring the cache line at `address` towards L1 ahead of its use, for
/// kernels whose access pattern the hardware prefetchers do not follow (strided column strips).
/// A hint only: it never faults, so addresses past the end of a buffer are harmless.
static inline __attribute__((always_inline)) void runner_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
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
