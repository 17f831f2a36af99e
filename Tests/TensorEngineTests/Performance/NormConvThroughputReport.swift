import Foundation
import Testing
@testable import TensorEngine

/// Throughput of layer norm (GB/s beside a plain copy of 8M floats), of convolutions (GFLOP/s)
/// and of the depthwise 3×3 kernel (GB/s), best of several runs, printed — no timed assertions.
/// Off by default; run with
///
///     RUNNER_NORM_CONV_REPORT=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter NormConvThroughputReport
///
/// Bytes count what a kernel must move at the least: every input read once, every output written once.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["RUNNER_NORM_CONV_REPORT"] != nil))
struct NormConvThroughputReport {
    static let elements = 8 << 20

    /// The best time in seconds of `runs` runs of `body` (after one warm-up).
    static func bestSeconds(runs: Int = 12, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<runs {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return best
    }

    static func line(_ name: String, _ value: Double, _ unit: String, _ note: String = "") -> String {
        String(format: "%-44@ %8.1f %@ %@", name as NSString, value, unit as NSString, note as NSString)
    }

    @Test func report() {
        let n = Self.elements
        let floatBytes = Double(MemoryLayout<Float>.size)
        var generator = RandomGenerator(seed: 1)
        let source = Tensor.normal([n], using: &generator)
        let upstream = Tensor.normal([n], using: &generator)
        let destination = Tensor.zeros([n])
        for threads in Set([1, ThreadPool.shared.threadCount]).sorted() {
            ThreadPool.shared.setActiveThreads(threads)
            var lines = ["— \(threads) thread(s) —"]
            let s = source.data, d = destination.data
            let copy = 2 * Double(n) * floatBytes / 1e9 / Self.bestSeconds {
                parallelFor(n, grain: 1 << 16) { range in
                    (d + range.lowerBound).update(from: s + range.lowerBound, count: range.count)
                }
            }
            lines.append(Self.line("copy 8M floats", copy, "GB/s", "100%"))
            for c in [96, 192, 384, 768] {
                let rows = n / c
                let x = Tensor(shape: [rows, c], storage: source.storage)
                let g = Tensor(shape: [rows, c], storage: upstream.storage)
                var weightGenerator = RandomGenerator(seed: 2)
                let w = Tensor.normal([c], using: &weightGenerator), b = Tensor.normal([c], using: &weightGenerator)
                let output = Tensor(uninitializedShape: [rows, c])
                let statistics = Tensor(uninitializedShape: [2, rows])
                let gradInput = Tensor(uninitializedShape: [rows, c])
                let gw = Tensor(uninitializedShape: [c]), gb = Tensor(uninitializedShape: [c])
                let bytes = Double(rows * c) * floatBytes / 1e9
                let forward = 2 * bytes / Self.bestSeconds {
                    LayerNormKernel.forward(input: x.data, output: output.data, rows: rows, channels: c, weight: w.data,
                                            bias: b.data, epsilon: 1e-5, statistics: statistics.data)
                }
                let backward = 3 * bytes / Self.bestSeconds {
                    LayerNormKernel.backward(input: x.data, gradient: g.data, rows: rows, channels: c, weight: w.data,
                                             statistics: statistics.data, gradInput: gradInput.data,
                                             gradWeight: gw.data, gradBias: gb.data)
                }
                let viaTensor = 2 * bytes / Self.bestSeconds {
                    _ = Tape.withoutRecording { x.layerNorm(weight: w, bias: b) }
                }
                lines.append(Self.line("layerNorm forward C=\(c) (kernel)", forward, "GB/s", String(format: "%3.0f%% of copy", 100 * forward / copy)))
                lines.append(Self.line("layerNorm forward C=\(c) (op, allocating)", viaTensor, "GB/s", String(format: "%3.0f%% of copy", 100 * viaTensor / copy)))
                lines.append(Self.line("layerNorm backward C=\(c) (x, g → dx, dw, db)", backward, "GB/s", String(format: "%3.0f%% of copy", 100 * backward / copy)))
            }

            func convolution(_ name: String, input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int),
                             groups: Int, algorithm: Conv2dAlgorithm, bandwidth: Bool = false) {
                var data = RandomGenerator(seed: 3)
                let x = Tensor.normal(input, using: &data), w = Tensor.normal(weight, using: &data)
                let b = Tensor.normal([weight[0]], using: &data)
                let y = Tape.withoutRecording {
                    x.conv2d(weight: w, bias: b, stride: stride, padding: padding, dilation: (1, 1), groups: groups, algorithm: algorithm)
                }
                let flops = 2 * Double(y.count) * Double(weight[1] * weight[2] * weight[3])
                let forward = Self.bestSeconds(runs: 5) {
                    _ = Tape.withoutRecording {
                        x.conv2d(weight: w, bias: b, stride: stride, padding: padding, dilation: (1, 1), groups: groups,
                                 algorithm: algorithm)
                    }
                }
                let g = Tensor.normal(y.shape, using: &data)
                let xg = x.copy().requiringGrad(), wg = w.copy().requiringGrad(), bg = b.copy().requiringGrad()
                let backward = Self.bestSeconds(runs: 5) {
                    xg.zeroGrad(); wg.zeroGrad(); bg.zeroGrad()
                    let out = xg.conv2d(weight: wg, bias: bg, stride: stride, padding: padding, dilation: (1, 1),
                                        groups: groups, algorithm: algorithm)
                    out.backward(gradient: g)
                }
                // Forward + backward ≈ 3× the forward FLOPs (dx and dW each cost one forward).
                let backwardOnly = max(backward - forward, 1e-9)
                lines.append(Self.line("\(name) forward", flops / forward / 1e9, "GFLOP/s",
                                       String(format: "%.2f ms", forward * 1e3)))
                lines.append(Self.line("\(name) backward (dx, dW, db)", 2 * flops / backwardOnly / 1e9, "GFLOP/s",
                                       String(format: "%.2f ms", backwardOnly * 1e3)))
                if bandwidth {
                    let bytes = Double(x.count + y.count) * floatBytes
                    lines.append(Self.line("\(name) forward", bytes / forward / 1e9, "GB/s",
                                           String(format: "%3.0f%% of copy", 100 * bytes / forward / 1e9 / copy)))
                    let backwardBytes = Double(2 * x.count + y.count) * floatBytes
                    lines.append(Self.line("\(name) backward", backwardBytes / backwardOnly / 1e9, "GB/s",
                                           String(format: "%3.0f%% of copy", 100 * backwardBytes / backwardOnly / 1e9 / copy)))
                }
            }
            do {
                // The same work as one plain GEMM, the rate the im2col path can hope for.
                var data = RandomGenerator(seed: 4)
                let a = Tensor.normal([64, 576], using: &data), b = Tensor.normal([576, 8 * 3136], using: &data)
                let c = Tensor(uninitializedShape: [64, 8 * 3136])
                let seconds = Self.bestSeconds(runs: 5) {
                    Gemm.multiply(transposeA: false, transposeB: false, m: 64, n: 8 * 3136, k: 576, a: a.data, lda: 576,
                                  b: b.data, ldb: 8 * 3136, c: c.data, ldc: 8 * 3136)
                }
                lines.append(Self.line("plain GEMM 64×576 · 576×25088 (yardstick)", 2 * 64 * 576 * 25088 / seconds / 1e9, "GFLOP/s"))
            }
            convolution("conv 3×3 64→64 56×56 N=8", input: [8, 64, 56, 56], weight: [64, 64, 3, 3], stride: (1, 1),
                        padding: (1, 1), groups: 1, algorithm: .general)
            convolution("patchify 3→96 256² k=s=4 N=8", input: [8, 3, 256, 256], weight: [96, 3, 4, 4], stride: (4, 4),
                        padding: (0, 0), groups: 1, algorithm: .patchify)
            convolution("  same via im2col", input: [8, 3, 256, 256], weight: [96, 3, 4, 4], stride: (4, 4),
                        padding: (0, 0), groups: 1, algorithm: .general)
            convolution("depthwise 3×3 s1 96ch 56×56 N=8", input: [8, 96, 56, 56], weight: [96, 1, 3, 3], stride: (1, 1),
                        padding: (1, 1), groups: 96, algorithm: .depthwise3x3, bandwidth: true)
            convolution("depthwise 3×3 s2 96ch 56×56 N=8", input: [8, 96, 56, 56], weight: [96, 1, 3, 3], stride: (2, 2),
                        padding: (1, 1), groups: 96, algorithm: .depthwise3x3, bandwidth: true)
            convolution("  depthwise s1 via im2col", input: [8, 96, 56, 56], weight: [96, 1, 3, 3], stride: (1, 1),
                        padding: (1, 1), groups: 96, algorithm: .general, bandwidth: true)
            print(lines.joined(separator: "\n"))
        }
        ThreadPool.shared.setActiveThreads(ThreadPool.shared.threadCount)
    }
}
