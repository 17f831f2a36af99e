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
        let n = Double(x.count)
        let gradient = Tensor.full(x.shape, 0.5)
        let leaf = x.copy().requiringGrad()
        /// A forward then a backward from a fixed gradient: the bytes of a training step's pass
        /// over the op (forward reads x, writes y; backward reads x or y and the gradient, writes dx).
        func backward(_ forward: @escaping (Tensor) -> Tensor, shape: [Int]) -> () -> Void {
            let input = leaf.reshaped(shape)
            let seed = gradient.reshaped(shape)
            return {
                let output = forward(input)
                output.backward(gradient: seed)
                leaf.zeroGrad()
            }
        }
        var kernels: [StreamKernel] = []
        kernels.append(StreamKernel(name: "GELU forward", bytes: 2 * n * floatBytes) { _ = x.gelu() })
        kernels.append(StreamKernel(name: "GELU forward+backward", bytes: 5 * n * floatBytes,
                                    run: backward({ $0.gelu() }, shape: x.shape)))
        for row in [64, 1000] {
            let rows = x.reshaped([x.count / row, row])
            kernels.append(StreamKernel(name: "softmax forward, rows of \(row)", bytes: 2 * n * floatBytes) { _ = rows.softmax(axis: -1) })
            kernels.append(StreamKernel(name: "softmax forward+backward, rows of \(row)", bytes: 5 * n * floatBytes,
                                        run: backward({ $0.softmax(axis: -1) }, shape: [x.count / row, row])))
        }
        for channels in [96, 768] {
            let rows = x.reshaped([x.count / channels, channels])
            let weight = Tensor.ones([channels]), bias = Tensor.zeros([channels])
            kernels.append(StreamKernel(name: "layer norm forward, C = \(channels)", bytes: 2 * n * floatBytes) {
                _ = rows.layerNorm(weight: weight, bias: bias, epsilon: 1e-5)
            })
            kernels.append(StreamKernel(name: "layer norm forward+backward, C = \(channels)", bytes: 5 * n * floatBytes,
                                        run: backward({ $0.layerNorm(weight: weight, bias: bias, epsilon: 1e-5) },
                                                      shape: [x.count / channels, channels])))
        }
        return kernels
    }
}
