import Foundation
import Testing
@testable import TensorEngine

/// Bandwidth of the memory-bound activation kernels over 8M floats beside a plain copy, best of
/// several runs, printed (no timed assertions). Off by default; run with
///
///     RUNNER_STREAM_REPORT=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter StreamBandwidthReport
///
/// Bytes are what a kernel must move at the least: every input read once, every output written once.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["RUNNER_STREAM_REPORT"] != nil))
struct StreamBandwidthReport {
    static let elements = 8 << 20

    /// The best GB/s of `runs` runs of `body`, which moves `bytes`.
    static func bestRate(bytes: Double, runs: Int = 15, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<runs {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return bytes / best / 1e9
    }

    @Test func report() {
        let n = Self.elements
        let floatBytes = Double(MemoryLayout<Float>.size)
        var generator = RandomGenerator(seed: 1)
        let x = Tensor.normal([n], using: &generator)
        let g = Tensor.normal([n], using: &generator)
        let destination = Tensor.zeros([n])
        let source = x.data, target = destination.data
        let twoStreams = 2 * Double(n) * floatBytes, threeStreams = 3 * Double(n) * floatBytes

        for threads in Set([1, ThreadPool.shared.threadCount]).sorted() {
            ThreadPool.shared.setActiveThreads(threads)
            let copy = Self.bestRate(bytes: twoStreams) {
                parallelFor(n, grain: 1 << 16) { range in
                    (target + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
                }
            }
            var lines = [String(format: "%-26@ %6.1f GB/s  100%%", "copy" as NSString, copy)]
            func measure(_ name: String, bytes: Double, _ body: () -> Tensor) {
                let rate = Self.bestRate(bytes: bytes) { _ = body() }
                lines.append(String(format: "%-26@ %6.1f GB/s  %3.0f%%", name as NSString, rate, 100 * rate / copy))
            }
            Tape.withoutRecording {
                measure("gelu forward", bytes: twoStreams) { x.gelu() }
                measure("gelu backward", bytes: threeStreams) { geluBackward(input: x, gradient: g) }
                for width in [64, 1000] {
                    // The first ⌊n/width⌋ whole rows of the same memory.
                    let shape = [n / width, width]
                    let used = Double(n / width * width) / Double(n)
                    let rows = Tensor(shape: shape, storage: x.storage)
                    let y = rows.softmax()
                    let gradient = Tensor(shape: shape, storage: g.storage)
                    measure("softmax forward (\(width))", bytes: twoStreams * used) { rows.softmax() }
                    measure("softmax backward (\(width))", bytes: threeStreams * used) { softmaxBackward(output: y, gradient: gradient) }
                    measure("logSoftmax forward (\(width))", bytes: twoStreams * used) { rows.logSoftmax() }
                }
                measure("relu forward", bytes: twoStreams) { x.relu() }
                measure("sigmoid forward", bytes: twoStreams) { x.sigmoid() }
                measure("tanh forward", bytes: twoStreams) { x.tanh() }
                measure("exp forward", bytes: twoStreams) { x.exp() }
                var dropoutGenerator = RandomGenerator(seed: 2)
                measure("dropout forward (p=0.1)", bytes: twoStreams) {
                    x.dropout(probability: 0.1, training: true, using: &dropoutGenerator)
                }
            }
            print("8M floats, \(threads) thread(s):\n" + lines.joined(separator: "\n"))
        }
        ThreadPool.shared.setActiveThreads(ThreadPool.shared.threadCount)
    }
}
