import TensorEngine

/// Splits a model's parameters into ``ParameterGroup``s the way MindCV, timm and torchvision do.
///
/// Parameters arrive as `[(name, tensor)]` in model order (what `Module.namedParameters()`
/// returns), so this module needs no knowledge of layer types. Whether a parameter belongs to a
/// normalisation layer is decided by ``normalizationParameterNames(_:)`` unless the caller says.
public enum ParameterGrouping {
    /// MindCV's `create_optimizer` grouping for `weight_decay_filter` (see ``WeightDecayRule``).
    ///
    /// - `disable`: one group, `"decay"`, holding everything.
    /// - `auto` / `norm_and_bias`: `"decay"` then `"no_decay"` (weight decay 0); empty groups are
    ///   dropped.
    ///
    /// - Parameters:
    ///   - parameters: the trainable parameters by dotted name.
    ///   - weightDecay: the decay of the decaying group.
    ///   - rule: the filter.
    ///   - skip: names the model keeps out of decay (applies to `norm_and_bias`, as in MindCV).
    ///   - isNormalization: whether a parameter belongs to a normalisation layer; by default
    ///     ``normalizationParameterNames(_:)``.
    public static func mindCV(_ parameters: [(name: String, tensor: Tensor)], weightDecay: Float,
                              rule: WeightDecayRule, skip: NoWeightDecayList = .none,
                              isNormalization: ((String) -> Bool)? = nil) -> [ParameterGroup] {
        if rule == .disable {
            return [ParameterGroup(name: "decay", parameters: parameters, weightDecay: weightDecay)]
        }
        let norms = normalizationParameterNames(parameters)
        let isNorm = isNormalization ?? { norms.contains($0) }
        var decay: [(name: String, tensor: Tensor)] = []
        var noDecay: [(name: String, tensor: Tensor)] = []
        for parameter in parameters {
            let exempt: Bool
            switch rule {
            case .disable:
                exempt = false
            case .auto:
                exempt = isNorm(parameter.name)
            case .normAndBias:
                exempt = isNorm(parameter.name) || parameter.tensor.rank <= 1
                    || ["bias", "beta", "gamma"].contains { parameter.name.contains($0) }
                    || skip.contains(parameter.name)
            }
            if exempt { noDecay.append(parameter) } else { decay.append(parameter) }
        }
        return [ParameterGroup(name: "decay", parameters: decay, weightDecay: weightDecay),
                ParameterGroup(name: "no_decay", parameters: noDecay, weightDecay: 0)]
            .filter { !$0.parameters.isEmpty }
    }

    /// timm's `param_groups_weight_decay`: no decay for rank ≤ 1 parameters, names ending in
    /// `.bias`, and the skip list; groups `"no_decay"` then `"decay"`.
    public static func timm(_ parameters: [(name: String, tensor: Tensor)], weightDecay: Float,
                            skip: NoWeightDecayList = .none) -> [ParameterGroup] {
        var decay: [(name: String, tensor: Tensor)] = []
        var noDecay: [(name: String, tensor: Tensor)] = []
        for parameter in parameters {
            if parameter.tensor.rank <= 1 || parameter.name.hasSuffix(".bias") || skip.contains(parameter.name) {
                noDecay.append(parameter)
            } else {
                decay.append(parameter)
            }
        }
        return [ParameterGroup(name: "no_decay", parameters: noDecay, weightDecay: 0),
                ParameterGroup(name: "decay", parameters: decay, weightDecay: weightDecay)]
            .filter { !$0.parameters.isEmpty }
    }

    /// The keys torchvision's `train.py` gives `--transformer-embedding-decay`.
    public static let torchvisionTransformerEmbeddingKeys = ["class_token", "position_embedding",
                                                             "relative_position_bias_table"]

    /// torchvision's `utils.set_weight_decay` (references/classification/utils.py).
    ///
    /// Each parameter goes to the first custom key that matches it — a key without a dot matches
    /// the parameter's last name component, a dotted key the full name — else to `"norm"` when
    /// `normWeightDecay` is set and it belongs to a normalisation layer, else to `"other"`.
    /// Groups come out as `"other"`, `"norm"`, then the custom keys in order; empty ones are dropped.
    ///
    /// torchvision's Swin V2 recipe is `weightDecay: 0.05, normWeightDecay: 0`, custom keys
    /// `("bias", 0)` and the ``torchvisionTransformerEmbeddingKeys`` with 0.
    public static func torchvision(_ parameters: [(name: String, tensor: Tensor)], weightDecay: Float,
                                   normWeightDecay: Float?,
                                   customKeys: [(key: String, weightDecay: Float)] = [],
                                   isNormalization: ((String) -> Bool)? = nil) -> [ParameterGroup] {
        let norms = normalizationParameterNames(parameters)
        let isNorm = isNormalization ?? { norms.contains($0) }
        var other: [(name: String, tensor: Tensor)] = []
        var norm: [(name: String, tensor: Tensor)] = []
        var custom = Array(repeating: [(name: String, tensor: Tensor)](), count: customKeys.count)
        for parameter in parameters {
            let leaf = parameter.name.split(separator: ".").last.map(String.init) ?? parameter.name
            if let index = customKeys.firstIndex(where: { $0.key == ($0.key.contains(".") ? parameter.name : leaf) }) {
                custom[index].append(parameter)
            } else if normWeightDecay != nil && isNorm(parameter.name) {
                norm.append(parameter)
            } else {
                other.append(parameter)
            }
        }
        var groups = [ParameterGroup(name: "other", parameters: other, weightDecay: weightDecay)]
        if let normWeightDecay {
            groups.append(ParameterGroup(name: "norm", parameters: norm, weightDecay: normWeightDecay))
        }
        for (index, key) in customKeys.enumerated() {
            groups.append(ParameterGroup(name: key.key, parameters: custom[index], weightDecay: key.weightDecay))
        }
        return groups.filter { !$0.parameters.isEmpty }
    }

    /// The parameters of normalisation layers, found by shape: a layer whose `weight` is rank 1
    /// is a normalisation layer (Linear, convolution and embedding weights have rank ≥ 2), and
    /// its `weight` and `bias` are returned. This catches `norm1`, `bn1` and torchvision's
    /// `downsample.1` alike; LayerScale's `gamma` and `logit_scale` are not norms.
    public static func normalizationParameterNames(_ parameters: [(name: String, tensor: Tensor)]) -> Set<String> {
        var prefixes = Set<Substring>()
        for parameter in parameters where parameter.tensor.rank == 1 && parameter.name.hasSuffix("weight") {
            prefixes.insert(parameter.name.dropLast("weight".count))
        }
        var names = Set<String>()
        for parameter in parameters {
            for suffix in ["weight", "bias"] where parameter.name.hasSuffix(suffix) {
                if prefixes.contains(parameter.name.dropLast(suffix.count)) { names.insert(parameter.name) }
            }
        }
        return names
    }
}
