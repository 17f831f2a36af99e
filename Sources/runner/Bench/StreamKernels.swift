import Foundation
import TensorEngine
import Training

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
        var generator = RandomGenerator(seed: 2)
        /// `[⌊n / width⌋, width]`: the rows a last-axis kernel runs over, about 8M floats in all.
        func rows(_ width: Int) -> Tensor { Tensor.normal([x.count / width, width], using: &generator) }
        /// A forward then a backward from a fixed gradient: the bytes of a training step's pass
        /// over the op (forward reads x, writes y; backward reads x or y and the gradient, writes dx).
        func forwardBackward(_ input: Tensor, _ forward: @escaping (Tensor) -> Tensor) -> () -> Void {
            let leaf = input.copy().requiringGrad()
            let seed = Tensor.full(input.shape, 0.5)
            return {
                forward(leaf).backward(gradient: seed)
                leaf.zeroGrad()
            }
        }
        func bytes(_ t: Tensor, _ passes: Double) -> Double { passes * Double(t.count) * floatBytes }

        var kernels: [StreamKernel] = []
        kernels.append(StreamKernel(name: "GELU forward", bytes: bytes(x, 2)) { _ = x.gelu() })
        kernels.append(StreamKernel(name: "GELU forward+backward", bytes: bytes(x, 5), run: forwardBackward(x) { $0.gelu() }))
        for width in [64, 1000] {
            let input = rows(width)
            kernels.append(StreamKernel(name: "softmax forward, rows of \(width)", bytes: bytes(input, 2)) { _ = input.softmax(axis: -1) })
            kernels.append(StreamKernel(name: "softmax forward+backward, rows of \(width)", bytes: bytes(input, 5),
                                        run: forwardBackward(input) { $0.softmax(axis: -1) }))
        }
        for channels in [96, 768] {
            let input = rows(channels)
            let weight = Tensor.ones([channels]), bias = Tensor.zeros([channels])
            kernels.append(StreamKernel(name: "layer norm forward, C = \(channels)", bytes: bytes(input, 2)) {
                _ = input.layerNorm(weight: weight, bias: bias, epsilon: 1e-5)
            })
            kernels.append(StreamKernel(name: "layer norm forward+backward, C = \(channels)", bytes: bytes(input, 5),
                                        run: forwardBackward(input) { $0.layerNorm(weight: weight, bias: bias, epsilon: 1e-5) }))
        }
        kernels.append(adamWStep(elements: x.count, floatBytes: floatBytes))
        return kernels
    }

    /// One AdamW step over parameters of 8M floats in all (a spread of sizes, like a network's
    /// weights and biases): reads the parameter, its gradient and both moments, writes back the
    /// parameter and the moments.
    static func adamWStep(elements: Int, floatBytes: Double) -> StreamKernel {
        var generator = RandomGenerator(seed: 3)
        var sizes: [Int] = []
        var remaining = elements
        for size in [1 << 21, 1 << 20, 1 << 18, 1 << 16, 1 << 12, 768, 96] {
            for _ in 0..<3 where remaining >= size {
                sizes.append(size)
                remaining -= size
            }
        }
        if remaining > 0 { sizes.append(remaining) }
        let parameters = sizes.enumerated().map { index, size in
            let parameter = Tensor.normal([size], using: &generator).requiringGrad()
            parameter.grad = Tensor.normal([size], std: 0.01, using: &generator)
            return (name: "p\(index)", tensor: parameter)
        }
        let optimizer = Optimizer(parameters: parameters, algorithm: .adam(.adamW()), learningRate: 1e-3, weightDecay: 0.05)
        return StreamKernel(name: "AdamW step", bytes: 7 * Double(elements) * floatBytes) { optimizer.step() }
    }
}
