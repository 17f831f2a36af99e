import TensorEngine

/// The running mean of weight snapshots used by stochastic weight averaging:
/// `swa ← (swa·k + w)/(k + 1)` with `k` the snapshots so far (keras-swa's `_average_weights`,
/// `torch.optim.swa_utils.AveragedModel`'s default average).
public final class StochasticWeightAverage: @unchecked Sendable {
    /// The averaged tensors by name.
    public let averaged: [(name: String, tensor: Tensor)]
    /// How many snapshots the average holds.
    public private(set) var count: Int

    /// An empty average shaped like `tensors` (its values are meaningless until the first
    /// ``add(_:)``, which copies).
    public init(shapedLike tensors: [(name: String, tensor: Tensor)]) {
        averaged = tensors.map { ($0.name, Tensor.zeros($0.tensor.shape)) }
        count = 0
    }

    /// Adds a snapshot of `tensors` (same order and shapes) to the average.
    public func add(_ tensors: [(name: String, tensor: Tensor)]) {
        precondition(tensors.count == averaged.count, "StochasticWeightAverage: \(tensors.count) tensors for an average of \(averaged.count)")
        let k = Float(count)
        let inverse = 1 / (k + 1)
        for (source, target) in zip(tensors, averaged) {
            guard source.tensor.shape == target.tensor.shape else {
                EngineError.shapeMismatch("StochasticWeightAverage.add", target.tensor.shape, source.tensor.shape,
                                          "'\(source.name)' changed shape")
            }
            let w = source.tensor.data, a = target.tensor.data
            fusedPass(target.tensor.count) { i, n in
                lanesStore((lanesLoad(a, i, n) * k + lanesLoad(w, i, n)) * inverse, a, i, n)
            }
        }
        count += 1
    }

    /// Copies the average into `tensors` (keras-swa's `_set_swa_weights`).
    public func copy(into tensors: [(name: String, tensor: Tensor)]) {
        for (target, source) in zip(tensors, averaged) {
            precondition(target.tensor.shape == source.tensor.shape, "StochasticWeightAverage: '\(target.name)' changed shape")
            target.tensor.data.update(from: source.tensor.data, count: source.tensor.count)
        }
    }

    /// The average and its count as named tensors for a checkpoint (`n_averaged` holds the count).
    public func stateTensors() -> [(String, Tensor)] {
        averaged.map { ($0.name, $0.tensor.copy()) } + [("n_averaged", Tensor(scalar: Float(count)))]
    }

    /// Restores what ``stateTensors()`` saved.
    /// - Throws: ``OptimizerStateError`` when a name is missing or a shape differs.
    public func load(stateTensors: [(String, Tensor)]) throws {
        let saved = [String: Tensor](stateTensors.map { ($0.0, $0.1) }, uniquingKeysWith: { _, last in last })
        guard let n = saved["n_averaged"] else { throw OptimizerStateError.missing(name: "n_averaged") }
        for (name, tensor) in averaged {
            guard let source = saved[name] else { throw OptimizerStateError.missing(name: name) }
            guard source.shape == tensor.shape else {
                throw OptimizerStateError.shapeMismatch(name: name, expected: tensor.shape, found: source.shape)
            }
        }
        for (name, tensor) in averaged { tensor.data.update(from: saved[name]!.data, count: tensor.count) }
        count = Int(n.item)
    }
}
