#ifndef RUNNER_COPENBLAS_SHIM_H
#define RUNNER_COPENBLAS_SHIM_H
// OpenBLAS's CBLAS interface plus its thread-count controls. The engine sets OpenBLAS to one
// thread and owns all parallelism itself (see DESIGN.md).
#include <cblas.h>

/// A spin-wait hint for the engine's thread pool (`pause` on x86).
static inline void runner_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}
#endif
