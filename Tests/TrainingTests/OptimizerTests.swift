import Testing
import TensorEngine
@testable import Training

@Suite struct OptimizerTests {
    nonisolated(unsafe) static let section = Fixture.section("optimizers")

    static let algorithms: [String: OptimizerAlgorithm] = [
        "sgd": .sgd(SGD()),
        "sgd_momentum_dampening": .sgd(SGD(momentum: 0.9, dampening: 0.1)),
        "sgd_nesterov": .sgd(SGD(momentum: 0.9, nesterov: true)),
        "adam": .adam(Adam()),
        "adamw": .adam(.adamW(beta1: 0.85, beta2: 0.99, epsilon: 1e-6)),
        "rmsprop": .rmsprop(RMSprop()),
        "rmsprop_momentum_centered": .rmsprop(RMSprop(alpha: 0.9, epsilon: 1e-6, momentum: 0.8, centered: true)),
        "adagrad": .adagrad(Adagrad(learningRateDecay: 0.01, initialAccumulatorValue: 0.1)),
        "nadam": .nadam(NAdam()),
        "lion": .lion(Lion(beta1: 0.9, beta2: 0.99)),
        "lamb": .lamb(LAMB()),
    ]

    /// Parameters `w` (decay 0.1) and `b` (no decay, half the rate) at the fixture's start.
    static func makeOptimizer(_ algorithm: OptimizerAlgorithm) -> (Optimizer, [String: Tensor]) {
        let shapes = section["shapes"] as! [String: [Int]]
        let initial = section["initial"] as! [String: Any]
        var tensors: [String: Tensor] = [:]
        for name in ["w", "b"] {
            tensors[name] = Tensor(shape: shapes[name]!, values: floats(initial[name])).requiringGrad()
        }
        let groups = [ParameterGroup(name: "w", parameters: [("w", tensors["w"]!)], weightDecay: 0.1),
                      ParameterGroup(name: "b", parameters: [("b", tensors["b"]!)], weightDecay: 0, learningRateScale: 0.5)]
        return (Optimizer(groups: groups, algorithm: algorithm, learningRate: 0), tensors)
    }

    static func setGradients(_ tensors: [String: Tensor], step: Int) {
        let grads = section["grads"] as! [[String: Any]]
        for (name, tensor) in tensors {
            let values = floats(grads[step][name])
            if let existing = tensor.grad {
                existing.data.update(from: values, count: values.count)
            } else {
                tensor.grad = Tensor(shape: tensor.shape, values: values)
            }
        }
    }

    @Test(arguments: ["sgd", "sgd_momentum_dampening", "sgd_nesterov", "adam", "adamw", "rmsprop",
                      "rmsprop_momentum_centered", "adagrad", "nadam", "lion", "lamb"])
    func matchesPyTorch(_ name: String) throws {
        let cases = Self.section["cases"] as! [String: Any]
        let expected = cases[name] as! [String: Any]
        let history = expected["after_step"] as! [[String: Any]]
        let lrs = doubles(Self.section["lrs"])
        let (optimizer, tensors) = Self.makeOptimizer(Self.algorithms[name]!)
        for step in 0..<history.count {
            Self.setGradients(tensors, step: step)
            optimizer.learningRate = lrs[step]
            optimizer.step()
            for parameter in ["w", "b"] {
                expectClose(tensors[parameter]!.scalars, floats(history[step][parameter]),
                            absolute: 2e-6, relative: 2e-5, "\(name) step \(step + 1) \(parameter)")
            }
        }
        let state = Dictionary(uniqueKeysWithValues: optimizer.stateTensors())
        for (key, values) in expected["state"] as! [String: Any] {
            let ours = try #require(state[key], "\(name): no state '\(key)'")
            expectClose(ours.scalars, floats(values), absolute: 2e-6, relative: 2e-5, "\(name) state \(key)")
        }
    }

    @Test func stateRoundTripContinuesIdentically() throws {
        let algorithm = Self.algorithms["nadam"]!
        let (reference, referenceTensors) = Self.makeOptimizer(algorithm)
        let (first, firstTensors) = Self.makeOptimizer(algorithm)
        for step in 0..<2 {
            for (optimizer, tensors) in [(reference, referenceTensors), (first, firstTensors)] {
                Self.setGradients(tensors, step: step)
                optimizer.learningRate = 0.05
                optimizer.step()
            }
        }
        // A fresh optimizer over copies of the weights, loaded from the saved state.
        let saved = first.stateTensors()
        #expect(saved.map(\.0).sorted() == ["b.exp_avg", "b.exp_avg_sq", "b.mu_product", "b.step",
                                            "w.exp_avg", "w.exp_avg_sq", "w.mu_product", "w.step"])
        let (resumed, resumedTensors) = Self.makeOptimizer(algorithm)
        for name in ["w", "b"] { resumedTensors[name]!.data.update(from: firstTensors[name]!.data, count: firstTensors[name]!.count) }
        try resumed.load(stateTensors: saved)
        for step in 2..<5 {
            for (optimizer, tensors) in [(reference, referenceTensors), (resumed, resumedTensors)] {
                Self.setGradients(tensors, step: step)
                optimizer.learningRate = 0.05
                optimizer.step()
            }
        }
        for name in ["w", "b"] { #expect(resumedTensors[name]!.scalars == referenceTensors[name]!.scalars) }
    }

    @Test func loadRejectsWrongShapesPartialAndUnknownState() throws {
        let (optimizer, _) = Self.makeOptimizer(.adam(Adam()))
        let good: [(String, Tensor)] = [("w.step", Tensor(scalar: 3)), ("w.exp_avg", .zeros([4, 9])),
                                        ("w.exp_avg_sq", .zeros([4, 9]))]
        try optimizer.load(stateTensors: good)
        #expect(optimizer.stateTensors().count == 3)
        #expect(throws: OptimizerStateError.shapeMismatch(name: "w.exp_avg", expected: [4, 9], found: [36])) {
            try optimizer.load(stateTensors: [("w.step", Tensor(scalar: 3)), ("w.exp_avg", .zeros([36])),
                                              ("w.exp_avg_sq", .zeros([4, 9]))])
        }
        #expect(throws: OptimizerStateError.missing(name: "w.exp_avg_sq")) {
            try optimizer.load(stateTensors: [("w.step", Tensor(scalar: 3)), ("w.exp_avg", .zeros([4, 9]))])
        }
        #expect(throws: OptimizerStateError.unexpected(names: ["head.weight.exp_avg"])) {
            try optimizer.load(stateTensors: good + [("head.weight.exp_avg", .zeros([2]))])
        }
        // A failed load changes nothing.
        #expect(optimizer.stateTensors().count == 3)
        let message = OptimizerStateError.shapeMismatch(name: "w.exp_avg", expected: [4, 9], found: [36]).description
        #expect(message == "optimizer state 'w.exp_avg': expected shape [4, 9], found [36]")
    }

    @Test(arguments: ["sgd_nesterov", "adam", "nadam", "lamb", "rmsprop_momentum_centered"])
    func stepsAfterTheFirstAllocateNoTensors(_ name: String) {
        let (optimizer, tensors) = Self.makeOptimizer(Self.algorithms[name]!)
        Self.setGradients(tensors, step: 0)
        optimizer.learningRate = 0.01
        optimizer.step()
        // Other suites allocate concurrently through the same pool, so a window can see their
        // buffers (several in a row while the machine is busy); an optimizer that allocates per
        // step grows the count in every window.
        var growth: [Int] = []
        for _ in 0..<20 {
            let before = BufferPool.shared.statistics.liveBytes
            for _ in 0..<20 { optimizer.step() }
            let after = BufferPool.shared.statistics.liveBytes
            growth.append(after - before)
            if after - before < 36 * 4 * 2 { break }
        }
        #expect(growth.last! < 36 * 4 * 2, "\(name): live bytes grew by \(growth) over windows of 20 steps")
    }

    @Test func largeTensorsTakeTheParallelPathAndAgreeWithSmallOnes() {
        // One 100 003-element parameter against the same values split into small ones.
        let count = 100_003
        let values = (0..<count).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        let gradients = (0..<count).map { Float(($0 * 104_729) % 997) / 997 - 0.5 }
        let big = Tensor(shape: [count], values: values).requiringGrad()
        big.grad = Tensor(shape: [count], values: gradients)
        let pieces = stride(from: 0, to: count, by: 1000).map { start -> Tensor in
            let end = min(start + 1000, count)
            let piece = Tensor(shape: [end - start], values: Array(values[start..<end])).requiringGrad()
            piece.grad = Tensor(shape: [end - start], values: Array(gradients[start..<end]))
            return piece
        }
        let algorithm = OptimizerAlgorithm.adam(.adamW())
        let one = Optimizer(parameters: [("big", big)], algorithm: algorithm, learningRate: 0.01, weightDecay: 0.05)
        let many = Optimizer(parameters: pieces.enumerated().map { ("p\($0.offset)", $0.element) }, algorithm: algorithm,
                             learningRate: 0.01, weightDecay: 0.05)
        for _ in 0..<3 { one.step(); many.step() }
        #expect(big.scalars == pieces.flatMap(\.scalars))
    }

    @Test func zeroGradDropsOrZeroes() {
        let (optimizer, tensors) = Self.makeOptimizer(.sgd(SGD()))
        Self.setGradients(tensors, step: 0)
        optimizer.zeroGrad(setToNone: false)
        #expect(tensors["w"]!.grad!.scalars.allSatisfy { $0 == 0 })
        optimizer.zeroGrad()
        #expect(tensors["w"]!.grad == nil && tensors["b"]!.grad == nil)
        // Without gradients a step changes nothing.
        let before = tensors["w"]!.scalars
        optimizer.learningRate = 1
        optimizer.step()
        #expect(tensors["w"]!.scalars == before)
    }

    @Test func mindCVNames() {
        #expect(OptimizerAlgorithm.named("nesterov") == .sgd(SGD(momentum: 0.9, nesterov: true)))
        #expect(OptimizerAlgorithm.named("Momentum", momentum: 0.8) == .sgd(SGD(momentum: 0.8)))
        #expect(OptimizerAlgorithm.named("adamw", epsilon: 1e-6) == .adam(.adamW(epsilon: 1e-6)))
        #expect(OptimizerAlgorithm.named("adan") == nil)
        for name in ["sgd", "momentum", "nesterov", "adam", "adamw", "lion", "rmsprop", "adagrad", "lamb", "nadam"] {
            #expect(OptimizerAlgorithm.named(name) != nil, "\(name)")
        }
    }
}
