import Testing
@testable import TensorEngine

/// The kernel behind every layout op, checked directly on its three paths (contiguous runs,
/// tiled transpose, strided rows), copying and accumulating, against a naive walk.
@Suite struct StridedCopyTests {
    static func naive(extent: [Int], source: [Float], sourceStrides: [Int], destination: [Float],
                      destinationStrides: [Int], accumulating: Bool) -> [Float] {
        var result = destination
        for flat in 0..<extent.reduce(1, *) {
            let index = NaiveIndex.unravel(flat, extent)
            let s = zip(index, sourceStrides).reduce(0) { $0 + $1.0 * $1.1 }
            let d = zip(index, destinationStrides).reduce(0) { $0 + $1.0 * $1.1 }
            result[d] = accumulating ? result[d] + source[s] : source[s]
        }
        return result
    }

    /// Transposes `[B, P, Q] → [B, Q, P]` for awkward P (register blocks with tails) and Q.
    @Test(arguments: [5, 8, 12, 16, 21, 35], [3, 8, 17, 40])
    func tiledTransposeCopiesAndAccumulates(p: Int, q: Int) {
        var data = TestData(seed: UInt64(100 + p * q))
        let extent = [2, p, q]
        let source = data.normal(extent)
        for accumulating in [false, true] {
            let destination = data.normal([2, q, p])
            let sourceStrides = [p * q, q, 1], destinationStrides = [p * q, 1, p]
            let expected = Self.naive(extent: extent, source: source.scalars, sourceStrides: sourceStrides,
                                      destination: destination.scalars, destinationStrides: destinationStrides,
                                      accumulating: accumulating)
            StridedCopyPlan(extent: extent, sourceStrides: sourceStrides, destinationStrides: destinationStrides)
                .run(from: source.data, to: destination.data, accumulating: accumulating)
            expectClose(destination.scalars, expected, tolerance: 1e-6)
        }
    }

    /// Runs (kept last axis), strided rows (stepped last axis) and a broadcast (stride-0) source,
    /// into a box of a larger destination.
    @Test(arguments: [
        ([3, 4, 5], [20, 5, 1], [70, 7, 1]),        // runs into a padded box
        ([3, 4, 5], [40, 10, 2], [20, 5, 1]),       // every other element of the last axis
        ([3, 4, 5], [0, 5, 1], [20, 5, 1]),         // broadcast along the first axis
        ([3, 4, 5], [1, 0, 3], [20, 5, 1]),         // source-contiguous axis first, stride-0 middle
        ([6, 7], [1, 0], [7, 1]),                   // a column broadcast across rows
        ([70_000], [1], [1]),                       // one long run, split across threads
    ])
    func otherPaths(extent: [Int], sourceStrides: [Int], destinationStrides: [Int]) {
        var data = TestData(seed: 7)
        let sourceCount = zip(extent, sourceStrides).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        let destinationCount = zip(extent, destinationStrides).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        let source = data.normal([sourceCount])
        for accumulating in [false, true] {
            let destination = data.normal([destinationCount])
            let expected = Self.naive(extent: extent, source: source.scalars, sourceStrides: sourceStrides,
                                      destination: destination.scalars, destinationStrides: destinationStrides,
                                      accumulating: accumulating)
            StridedCopyPlan(extent: extent, sourceStrides: sourceStrides, destinationStrides: destinationStrides)
                .run(from: source.data, to: destination.data, accumulating: accumulating)
            expectClose(destination.scalars, expected, tolerance: 1e-6)
        }
    }
}
