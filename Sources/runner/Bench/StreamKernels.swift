import Foundation
import TensorEngine
import Training

extension KernelBenchmark {
    /// Elements of the memory-bound measurements: 8M floats (32 MiB), far beyond the caches.
    static let streamElements = 8 << 20

    static let floatBytes = Double(MemoryLayout<Float>.size)

    /// The memory-bound kernels: a plain copy as the yardstick, then the engine's activations,
    /// softmax, layer norm, AdamW step, layout changes and depthwise convolutions, each over
    /// about 8M floats (the depthwise ones over a Twins-sized feature map, named with its shape).
    /// Bytes count what a kernel must move at the least: every input read once, every output
    /// written once. Outputs are dropped at once so the buffer pool hands the same memory back
    /// on the next run.
    static func streamKernels() -> [StreamKernel] {
        [copy] + activationKernels() + rowKernels() + [adamWStep(elements: streamElements)] + layoutKernels()
            + depthwiseConvolutions.flatMap(\.streamKernels)
    }

    static var copy: StreamKernel {
        let n = streamElements
        return StreamKernel(name: "copy", bytes: 2 * Double(n) * floatBytes) {
            let x = normal([n]), y = Tensor.zeros([n])
            return {
                let source = x.data, destination = y.data
                parallelFor(n, grain: 1 << 16) { range in
                    (destination + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
                }
            }
        }
    }

    /// Elementwise activations over 8M floats.
    static func activationKernels() -> [StreamKernel] {
        let shape = [streamElements]
        return [
            over(shape, "GELU forward", passes: 2) { _ = $0.gelu() },
            forwardBackward(shape, "GELU forward+backward") { $0.gelu() },
            over(shape, "ReLU forward", passes: 2) { _ = $0.relu() },
            over(shape, "sigmoid forward", passes: 2) { _ = $0.sigmoid() },
            over(shape, "tanh forward", passes: 2) { _ = $0.tanh() },
            over(shape, "exp forward", passes: 2) { _ = $0.exp() },
            StreamKernel(name: "dropout forward, p = 0.1", bytes: 2 * Double(streamElements) * floatBytes) {
                let x = normal(shape)
                var generator = RandomGenerator(seed: 3)
                return { _ = x.dropout(probability: 0.1, training: true, using: &generator) }
            },
        ]
    }

    /// Kernels over the last axis, `[⌊n / width⌋, width]` (about 8M floats): softmax and
    /// log-softmax over attention-like and classifier-like rows, layer norm over the channel
    /// counts of SwinV2-T's stages.
    static func rowKernels() -> [StreamKernel] {
        func rows(_ width: Int) -> [Int] { [streamElements / width, width] }
        var kernels: [StreamKernel] = []
        for width in [64, 1000] {
            kernels += [
                over(rows(width), "softmax forward, rows of \(width)", passes: 2) { _ = $0.softmax(axis: -1) },
                forwardBackward(rows(width), "softmax forward+backward, rows of \(width)") { $0.softmax(axis: -1) },
                over(rows(width), "log-softmax forward, rows of \(width)", passes: 2) { _ = $0.logSoftmax(axis: -1) },
            ]
        }
        for channels in [96, 192, 384, 768] {
            let weight = Tensor.ones([channels]), bias = Tensor.zeros([channels])
            kernels += [
                over(rows(channels), "layer norm forward, C = \(channels)", passes: 2) {
                    _ = $0.layerNorm(weight: weight, bias: bias, epsilon: 1e-5)
                },
                forwardBackward(rows(channels), "layer norm forward+backward, C = \(channels)") {
                    $0.layerNorm(weight: weight, bias: bias, epsilon: 1e-5)
                },
            ]
        }
        return kernels
    }

    /// The layout changes of the transformers (copies into a new order) and a reduction.
    static func layoutKernels() -> [StreamKernel] {
        let windowAxes = [0, 1, 3, 2, 4, 5], swapLastTwo = [0, 2, 1]
        let permutes: [(name: String, shape: [Int], axes: [Int])] = [
            ("window partition [28,8,7,8,7,96]", [28, 8, 7, 8, 7, 96], windowAxes),
            ("window partition [28,2,7,2,7,768]", [28, 2, 7, 2, 7, 768], windowAxes),
            ("window reverse [28,8,8,7,7,96]", [28, 8, 8, 7, 7, 96], windowAxes),
            ("last-two swap [8,1024,1024]", [8, 1024, 1024], swapLastTwo),
            ("last-two swap [8,1000,1048]", [8, 1000, 1048], swapLastTwo),
            ("last-two swap [5350,49,32] (small tiles)", [5350, 49, 32], swapLastTwo),
            ("qkv heads [600,49,3,3,32] → [3,600,3,49,32]", [600, 49, 3, 3, 32], [2, 0, 3, 1, 4]),
        ]
        return permutes.map { permute in over(permute.shape, permute.name, passes: 2) { _ = $0.permuted(permute.axes) } } + [
            over([8, 128, 128, 64], "roll [8,128,128,64] by (-3, -3)", passes: 2) { _ = $0.rolled(shifts: [-3, -3], axes: [1, 2]) },
            over([8, 1024, 1024], "sum over axis 1 of [8,1024,1024] (read only)", passes: 1) { _ = $0.sum(axes: [1]) },
        ]
    }

    /// `run` over a random tensor of `shape`, moving `passes` times its size.
    static func over(_ shape: [Int], _ name: String, passes: Double, _ run: @escaping (Tensor) -> Void) -> StreamKernel {
        StreamKernel(name: name, bytes: passes * Double(shape.reduce(1, *)) * floatBytes) {
            let input = normal(shape)
            return { run(input) }
        }
    }

    /// A forward then a backward from a fixed gradient: the bytes of a training step's pass over
    /// the op (forward reads x, writes y; backward reads x or y and the gradient, writes dx).
    static func forwardBackward(_ shape: [Int], _ name: String, _ forward: @escaping (Tensor) -> Tensor) -> StreamKernel {
        StreamKernel(name: name, bytes: 5 * Double(shape.reduce(1, *)) * floatBytes) {
            let leaf = normal(shape).requiringGrad()
            let seed = Tensor.full(shape, 0.5)
            return {
                forward(leaf).backward(gradient: seed)
                leaf.zeroGrad()
            }
        }
    }

    static func normal(_ shape: [Int]) -> Tensor {
        var generator = RandomGenerator(seed: 2)
        return Tensor.normal(shape, using: &generator)
    }

    /// One AdamW step over parameters of `elements` floats in all (a spread of sizes, like a
    /// network's weights and biases): reads the parameter, its gradient and both moments, writes
    /// back the parameter and the moments.
    static func adamWStep(elements: Int) -> StreamKernel {
        StreamKernel(name: "AdamW step", bytes: 7 * Double(elements) * floatBytes) {
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
            return { optimizer.step() }
        }
    }
}
