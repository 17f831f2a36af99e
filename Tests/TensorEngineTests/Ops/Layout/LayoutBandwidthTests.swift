import Foundation
import Testing
import TensorEngine

/// Prints the bandwidth of the layout kernels beside a plain parallel copy, about 8M floats each.
/// A sanity print for release builds, not a timed assertion; runs only when asked:
/// `RUNNER_LAYOUT_BANDWIDTH=1 swift test -c release -Xswiftc -enable-testing --skip-build --filter LayoutBandwidth`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RUNNER_LAYOUT_BANDWIDTH"] != nil))
struct LayoutBandwidthTests {
    static func bestSeconds(_ repeats: Int = 7, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }

    @Test func printBandwidth() {
        let n = 8 << 20
        var data = TestData(seed: 91)
        let x = data.normal([n])
        let y = Tensor.zeros([n])
        let source = x.data, destination = y.data
        func gigabytes(_ seconds: Double) -> String { String(format: "%6.1f GB/s", 2 * Double(n) * 4 / seconds / 1e9) }
        let copy = Self.bestSeconds {
            parallelFor(n, grain: 1 << 16) { range in
                (destination + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
            }
        }
        var lines = ["plain copy                                   \(gigabytes(copy))"]
        Tape.withoutRecording {
            let shapes: [(String, [Int], [Int])] = [
                ("window partition [28,8,7,8,7,96]", [28, 8, 7, 8, 7, 96], [0, 1, 3, 2, 4, 5]),
                ("window partition [28,2,7,2,7,768]", [28, 2, 7, 2, 7, 768], [0, 1, 3, 2, 4, 5]),
                ("window reverse [28,8,8,7,7,96]", [28, 8, 8, 7, 7, 96], [0, 1, 3, 2, 4, 5]),
                ("last-two swap [8,1024,1024]", [8, 1024, 1024], [0, 2, 1]),
                ("last-two swap [8,1000,1048]", [8, 1000, 1048], [0, 2, 1]),
                ("last-two swap [5350,49,32] (small tiles)", [5350, 49, 32], [0, 2, 1]),
                ("qkv heads [600,49,3,3,32]->[3,..]", [600, 49, 3, 3, 32], [2, 0, 3, 1, 4]),
            ]
            for (name, shape, axes) in shapes {
                let t = data.normal(shape)
                let count = t.count
                let seconds = Self.bestSeconds { _ = t.permuted(axes) }
                lines.append(name.padding(toLength: 45, withPad: " ", startingAt: 0)
                             + String(format: "%6.1f GB/s", 2 * Double(count) * 4 / seconds / 1e9)
                             + "  (\(count) floats)")
            }
            let image = x.reshaped([8, 1024, 1024])
            let rollSeconds = Self.bestSeconds { _ = image.reshaped([8, 128, 128, 64]).rolled(shifts: [-3, -3], axes: [1, 2]) }
            lines.append("roll [8,128,128,64] by (-3,-3)               \(gigabytes(rollSeconds))")
            let sumSeconds = Self.bestSeconds { _ = image.sum(axes: [1]) }
            lines.append("sum over axis 1 of [8,1024,1024] (read only) "
                         + String(format: "%6.1f GB/s", Double(n) * 4 / sumSeconds / 1e9))
        }
        print("Layout bandwidth, \(ThreadPool.shared.activeThreads) threads:\n" + lines.joined(separator: "\n"))
    }
}
