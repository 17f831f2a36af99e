#ifndef RUNNER_PACKED_GEMM_H
#define RUNNER_PACKED_GEMM_H

#include <stdint.h>

/// The bfloat16 nearest to `value` as the processor's `vcvtneps2bf16` computes it: round to
/// nearest, ties to even; a subnormal input becomes a zero of its sign (the instruction treats
/// denormals as zero); NaN stays NaN (quiet). The scalar reference the vector conversions are
/// tested against, and what the packing routines use for the few elements past a whole vector.
uint16_t runner_bfloat16_from_float(float value);

/// The float a bfloat16 stands for (exact: its bits in the high half of a float).
static inline float runner_float_from_bfloat16(uint16_t bits) {
    union { uint32_t word; float value; } converted = { (uint32_t)bits << 16 };
    return converted.value;
}

/// What the packed products apply to each result as they store it (after `row_bias` and `beta`).
enum {
    /// The result as it is.
    RUNNER_GEMM_IDENTITY = 0,
    /// `gelu(z)` (exact GELU); `z` is also kept in `pre_activation` when that is not NULL.
    RUNNER_GEMM_GELU = 1,
    /// `z · GELU′(x)` with `x` read from `pre_activation` (which must not be NULL).
    RUNNER_GEMM_GELU_DERIVATIVE = 2,
};

/// `C = act(alpha · op(A) · op(B) + row_bias + beta · C)` for row-major float32 `op(A)` `[m, k]`,
/// `op(B)` `[k, n]` and `C` `[m, n]` (row strides `lda`, `ldb`, `ldc`; `transpose_a` / `transpose_b`
/// read `A` as `[k, m]` / `B` as `[n, k]`), on one thread, blocked as BLIS blocks a GEMM: op(B) in
/// packed panels of 32 columns, op(A) in micro-panels of 8 rows, an 8 × 32 register tile.
///
/// `runner_bfloat16_gemm` rounds both operands to bfloat16 (round to nearest even) as it packs
/// them and sums pairs of products into float32 accumulators with `vdpbf16ps` (needs AVX512-F,
/// BW, DQ, VL and BF16); `runner_float32_gemm` packs them as they are and multiplies with 16-lane
/// FMAs (needs AVX512-F, BW, DQ, VL). `C` is float32 in both; with `beta == 0` it is only written.
///
/// The packed operands go to a buffer kept per thread (allocated on the thread's first product).
/// `depth_sums_of_a` (`[m]`, only with `transpose_a`), when not NULL, receives `Σ_p A[p, i]` in
/// float32 from the unrounded values, summed while op(A) is packed: a linear layer's bias gradient
/// beside its weight gradient, at no extra pass over `dY`. `row_bias` (`[n]`, or NULL) is added to
/// every row of `C`; `activation` is applied to every result last, `pre_activation` addressing the
/// same element as `C`'s with the same row stride `ldc` (a transformer MLP's GELU in the forward
/// product, GELU′ in the product of its input gradient, without a pass of their own); both need
/// `k ≥ 1`.
void runner_bfloat16_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                          const float *a, long lda, const float *b, long ldb, float beta,
                          float *c, long ldc, float *depth_sums_of_a,
                          const float *row_bias, int activation, float *pre_activation);
void runner_float32_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                         const float *a, long lda, const float *b, long ldb, float beta,
                         float *c, long ldc, float *depth_sums_of_a,
                         const float *row_bias, int activation, float *pre_activation);

/// Rounds `count` floats to bfloat16 in place (each becomes the float its bfloat16 stands for),
/// with the vector conversion when the processor has AVX512-BF16 (`vector` nonzero), else the
/// scalar reference: what a float32 computation on bfloat16-rounded inputs starts from.
void runner_round_to_bfloat16(float *values, long count, int vector);

#endif
