import Foundation
import TensorEngine

/// The kernel benchmark behind `runner bench`: GEMM rates for the shapes SwinV2-tiny runs at batch 8
/// and 256 px, beside this machine's large-square GEMM rate, and bandwidth of the memory-bound
/// kernels beside a plain copy — all measured in the same run, at one thread and at the full pool.
struct KernelBenchmark {
    /// One GEMM shape: `batch` products `op(A) [m, k] · op(B) [k, n]`.
    struct GemmShape: Sendable {
        let name: String
        let m: Int, n: Int, k: Int
        var batch = 1
        var transposeA = false
        var transposeB = false
        /// Instead of a GEMM, fused window attention of `batch` windows × heads with `m` tokens and
        /// head dimension `k` (``Tensor/groupedAttention``): its two forward products, or with
        /// `training` also the four of the backward pass, counted as FLOPs.
        var fusedAttention: (heads: Int, training: Bool)? = nil
        /// With GELU in the product's stores (`.gelu`, keeping the pre-activation as training
        /// does) or GELU's derivative (`.geluDerivative`, the MLP's backward), as the fused
        /// feed-forward block runs them.
        var activation: ActivationKind? = nil
        var flops: Double {
            let products: Double = fusedAttention.map { $0.training ? 6 : 2 } ?? 1
            return products * 2 * Double(batch) * Double(m) * Double(n) * Double(k)
        }
        var label: String {
            (batch > 1 ? "\(batch)×" : "") + "\(m)×\(k)·\(k)×\(n)"
        }
    }

    /// SwinV2-T at batch 8, 256 px, window 8: forward GEMMs of the first two stages, the backward
    /// GEMMs of the first stage's qkv projection, and the window-attention products.
    static let swinShapes: [GemmShape] = [
        GemmShape(name: "stage1 qkv", m: 32768, n: 288, k: 96),
        GemmShape(name: "stage1 mlp fc1", m: 32768, n: 384, k: 96),
        GemmShape(name: "stage1 mlp fc1 + GELU", m: 32768, n: 384, k: 96, activation: .gelu),
        GemmShape(name: "stage1 mlp fc2", m: 32768, n: 96, k: 384),
        GemmShape(name: "stage1 mlp fc2 dX", m: 32768, n: 384, k: 96),
        GemmShape(name: "stage1 mlp fc2 dX ⊙ GELU′", m: 32768, n: 384, k: 96, activation: .geluDerivative),
        GemmShape(name: "stage1 qkv dX", m: 32768, n: 96, k: 288),
        GemmShape(name: "stage1 qkv dW", m: 288, n: 96, k: 32768, transposeA: true),
        GemmShape(name: "stage1 fc2 dW", m: 96, n: 384, k: 32768, transposeA: true),
        GemmShape(name: "stage2 qkv", m: 8192, n: 576, k: 192),
        GemmShape(name: "stage2 qkv dW", m: 576, n: 192, k: 8192, transposeA: true),
        GemmShape(name: "stage2 mlp fc1", m: 8192, n: 768, k: 192),
        GemmShape(name: "stage2 mlp fc1 + GELU", m: 8192, n: 768, k: 192, transposeB: true, activation: .gelu),
        GemmShape(name: "stage2 mlp fc2", m: 8192, n: 192, k: 768),
        GemmShape(name: "stage2 mlp fc2 dX ⊙ GELU′", m: 8192, n: 768, k: 192, activation: .geluDerivative),
        GemmShape(name: "stage3 mlp fc1", m: 2048, n: 1536, k: 384),
        GemmShape(name: "stage3 mlp fc1 + GELU", m: 2048, n: 1536, k: 384, transposeB: true, activation: .gelu),
        GemmShape(name: "stage3 mlp fc2 dX ⊙ GELU′", m: 2048, n: 1536, k: 384, activation: .geluDerivative),
        GemmShape(name: "stage3 fc1 dW", m: 1536, n: 384, k: 2048, transposeA: true),
        GemmShape(name: "stage3 mlp fc2", m: 2048, n: 384, k: 1536, transposeB: true),
        GemmShape(name: "stage4 mlp fc1 + GELU", m: 512, n: 3072, k: 768, transposeB: true, activation: .gelu),
        GemmShape(name: "stage4 mlp fc2", m: 512, n: 768, k: 3072, transposeB: true),
        GemmShape(name: "stage4 mlp fc2 dX", m: 512, n: 3072, k: 768),
        GemmShape(name: "window attn q·kᵀ", m: 64, n: 64, k: 32, batch: 8 * 64 * 3, transposeB: true),
        GemmShape(name: "window attn p·v", m: 64, n: 32, k: 64, batch: 8 * 64 * 3),
        // A result 64 wide takes the long-depth kernel's four-vector tile (Twins-S stage 1, batch 8).
        GemmShape(name: "Twins stage1 fc1 dW", m: 256, n: 64, k: 25088, transposeA: true),
        GemmShape(name: "Fashion-MNIST stage1 qkv", m: 8192, n: 192, k: 64, transposeB: true),
        GemmShape(name: "Fashion-MNIST stage1 fc1 + GELU", m: 8192, n: 256, k: 64, transposeB: true, activation: .gelu),
        GemmShape(name: "Fashion-MNIST stage1 fc2 dX ⊙ GELU′", m: 8192, n: 256, k: 64, activation: .geluDerivative),
        GemmShape(name: "Fashion-MNIST stage1 fc1 dW", m: 256, n: 64, k: 8192, transposeA: true),
        GemmShape(name: "Fashion-MNIST stage1 fc2 dW", m: 64, n: 256, k: 8192, transposeA: true),
        GemmShape(name: "Fashion-MNIST stage1 proj dW", m: 64, n: 64, k: 8192, transposeA: true),
        GemmShape(name: "fused window attn", m: 64, n: 64, k: 32, batch: 8 * 64 * 3, fusedAttention: (3, false)),
        GemmShape(name: "fused window attn fwd+bwd", m: 64, n: 64, k: 32, batch: 8 * 64 * 3, fusedAttention: (3, true)),
        GemmShape(name: "Twins fused window attn", m: 49, n: 49, k: 32, batch: 8 * 64 * 2, fusedAttention: (2, false)),
        GemmShape(name: "Twins fused window attn fwd+bwd", m: 49, n: 49, k: 32, batch: 8 * 64 * 2, fusedAttention: (2, true)),
    ]

    enum ActivationKind: Sendable { case gelu, geluDerivative }

    static let square = GemmShape(name: "square", m: 2048, n: 2048, k: 2048)

    /// A memory-bound kernel that moves `bytes` per run.
    struct StreamKernel {
        let name: String
        let bytes: Double
        /// Makes the kernel's operands and returns one run over them; called only when the kernel
        /// is measured, so those `--only` leaves out allocate nothing.
        let setUp: () -> () -> Void
    }

    let stopwatch: Stopwatch
    let threadCounts: [Int]
    /// Whether GEMM operands are evicted from the caches before every timed run, as they mostly
    /// are inside a model (each layer's activations were written long before its backward reads them).
    var cold = false

    struct GemmResult: Codable {
        let name: String
        let shape: String
        /// GFLOP/s by thread count.
        var gflops: [Int: Double]
    }

    struct StreamResult: Codable {
        let name: String
        /// GB/s by thread count.
        var gigabytesPerSecond: [Int: Double]
    }

    /// Measures one GEMM shape at the pool's current thread count; returns GFLOP/s.
    func measure(_ shape: GemmShape) -> Double {
        if let attention = shape.fusedAttention { return measureAttention(shape, heads: attention.heads, training: attention.training) }
        let aCount = shape.batch * shape.m * shape.k
        let bCount = shape.batch * shape.k * shape.n
        let a = Tensor.full([aCount], 0.5), b = Tensor.full([bCount], 0.25)
        let c = Tensor.zeros([shape.batch * shape.m * shape.n])
        let lda = shape.transposeA ? shape.m : shape.k
        let ldb = shape.transposeB ? shape.k : shape.n
        // The activation's other operand: where `.gelu` keeps z, or the z `.geluDerivative` reads.
        let preActivation = shape.activation.map { _ in Tensor.full([shape.m * shape.n], 0.3) }
        let activation: Gemm.Activation = switch shape.activation {
        case nil: .identity
        case .gelu: .gelu(preActivation: preActivation!.data)
        case .geluDerivative: .geluDerivative(preActivation: preActivation!.data)
        }
        // A weight gradient (op(A) = dYᵀ) comes with its bias gradient, as in the layers.
        let depthSums = shape.transposeA ? Tensor.zeros([shape.m]) : nil
        let seconds = stopwatch.best(prepare: eviction) {
            if shape.batch == 1 {
                Gemm.multiply(transposeA: shape.transposeA, transposeB: shape.transposeB,
                              m: shape.m, n: shape.n, k: shape.k,
                              a: a.data, lda: lda, b: b.data, ldb: ldb, c: c.data, ldc: shape.n, activation: activation,
                              depthSumsOfA: depthSums?.data)
            } else {
                Gemm.batched(batch: shape.batch, transposeA: shape.transposeA, transposeB: shape.transposeB,
                             m: shape.m, n: shape.n, k: shape.k,
                             a: a.data, lda: lda, strideA: shape.m * shape.k,
                             b: b.data, ldb: ldb, strideB: shape.k * shape.n,
                             c: c.data, ldc: shape.n, strideC: shape.m * shape.n)
            }
        }
        return shape.flops / seconds / 1e9
    }

    /// Fused attention of `shape.batch / heads` windows of `shape.m` tokens (rows of one qkv
    /// projection, heads of `shape.k`); returns GFLOP/s of its products.
    private func measureAttention(_ shape: GemmShape, heads: Int, training: Bool) -> Double {
        let windows = shape.batch / heads, width = heads * shape.k
        var generator = RandomGenerator(seed: 4)
        let qkv = Tensor.normal([windows * shape.m, 3 * width], using: &generator)
        if training { qkv.requiringGrad() }
        let upstream = Tensor.full([windows * shape.m, width], 0.01)
        let groups = TokenGroups.consecutive(groups: windows, tokens: shape.m)
        let seconds = stopwatch.best(prepare: eviction) {
            let out = Tensor.groupedAttention(query: .init(qkv), key: .init(qkv, column: width), value: .init(qkv, column: 2 * width),
                                              heads: heads, headDimension: shape.k, queryGroups: groups, keyGroups: groups,
                                              scale: 1 / Float(shape.k).squareRoot())
            if training {
                out.backward(gradient: upstream)
                qkv.zeroGrad()
            }
        }
        return shape.flops / seconds / 1e9
    }

    /// What runs before every timed run of a product: evicting the caches when `cold`.
    var eviction: (() -> Void)? { cold ? { Self.evictCaches() } : nil }

    /// Buffer written between cold runs: larger than this machine's last-level cache (260 MiB).
    private static let evictionBuffer = Tensor.zeros([128 << 20])

    /// Pushes every earlier operand out of the caches by writing 512 MiB.
    static func evictCaches() {
        let buffer = evictionBuffer.data, count = evictionBuffer.count
        parallelFor(count, grain: 1 << 20) { range in
            (buffer + range.lowerBound).update(repeating: 1, count: range.count)
        }
    }

    /// Measures one memory-bound kernel at the pool's current thread count; returns GB/s.
    func measure(_ kernel: StreamKernel) -> Double {
        kernel.bytes / stopwatch.best(kernel.setUp()) / 1e9
    }

    /// Runs `body` once per thread count with the pool limited to it.
    func acrossThreads<T>(_ body: () -> T) -> [Int: T] {
        var results: [Int: T] = [:]
        for threads in threadCounts {
            ThreadPool.shared.setActiveThreads(threads)
            results[threads] = body()
        }
        ThreadPool.shared.setActiveThreads(ThreadPool.shared.threadCount)
        return results
    }
}
