import TensorEngine

/// Updates parameters from their accumulated gradients, one fused pass per parameter.
///
/// Built from ``ParameterGroup``s (each with its own weight decay and learning-rate scale) and an
/// ``OptimizerAlgorithm``. ``step()`` reads `tensor.grad` of every parameter and skips those
/// without one, as PyTorch does. State buffers (moments, momentum) are created on a parameter's
/// first update and reused afterwards, so steps after the first allocate nothing.
///
/// The state travels with checkpoints through ``stateTensors()`` and ``load(stateTensors:)``:
/// Float tensors named `<parameter>.<state>` (`blocks.0.attn.qkv.weight.exp_avg`), plus a
/// scalar `<parameter>.step` (exact up to 2²⁴ steps).
public final class Optimizer: @unchecked Sendable {
    /// The update rule.
    public let algorithm: OptimizerAlgorithm
    /// The parameter groups, as given.
    public let groups: [ParameterGroup]
    /// The base learning rate; each group uses it times its ``ParameterGroup/learningRateScale``.
    /// The trainer sets it from the schedule before each step.
    public var learningRate: Double

    private final class Slot {
        let name: String
        let tensor: Tensor
        let group: Int
        var buffers: [Tensor] = []
        var pointers: [UnsafeMutablePointer<Float>] = []
        var step = 0
        let scalars: UnsafeMutablePointer<Float>
        let scalarCount: Int

        init(name: String, tensor: Tensor, group: Int, scalarCount: Int) {
            self.name = name
            self.tensor = tensor
            self.group = group
            self.scalarCount = scalarCount
            scalars = .allocate(capacity: max(1, scalarCount))
        }

        deinit { scalars.deallocate() }
    }

    private let slots: [Slot]

    /// An optimizer over `groups`.
    public init(groups: [ParameterGroup], algorithm: OptimizerAlgorithm, learningRate: Double) {
        self.algorithm = algorithm
        self.groups = groups
        self.learningRate = learningRate
        var slots: [Slot] = []
        var seen = Set<String>()
        for (index, group) in groups.enumerated() {
            for parameter in group.parameters {
                precondition(seen.insert(parameter.name).inserted,
                             "Optimizer: parameter '\(parameter.name)' appears in more than one group")
                slots.append(Slot(name: parameter.name, tensor: parameter.tensor, group: index,
                                  scalarCount: algorithm.scalarNames.count))
            }
        }
        self.slots = slots
    }

    /// An optimizer over one group holding every parameter with `weightDecay`.
    public convenience init(parameters: [(name: String, tensor: Tensor)], algorithm: OptimizerAlgorithm,
                            learningRate: Double, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(name: "default", parameters: parameters, weightDecay: weightDecay)],
                  algorithm: algorithm, learningRate: learningRate)
    }

    /// Every parameter by name, in group order.
    public var parameters: [(name: String, tensor: Tensor)] { slots.map { ($0.name, $0.tensor) } }

    /// Applies one update to every parameter that has a gradient.
    public func step() {
        var divisor: Float = 1
        if case .lamb(let rule) = algorithm, let maxNorm = rule.maxGradNorm {
            let gradients = slots.compactMap { $0.tensor.grad }
            if !gradients.isEmpty {
                divisor = max(Float(GradientClipping.globalNorm(gradients) / maxNorm), 1)
            }
        }
        for slot in slots {
            guard let gradient = slot.tensor.grad else { continue }
            guard gradient.shape == slot.tensor.shape else {
                EngineError.shapeMismatch("Optimizer.step", slot.tensor.shape, gradient.shape,
                                          "the gradient of '\(slot.name)' must match the parameter")
            }
            if slot.buffers.count != algorithm.bufferNames.count { allocateState(slot) }
            slot.step += 1
            let group = groups[slot.group]
            algorithm.apply(ParameterUpdate(
                parameter: slot.tensor.data, gradient: gradient.data, buffers: slot.pointers,
                scalars: slot.scalars, count: slot.tensor.count, step: slot.step,
                learningRate: learningRate * Double(group.learningRateScale),
                weightDecay: group.weightDecay, gradientDivisor: divisor))
        }
    }

    /// Clears every parameter's gradient: drops it (`setToNone`, PyTorch's default) or fills it
    /// with zeros, keeping the buffer for the next backward pass to accumulate into.
    public func zeroGrad(setToNone: Bool = true) {
        for slot in slots {
            if setToNone { slot.tensor.zeroGrad() } else { slot.tensor.grad?.fill(0) }
        }
    }

    private func allocateState(_ slot: Slot) {
        let initial = algorithm.bufferInitialValue
        slot.buffers = algorithm.bufferNames.map { _ in Tensor.full(slot.tensor.shape, initial) }
        slot.pointers = slot.buffers.map(\.data)
        for (index, value) in algorithm.scalarInitialValues.enumerated() { slot.scalars[index] = value }
    }

    /// The optimizer state as named Float tensors: for every parameter updated at least once,
    /// `<name>.step` (shape `[]`), each buffer `<name>.<buffer>` (the parameter's shape) and each
    /// scalar `<name>.<scalar>` (shape `[]`). The tensors are copies.
    public func stateTensors() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        for slot in slots where !slot.buffers.isEmpty || slot.step > 0 {
            result.append(("\(slot.name).step", Tensor(scalar: Float(slot.step))))
            for (name, buffer) in zip(algorithm.bufferNames, slot.buffers) {
                result.append(("\(slot.name).\(name)", buffer.copy()))
            }
            for (index, name) in algorithm.scalarNames.enumerated() {
                result.append(("\(slot.name).\(name)", Tensor(scalar: slot.scalars[index])))
            }
        }
        return result
    }

    /// Restores state saved by ``stateTensors()``. Parameters with no saved entry keep no state
    /// (their next update is a first update). Nothing changes when an error is thrown.
    ///
    /// - Throws: ``OptimizerStateError`` when a shape differs, a parameter's state is partial, or
    ///   an entry belongs to nothing here.
    public func load(stateTensors: [(String, Tensor)]) throws {
        var saved = [String: Tensor](stateTensors.map { ($0.0, $0.1) }, uniquingKeysWith: { _, last in last })
        var plans: [(Slot, step: Int, buffers: [Tensor], scalars: [Float])] = []
        let bufferNames = algorithm.bufferNames, scalarNames = algorithm.scalarNames
        for slot in slots {
            let keys = ["step"] + bufferNames + scalarNames
            let present = keys.filter { saved["\(slot.name).\($0)"] != nil }
            if present.isEmpty { continue }
            var entries: [String: Tensor] = [:]
            for key in keys {
                let name = "\(slot.name).\(key)"
                guard let tensor = saved.removeValue(forKey: name) else { throw OptimizerStateError.missing(name: name) }
                let expected = bufferNames.contains(key) ? slot.tensor.shape : []
                guard tensor.shape == expected || (expected == [] && tensor.count == 1) else {
                    throw OptimizerStateError.shapeMismatch(name: name, expected: expected, found: tensor.shape)
                }
                entries[key] = tensor
            }
            plans.append((slot, Int(entries["step"]!.item), bufferNames.map { entries[$0]!.copy() },
                          scalarNames.map { entries[$0]!.item }))
        }
        guard saved.isEmpty else { throw OptimizerStateError.unexpected(names: saved.keys.sorted()) }
        for slot in slots {
            slot.buffers = []
            slot.pointers = []
            slot.step = 0
        }
        for (slot, step, buffers, scalars) in plans {
            slot.step = step
            slot.buffers = buffers
            slot.pointers = buffers.map(\.data)
            for (index, value) in scalars.enumerated() { slot.scalars[index] = value }
        }
    }
}
