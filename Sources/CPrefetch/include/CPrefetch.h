#ifndef RUNNER_CPREFETCH_H
#define RUNNER_CPREFETCH_H

/// Asks the processor to bring the cache line at `address` towards L1 ahead of its use, for
/// kernels whose access pattern the hardware prefetchers do not follow (strided column strips).
/// A hint only: it never faults, so addresses past the end of a buffer are harmless.
static inline __attribute__((always_inline)) void runner_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
