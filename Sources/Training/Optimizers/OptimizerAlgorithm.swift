/// The update rule of an ``Optimizer`` with its settings.
///
/// Every case follows PyTorch's `torch.optim` class of the same name (Lion and LAMB, which
/// PyTorch lacks, follow timm), so a fixture made in PyTorch checks it step for step.
public enum OptimizerAlgorithm: Sendable, Equatable {
    /// `torch.optim.SGD`.
    case sgd(SGD)
    /// `torch.optim.Adam` / `torch.optim.AdamW` (see ``Adam/decoupledWeightDecay``).
    case adam(Adam)
    /// `torch.optim.RMSprop`.
    case rmsprop(RMSprop)
    /// `torch.optim.Adagrad`.
    case adagrad(Adagrad)
    /// `torch.optim.NAdam`.
    case nadam(NAdam)
    /// `timm.optim.Lion`.
    case lion(Lion)
    /// `timm.optim.Lamb`.
    case lamb(LAMB)

    /// The algorithm for one of MindCV's `opt` names (`sgd`, `momentum`, `nesterov`, `adam`,
    /// `adamw`, `lion`, `rmsprop`, `adagrad`, `lamb`, `nadam`), with the recipe's `momentum`,
    /// `use_nesterov` and `eps` (`nil` keeps each optimizer's PyTorch default ε), or `nil` for an
    /// unknown name.
    ///
    /// As in MindCV's `create_optimizer`: `sgd` and `momentum` take `momentum` and `nesterov`;
    /// `nesterov` always uses Nesterov momentum; `rmsprop` takes `momentum`.
    public static func named(_ name: String, momentum: Float = 0.9, nesterov: Bool = false,
                             epsilon: Double? = nil) -> OptimizerAlgorithm? {
        switch name.lowercased() {
        case "sgd", "momentum": return .sgd(SGD(momentum: momentum, nesterov: nesterov && momentum > 0))
        case "nesterov": return .sgd(SGD(momentum: momentum, nesterov: true))
        case "adam": return .adam(Adam(epsilon: epsilon ?? 1e-8))
        case "adamw": return .adam(.adamW(epsilon: epsilon ?? 1e-8))
        case "rmsprop": return .rmsprop(RMSprop(epsilon: Float(epsilon ?? 1e-8), momentum: momentum))
        case "adagrad": return .adagrad(Adagrad(epsilon: Float(epsilon ?? 1e-10)))
        case "nadam": return .nadam(NAdam(epsilon: epsilon ?? 1e-8))
        case "lion": return .lion(Lion())
        case "lamb": return .lamb(LAMB(epsilon: epsilon ?? 1e-6))
        default: return nil
        }
    }

    /// The names of the per-element state buffers, as PyTorch's `state_dict` calls them.
    public var bufferNames: [String] {
        switch self {
        case .sgd(let rule): rule.bufferNames
        case .adam(let rule): rule.bufferNames
        case .rmsprop(let rule): rule.bufferNames
        case .adagrad(let rule): rule.bufferNames
        case .nadam(let rule): rule.bufferNames
        case .lion(let rule): rule.bufferNames
        case .lamb(let rule): rule.bufferNames
        }
    }

    /// The names of per-parameter scalar state other than `step`.
    public var scalarNames: [String] {
        if case .nadam(let rule) = self { return rule.scalarNames }
        return []
    }

    var scalarInitialValues: [Float] {
        if case .nadam(let rule) = self { return rule.scalarInitialValues }
        return []
    }

    /// The value state buffers start from (Adagrad's initial accumulator, else 0).
    var bufferInitialValue: Float {
        if case .adagrad(let rule) = self { return rule.initialAccumulatorValue }
        return 0
    }

    func apply(_ update: ParameterUpdate) {
        switch self {
        case .sgd(let rule): rule.apply(update)
        case .adam(let rule): rule.apply(update)
        case .rmsprop(let rule): rule.apply(update)
        case .adagrad(let rule): rule.apply(update)
        case .nadam(let rule): rule.apply(update)
        case .lion(let rule): rule.apply(update)
        case .lamb(let rule): rule.apply(update)
        }
    }
}
