import Foundation
import TensorEngine

extension KernelBenchmark {
    /// Elements of the memory-bound measurements: 8M floats (32 MiB), far beyond the caches.
    static let streamElements = 8 << 20

    /// The memory-bound kernels: a plain copy as the yardstick, then the engine's fused kernels.
    /// Bytes count what a kernel must move at the least: every input read once, every output
    /// written once.
    static func streamKernels() -> [StreamKernel] {
        let n = streamElements
        let floatBytes = Double(MemoryLayout<Float>.size)
        var generator = RandomGenerator(seed: 1)
        let x = Tensor.normal([n], using: &generator)
        let y = Tensor.zeros([n])
        let source = x.data, destination = y.data
        var kernels = [
            StreamKernel(name: "copy", bytes: 2 * Double(n) * floatBytes) {
                parallelFor(n, grain: 1 << 16) { range in
                    (destination + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
                }
            },
        ]
        kernels += engineKernels(x, floatBytes: floatBytes)
        return kernels
    }

    /// Forward kernels of the engine, each over the same 8M floats. Outputs are dropped at once so
    /// the buffer pool hands the same memory back on the next run.
    static func engineKernels(_ x: Tensor, floatBytes: Double) -> [StreamKernel] {
        []
    }
}
