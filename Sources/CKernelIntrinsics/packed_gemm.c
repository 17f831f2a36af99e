// Packed-operand matrix products on AVX-512, blocked as BLIS blocks a GEMM: a depth block of op(B)
// is packed into panels of 32 columns, a block of op(A) into micro-panels of 8 rows, and an 8 × 32
// register tile (sixteen accumulators) runs over each micro-panel and panel with op(A)'s words
// broadcast. A packed row holds one 32-bit word per column: a float in the float32 product, the two
// bfloat16s of depths 2p and 2p + 1 in the bfloat16 one (`vdpbf16ps` multiplies such pairs and adds
// both products into one float32 lane). The caller's tensors and C stay float32 either way.
#include "PackedGemm.h"
#include "CKernelIntrinsics.h"
#include <stdlib.h>
#include <string.h>

/// Rows of C per register tile (one broadcast word of op(A) each).
#define TILE_ROWS 8
/// Columns of C per register tile (two sixteen-lane accumulators per row).
#define TILE_COLUMNS 32
/// Packed rows of one depth block (a row is one depth in float32, a pair of depths in bfloat16):
/// a packed 32-column panel of op(B) is then 24 KB and stays in L1 beside the 6 KB micro-panel of
/// op(A) it is multiplied with.
#define BLOCK_DEPTH_ROWS 192
/// Rows of op(A) packed at once: 72 KB, held in L2 while every panel of the op(B) block passes.
#define BLOCK_ROWS 96
/// Columns of op(B) packed at once: 768 KB.
#define BLOCK_COLUMNS 1024
/// Packed rows and columns of a block of a long-depth product (a weight gradient, depth = tokens):
/// C is read and written once per depth block, and between two blocks the packing streams the
/// next operand rows through L2, which evicts C; four times the depth makes that four times
/// rarer, with the 96 KB op(B) panels read from L2 instead of L1.
#define LONG_BLOCK_DEPTH_ROWS 768
#define LONG_BLOCK_COLUMNS 256
/// Depths from which a product is blocked as a long-depth one.
#define LONG_DEPTH 4096

uint16_t runner_bfloat16_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7F800000u) == 0) return (uint16_t)((bits >> 16) & 0x8000u);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);
    return (uint16_t)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

/// Words of scratch a product needs: the largest op(B) block and the op(A) block.
static long scratch_count(void) {
    long columns = (long)BLOCK_DEPTH_ROWS * BLOCK_COLUMNS;
    long longColumns = (long)LONG_BLOCK_DEPTH_ROWS * LONG_BLOCK_COLUMNS;
    return (columns > longColumns ? columns : longColumns) + (long)LONG_BLOCK_DEPTH_ROWS * BLOCK_ROWS;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx2,fma,avx512f,avx512bw,avx512dq,avx512vl")))
#define BF16_TARGET __attribute__((target("avx2,fma,avx512f,avx512bw,avx512dq,avx512vl,avx512bf16")))

// MARK: packing, bfloat16

/// The word of a depth pair: the bfloat16 of `low` (depth 2p) in the low half, of `high` above.
static inline uint32_t pair_of(float low, float high) {
    return (uint32_t)runner_bfloat16_from_float(low) | ((uint32_t)runner_bfloat16_from_float(high) << 16);
}

/// `packed[p·width + x] = pair(source[2p·stride + x], source[(2p+1)·stride + x])` for `x < count`,
/// zero for `count ≤ x < width`; a missing last line (odd `depth`) pairs with 0. op(B) stored
/// row-major (lines are depths, `x` its columns).
static inline BF16_TARGET void pack_line_pairs(uint32_t *packed, long width, const float *source, long stride,
                                               long count, long depth) {
    const __m512i interleave16 = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                  23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m256i interleave8 = _mm256_set_epi16(15, 7, 14, 6, 13, 5, 12, 4, 11, 3, 10, 2, 9, 1, 8, 0);
    long pairs = (depth + 1) / 2;
    for (long p = 0; p < pairs; p++) {
        const float *low = source + 2 * p * stride;
        const float *high = 2 * p + 1 < depth ? low + stride : NULL;
        uint32_t *row = packed + p * width;
        long x = 0;
        for (; x + 16 <= count; x += 16) {
            __m512 l = _mm512_loadu_ps(low + x);
            __m512 h = high ? _mm512_loadu_ps(high + x) : _mm512_setzero_ps();
            __m512i words = (__m512i)_mm512_cvtne2ps_pbh(h, l);
            _mm512_storeu_si512(row + x, _mm512_permutexvar_epi16(interleave16, words));
        }
        for (; x + 8 <= count; x += 8) {
            __m256 l = _mm256_loadu_ps(low + x);
            __m256 h = high ? _mm256_loadu_ps(high + x) : _mm256_setzero_ps();
            __m256i words = (__m256i)_mm256_cvtne2ps_pbh(h, l);
            _mm256_storeu_si256((__m256i *)(row + x), _mm256_permutexvar_epi16(interleave8, words));
        }
        for (; x < count; x++) row[x] = pair_of(low[x], high ? high[x] : 0.0f);
        for (; x < width; x++) row[x] = 0;
    }
}

/// `packed[p·width + x] = pair(source[x·stride + 2p], source[x·stride + 2p + 1])` for `x < count`,
/// zero for `count ≤ x < width`; an odd `depth`'s last element pairs with 0. op(A) stored row-major
/// (lines are its rows) and op(B) stored transposed (lines are its columns). Blocks of 8 lines × 8
/// pairs are converted line by line and transposed in registers.
static inline BF16_TARGET void pack_pairs_of_lines(uint32_t *packed, long width, const float *source, long stride,
                                                   long count, long depth) {
    long pairs = (depth + 1) / 2;
    long wholePairs = depth / 16 * 8;
    float converted[64];
    long x = 0;
    for (; x + 8 <= count; x += 8) {
        for (long p = 0; p < wholePairs; p += 8) {
            for (int line = 0; line < 8; line++) {
                __m256bh words = _mm512_cvtneps_pbh(_mm512_loadu_ps(source + (x + line) * stride + 2 * p));
                _mm256_storeu_si256((__m256i *)(converted + 8 * line), (__m256i)words);
            }
            runner_transpose8x8(converted, 8, (float *)(packed + p * width + x), width);
        }
        for (long p = wholePairs; p < pairs; p++) {
            for (long line = 0; line < 8; line++) {
                const float *element = source + (x + line) * stride + 2 * p;
                packed[p * width + x + line] = pair_of(element[0], 2 * p + 1 < depth ? element[1] : 0.0f);
            }
        }
    }
    for (long p = 0; p < pairs; p++) {
        uint32_t *row = packed + p * width;
        for (long line = x; line < count; line++) {
            const float *element = source + line * stride + 2 * p;
            row[line] = pair_of(element[0], 2 * p + 1 < depth ? element[1] : 0.0f);
        }
        for (long line = count; line < width; line++) row[line] = 0;
    }
}

/// A block of op(A) stored transposed (`[k, m]`: a weight gradient's `dYᵀ`) into micro-panels of 8
/// rows: `packed[(x / 8)·pairs·8 + p·8 + x % 8] = pair(source[2p·stride + x], source[(2p+1)·stride + x])`
/// for the `rows` (≤ `BLOCK_ROWS`) rows, zero-padded to a whole micro-panel. Each pair of lines is
/// read once across all rows (sixteen at a time), so every cache line of the source is used whole.
/// With `sums`, `sums[x] += Σ_p source[p·stride + x]` in float32 from the unrounded values (a linear
/// layer's bias gradient beside its weight gradient), summed over this block first and then added,
/// which keeps the rounding error of a sum over many blocks small.
static inline BF16_TARGET void pack_transposed_rows_bf16(uint32_t *packed, const float *source, long stride,
                                                         long rows, long depth, float *sums) {
    const __m512i interleave16 = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                  23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    long pairs = (depth + 1) / 2;
    long panelSize = pairs * TILE_ROWS;
    long padded = (rows + TILE_ROWS - 1) / TILE_ROWS * TILE_ROWS;
    float blockSums[BLOCK_ROWS];
    if (sums) memset(blockSums, 0, sizeof blockSums);
    for (long p = 0; p < pairs; p++) {
        const float *low = source + 2 * p * stride;
        const float *high = 2 * p + 1 < depth ? low + stride : NULL;
        long x = 0;
        for (; x + 16 <= rows; x += 16) {
            __m512 l = _mm512_loadu_ps(low + x);
            __m512 h = high ? _mm512_loadu_ps(high + x) : _mm512_setzero_ps();
            if (sums) _mm512_storeu_ps(blockSums + x, _mm512_add_ps(_mm512_loadu_ps(blockSums + x), _mm512_add_ps(l, h)));
            __m512i words = _mm512_permutexvar_epi16(interleave16, (__m512i)_mm512_cvtne2ps_pbh(h, l));
            uint32_t *target = packed + (x / TILE_ROWS) * panelSize + p * TILE_ROWS;
            _mm256_storeu_si256((__m256i *)target, _mm512_castsi512_si256(words));
            _mm256_storeu_si256((__m256i *)(target + panelSize), _mm512_extracti64x4_epi64(words, 1));
        }
        for (; x < padded; x++) {
            uint32_t *target = packed + (x / TILE_ROWS) * panelSize + p * TILE_ROWS + x % TILE_ROWS;
            if (x < rows) {
                float l = low[x], h = high ? high[x] : 0.0f;
                if (sums) blockSums[x] += l + h;
                *target = pair_of(l, h);
            } else {
                *target = 0;
            }
        }
    }
    if (sums)
        for (long x = 0; x < rows; x++) sums[x] += blockSums[x];
}

// MARK: packing, float32

/// `packed[p·width + x] = source[p·stride + x]` for `x < count`, zero for `count ≤ x < width`:
/// op(B) stored row-major.
static inline AVX512_TARGET void pack_lines(float *packed, long width, const float *source, long stride,
                                            long count, long depth) {
    for (long p = 0; p < depth; p++) {
        const float *line = source + p * stride;
        float *row = packed + p * width;
        long x = 0;
        for (; x + 16 <= count; x += 16) _mm512_storeu_ps(row + x, _mm512_loadu_ps(line + x));
        if (x < count) runner_copy_first16(row + x, line + x, (unsigned)(count - x));
        for (x = count; x < width; x++) row[x] = 0;
    }
}

/// `packed[p·width + x] = source[x·stride + p]` for `x < count`, zero for `count ≤ x < width`:
/// op(A) stored row-major and op(B) stored transposed, by 8 × 8 transposes in registers.
static inline AVX512_TARGET void pack_columns_of_lines(float *packed, long width, const float *source, long stride,
                                                       long count, long depth) {
    long wholeDepth = depth / 8 * 8;
    long x = 0;
    for (; x + 8 <= count; x += 8) {
        for (long p = 0; p < wholeDepth; p += 8)
            runner_transpose8x8(source + x * stride + p, stride, packed + p * width + x, width);
        for (long p = wholeDepth; p < depth; p++)
            for (long line = 0; line < 8; line++) packed[p * width + x + line] = source[(x + line) * stride + p];
    }
    for (long p = 0; p < depth; p++) {
        float *row = packed + p * width;
        for (long line = x; line < count; line++) row[line] = source[line * stride + p];
        for (long line = count; line < width; line++) row[line] = 0;
    }
}

/// A block of op(A) stored transposed into micro-panels of 8 rows:
/// `packed[(x / 8)·depth·8 + p·8 + x % 8] = source[p·stride + x]`, as `pack_transposed_rows_bf16`
/// (lines read whole, sixteen rows at a time; the depth sums likewise).
static inline AVX512_TARGET void pack_transposed_rows_f32(float *packed, const float *source, long stride,
                                                          long rows, long depth, float *sums) {
    long panelSize = depth * TILE_ROWS;
    long padded = (rows + TILE_ROWS - 1) / TILE_ROWS * TILE_ROWS;
    float blockSums[BLOCK_ROWS];
    if (sums) memset(blockSums, 0, sizeof blockSums);
    for (long p = 0; p < depth; p++) {
        const float *line = source + p * stride;
        long x = 0;
        for (; x + 16 <= rows; x += 16) {
            __m512 v = _mm512_loadu_ps(line + x);
            if (sums) _mm512_storeu_ps(blockSums + x, _mm512_add_ps(_mm512_loadu_ps(blockSums + x), v));
            float *target = packed + (x / TILE_ROWS) * panelSize + p * TILE_ROWS;
            _mm256_storeu_ps(target, _mm512_castps512_ps256(v));
            _mm256_storeu_ps(target + panelSize, _mm512_extractf32x8_ps(v, 1));
        }
        for (; x < padded; x++) {
            float value = x < rows ? line[x] : 0.0f;
            if (sums && x < rows) blockSums[x] += value;
            packed[(x / TILE_ROWS) * panelSize + p * TILE_ROWS + x % TILE_ROWS] = value;
        }
    }
    if (sums)
        for (long x = 0; x < rows; x++) sums[x] += blockSums[x];
}

// MARK: tiles

/// Asks for the lines of an 8 × 32 tile of C (and of its pre-activations) that the tile's stores
/// will read or write, one tile ahead of its product, so that they arrive from memory while the
/// product before it runs (C of a wide MLP product, and its pre-activations, do not fit in cache).
static inline void prefetch_tile(float *c, long ldc, long rows, float *pre, int activation) {
    for (long r = 0; r < rows; r++) {
        runner_prefetch_write(c + r * ldc);
        runner_prefetch_write(c + r * ldc + 16);
        if (pre && activation == RUNNER_GEMM_GELU_DERIVATIVE) {
            runner_prefetch(pre + r * ldc);
            runner_prefetch(pre + r * ldc + 16);
        } else if (pre) {
            runner_prefetch_write(pre + r * ldc);
            runner_prefetch_write(pre + r * ldc + 16);
        }
    }
}

/// Stores a tile's accumulators: `C[i, j] = act(alpha · acc[i, j] + bias[j] + beta · C[i, j])` for
/// `i < rows`, `j < columns`; `bias` may be NULL, `pre` addresses the tile's first pre-activation
/// (row stride `ldc`).
static inline AVX512_TARGET void store_tile(const __m512 *acc, float *c, long ldc, long rows, long columns,
                                            float alpha, float beta, const float *bias, int activation, float *pre) {
    __mmask16 low = columns >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << columns) - 1u);
    __mmask16 high = columns >= 32 ? (__mmask16)0xFFFF
                   : columns > 16 ? (__mmask16)((1u << (columns - 16)) - 1u) : (__mmask16)0;
    const __m512 scale = _mm512_set1_ps(alpha), keep = _mm512_set1_ps(beta);
#pragma clang loop unroll(full)
    for (int r = 0; r < TILE_ROWS; r++) {
        if (r >= rows) break;
        float *row = c + r * ldc;
        __m512 v0 = _mm512_mul_ps(acc[2 * r], scale), v1 = _mm512_mul_ps(acc[2 * r + 1], scale);
        if (bias) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(low, bias));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(high, bias + 16));
        }
        if (beta != 0) {
            v0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(low, row), keep, v0);
            v1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(high, row + 16), keep, v1);
        }
        if (activation == RUNNER_GEMM_GELU) {
            if (pre) {
                _mm512_mask_storeu_ps(pre + r * ldc, low, v0);
                _mm512_mask_storeu_ps(pre + r * ldc + 16, high, v1);
            }
            v0 = (__m512)runner_gelu16((runner_float16)v0);
            v1 = (__m512)runner_gelu16((runner_float16)v1);
        } else if (activation == RUNNER_GEMM_GELU_DERIVATIVE) {
            v0 = _mm512_mul_ps(v0, (__m512)runner_gelu_derivative16((runner_float16)_mm512_maskz_loadu_ps(low, pre + r * ldc)));
            v1 = _mm512_mul_ps(v1, (__m512)runner_gelu_derivative16((runner_float16)_mm512_maskz_loadu_ps(high, pre + r * ldc + 16)));
        }
        _mm512_mask_storeu_ps(row, low, v0);
        _mm512_mask_storeu_ps(row + 16, high, v1);
    }
}

/// One 8 × 32 tile over `rows` packed bfloat16 pair rows (`a` `[rows][8]`, `b` `[rows][32]` words).
static inline BF16_TARGET void tile_bf16(long depthRows, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                                         long rows, long columns, float alpha, float beta,
                                         const float *bias, int activation, float *pre) {
    __m512 acc[2 * TILE_ROWS];
#pragma clang loop unroll(full)
    for (int r = 0; r < 2 * TILE_ROWS; r++) acc[r] = _mm512_setzero_ps();
    for (long p = 0; p < depthRows; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(b), b1 = (__m512bh)_mm512_loadu_si512(b + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < TILE_ROWS; r++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)a[r]);
            acc[2 * r] = _mm512_dpbf16_ps(acc[2 * r], x, b0);
            acc[2 * r + 1] = _mm512_dpbf16_ps(acc[2 * r + 1], x, b1);
        }
        a += TILE_ROWS;
        b += TILE_COLUMNS;
    }
    store_tile(acc, c, ldc, rows, columns, alpha, beta, bias, activation, pre);
}

/// One 8 × 32 tile over `rows` packed float32 rows (`a` `[rows][8]`, `b` `[rows][32]`).
static inline AVX512_TARGET void tile_f32(long depthRows, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                                          long rows, long columns, float alpha, float beta,
                                          const float *bias, int activation, float *pre) {
    const float *af = (const float *)a, *bf = (const float *)b;
    __m512 acc[2 * TILE_ROWS];
#pragma clang loop unroll(full)
    for (int r = 0; r < 2 * TILE_ROWS; r++) acc[r] = _mm512_setzero_ps();
    for (long p = 0; p < depthRows; p++) {
        __m512 b0 = _mm512_loadu_ps(bf), b1 = _mm512_loadu_ps(bf + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < TILE_ROWS; r++) {
            __m512 x = _mm512_set1_ps(af[r]);
            acc[2 * r] = _mm512_fmadd_ps(x, b0, acc[2 * r]);
            acc[2 * r + 1] = _mm512_fmadd_ps(x, b1, acc[2 * r + 1]);
        }
        af += TILE_ROWS;
        bf += TILE_COLUMNS;
    }
    store_tile(acc, c, ldc, rows, columns, alpha, beta, bias, activation, pre);
}

// MARK: the blocked product

/// Packs the op(B) panel of columns `column ..< column + columns`, depths `pc ..< pc + kc`.
static inline __attribute__((always_inline)) void pack_b(int bfloat16, uint32_t *panel, int transpose_b, const float *b, long ldb,
                                      long column, long columns, long pc, long kc) {
    if (bfloat16) {
        if (transpose_b) pack_pairs_of_lines(panel, TILE_COLUMNS, b + column * ldb + pc, ldb, columns, kc);
        else pack_line_pairs(panel, TILE_COLUMNS, b + pc * ldb + column, ldb, columns, kc);
    } else {
        if (transpose_b) pack_columns_of_lines((float *)panel, TILE_COLUMNS, b + column * ldb + pc, ldb, columns, kc);
        else pack_lines((float *)panel, TILE_COLUMNS, b + pc * ldb + column, ldb, columns, kc);
    }
}

/// Packs rows `ic ..< ic + mc` of op(A), depths `pc ..< pc + kc`, into micro-panels of 8 rows.
static inline __attribute__((always_inline)) void pack_a(int bfloat16, uint32_t *packed, int transpose_a, const float *a, long lda,
                                      long ic, long mc, long pc, long kc, long depthRows, float *sums) {
    if (transpose_a) {
        if (bfloat16) pack_transposed_rows_bf16(packed, a + pc * lda + ic, lda, mc, kc, sums);
        else pack_transposed_rows_f32((float *)packed, a + pc * lda + ic, lda, mc, kc, sums);
        return;
    }
    for (long r = 0; r * TILE_ROWS < mc; r++) {
        long row = ic + r * TILE_ROWS;
        long rows = mc - r * TILE_ROWS < TILE_ROWS ? mc - r * TILE_ROWS : TILE_ROWS;
        uint32_t *micro = packed + r * depthRows * TILE_ROWS;
        if (bfloat16) pack_pairs_of_lines(micro, TILE_ROWS, a + row * lda + pc, lda, rows, kc);
        else pack_columns_of_lines((float *)micro, TILE_ROWS, a + row * lda + pc, lda, rows, kc);
    }
}

/// The blocked product of `runner_bfloat16_gemm` (`bfloat16` nonzero) or `runner_float32_gemm`,
/// inlined into each with `bfloat16` constant, so that each keeps only its own kernels (and the
/// float32 one none of the bfloat16 instructions).
static inline __attribute__((always_inline))
void packed_gemm(int bfloat16, int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                 const float *a, long lda, const float *b, long ldb, float beta, float *c, long ldc,
                 float *depth_sums_of_a, const float *row_bias, int activation, float *pre_activation) {
    if (depth_sums_of_a) {
        for (long i = 0; i < m; i++) depth_sums_of_a[i] = 0;
        if (n <= 0) {
            for (long p = 0; p < k; p++)
                for (long i = 0; i < m; i++) depth_sums_of_a[i] += a[p * lda + i];
        }
    }
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (row_bias || activation != RUNNER_GEMM_IDENTITY) __builtin_trap();
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0.0f : beta * c[i * ldc + j];
        return;
    }
    static __thread float *scratch;
    if (!scratch) {
        void *allocated = NULL;
        if (posix_memalign(&allocated, 64, (size_t)scratch_count() * sizeof(float)) != 0) __builtin_trap();
        scratch = allocated;
    }
    // Depths per packed row: two bfloat16s share a word.
    long depthsPerRow = bfloat16 ? 2 : 1;
    long blockDepth = (k >= LONG_DEPTH ? LONG_BLOCK_DEPTH_ROWS : BLOCK_DEPTH_ROWS) * depthsPerRow;
    long blockColumns = k >= LONG_DEPTH ? LONG_BLOCK_COLUMNS : BLOCK_COLUMNS;
    uint32_t *packedB = (uint32_t *)scratch;
    uint32_t *packedA = packedB + (scratch_count() - (long)LONG_BLOCK_DEPTH_ROWS * BLOCK_ROWS);
    for (long jc = 0; jc < n; jc += blockColumns) {
        long nc = n - jc < blockColumns ? n - jc : blockColumns;
        long panels = (nc + TILE_COLUMNS - 1) / TILE_COLUMNS;
        for (long pc = 0; pc < k; pc += blockDepth) {
            long kc = k - pc < blockDepth ? k - pc : blockDepth;
            long depthRows = (kc + depthsPerRow - 1) / depthsPerRow;
            float blockBeta = pc == 0 ? beta : 1.0f;
            const float *bias = pc == 0 ? row_bias : NULL;
            int blockActivation = pc + kc == k ? activation : RUNNER_GEMM_IDENTITY;
            for (long q = 0; q < panels; q++) {
                long column = jc + q * TILE_COLUMNS;
                pack_b(bfloat16, packedB + q * depthRows * TILE_COLUMNS, transpose_b, b, ldb, column,
                       n - column < TILE_COLUMNS ? n - column : TILE_COLUMNS, pc, kc);
            }
            for (long ic = 0; ic < m; ic += BLOCK_ROWS) {
                long mc = m - ic < BLOCK_ROWS ? m - ic : BLOCK_ROWS;
                long microPanels = (mc + TILE_ROWS - 1) / TILE_ROWS;
                pack_a(bfloat16, packedA, transpose_a, a, lda, ic, mc, pc, kc, depthRows,
                       jc == 0 && depth_sums_of_a ? depth_sums_of_a + ic : NULL);
                for (long q = 0; q < panels; q++) {
                    long column = jc + q * TILE_COLUMNS;
                    long columns = n - column < TILE_COLUMNS ? n - column : TILE_COLUMNS;
                    const uint32_t *panel = packedB + q * depthRows * TILE_COLUMNS;
                    for (long r = 0; r < microPanels; r++) {
                        long row = ic + r * TILE_ROWS;
                        long rows = m - row < TILE_ROWS ? m - row : TILE_ROWS;
                        long nextRow = r + 1 < microPanels ? row + TILE_ROWS : ic;
                        long nextColumn = r + 1 < microPanels ? column : column + TILE_COLUMNS;
                        if (nextColumn < jc + nc) {
                            prefetch_tile(c + nextRow * ldc + nextColumn, ldc, m - nextRow < TILE_ROWS ? m - nextRow : TILE_ROWS,
                                          pre_activation && blockActivation != RUNNER_GEMM_IDENTITY
                                              ? pre_activation + nextRow * ldc + nextColumn : NULL,
                                          blockActivation);
                        }
                        const uint32_t *micro = packedA + r * depthRows * TILE_ROWS;
                        float *cTile = c + row * ldc + column;
                        float *preTile = pre_activation ? pre_activation + row * ldc + column : NULL;
                        const float *biasTile = bias ? bias + column : NULL;
                        if (bfloat16)
                            tile_bf16(depthRows, micro, panel, cTile, ldc, rows, columns, alpha, blockBeta, biasTile,
                                      blockActivation, preTile);
                        else
                            tile_f32(depthRows, micro, panel, cTile, ldc, rows, columns, alpha, blockBeta, biasTile,
                                     blockActivation, preTile);
                    }
                }
            }
        }
    }
}

BF16_TARGET
void runner_bfloat16_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                          const float *a, long lda, const float *b, long ldb, float beta,
                          float *c, long ldc, float *depth_sums_of_a,
                          const float *row_bias, int activation, float *pre_activation) {
    packed_gemm(1, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                depth_sums_of_a, row_bias, activation, pre_activation);
}

AVX512_TARGET
void runner_float32_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                         const float *a, long lda, const float *b, long ldb, float beta,
                         float *c, long ldc, float *depth_sums_of_a,
                         const float *row_bias, int activation, float *pre_activation) {
    packed_gemm(0, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                depth_sums_of_a, row_bias, activation, pre_activation);
}

BF16_TARGET
static void round_vector(float *values, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m256i words = (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(values + i));
        _mm512_storeu_si512(values + i, _mm512_slli_epi32(_mm512_cvtepu16_epi32(words), 16));
    }
    for (; i < count; i++) values[i] = runner_float_from_bfloat16(runner_bfloat16_from_float(values[i]));
}

void runner_round_to_bfloat16(float *values, long count, int vector) {
    if (vector) {
        round_vector(values, count);
        return;
    }
    for (long i = 0; i < count; i++) values[i] = runner_float_from_bfloat16(runner_bfloat16_from_float(values[i]));
}
#else
static void unavailable(void) { __builtin_trap(); }

void runner_bfloat16_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                          const float *a, long lda, const float *b, long ldb, float beta,
                          float *c, long ldc, float *depth_sums_of_a,
                          const float *row_bias, int activation, float *pre_activation) {
    unavailable();
}

void runner_float32_gemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha,
                         const float *a, long lda, const float *b, long ldb, float beta,
                         float *c, long ldc, float *depth_sums_of_a,
                         const float *row_bias, int activation, float *pre_activation) {
    unavailable();
}

void runner_round_to_bfloat16(float *values, long count, int vector) {
    (void)vector;
    for (long i = 0; i < count; i++) values[i] = runner_float_from_bfloat16(runner_bfloat16_from_float(values[i]));
}
#endif
