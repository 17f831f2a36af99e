import TensorEngine

/// Maps the state dict of transformers' `Swinv2ForImageClassification` (or its headless
/// `Swinv2Model`, without the `swinv2.` prefix) onto timm's SwinV2 names.
///
/// Most names are renames (`swinv2.encoder.layers.{s}.blocks.{b}.layernorm_before` → `layers.{s}.blocks.{b}.norm1`,
/// `intermediate.dense` → `mlp.fc1`, `classifier` → `head.fc`, …). Two things are not:
/// - transformers keeps separate `query`, `key` and `value` projections `[C, C]`; timm has one
///   `attn.qkv.weight` `[3C, C]` (rows q, k, v) and the biases `attn.q_bias`, `attn.v_bias` (the key has
///   none in either). The three weights are concatenated.
/// - transformers merges patches at the END of stage `s` (`layers.{s}.downsample`); timm at the start of
///   stage `s + 1`. The merge's input order (x₀₀, x₁₀, x₀₁, x₁₁ — row offset fastest) and the
///   post-reduction norm are the same in both, so the reduction weight is taken as it is.
/// `logit_scale` is stored as a log in both, `[heads, 1, 1]`.
enum SwinV2HuggingFaceNames {
    /// Where one file name goes: a timm name, or one of the three rows of a block's `qkv` weight.
    enum Target: Equatable {
        case renamed(String)
        /// `attention` is the timm prefix of the block's attention (`layers.0.blocks.1.attn`);
        /// `part` 0, 1, 2 for query, key, value.
        case qkvWeight(attention: String, part: Int)
    }

    /// Maps every entry; names with no counterpart (and q/k/v weights whose siblings are missing or
    /// of another shape) are left in `unmapped` under the file's own names.
    static func toTimm(_ entries: [Safetensors.Entry]) -> MappedWeights {
        var mapped = MappedWeights()
        var projections: [String: [Int: Safetensors.Entry]] = [:]
        for entry in entries {
            switch target(entry.name) {
            case .renamed(let name)?:
                mapped.state[name] = entry.tensor()
            case .qkvWeight(let attention, let part)?:
                projections[attention, default: [:]][part] = entry
            case nil:
                mapped.unmapped.append(entry.name)
            }
        }
        for (attention, parts) in projections.sorted(by: { $0.key < $1.key }) {
            guard let query = parts[0], let key = parts[1], let value = parts[2],
                  query.shape.count == 2, key.shape == query.shape, value.shape == query.shape else {
                mapped.unmapped += parts.values.map(\.name).sorted()
                continue
            }
            mapped.state[attention + ".qkv.weight"] = Tensor.concatenated([query.tensor(), key.tensor(), value.tensor()], axis: 0)
        }
        return mapped
    }

    /// The timm counterpart of one transformers name, or nil.
    static func target(_ name: String) -> Target? {
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "swinv2" { parts.removeFirst() }
        guard let first = parts.first else { return nil }
        func tail(_ count: Int) -> String { parts.dropFirst(count).joined(separator: ".") }
        switch first {
        case "classifier":
            return parts.count == 2 ? .renamed("head.fc." + tail(1)) : nil
        case "layernorm":
            return parts.count == 2 ? .renamed("norm." + tail(1)) : nil
        case "embeddings":
            if parts.count == 4, parts[1] == "patch_embeddings", parts[2] == "projection" { return .renamed("patch_embed.proj." + tail(3)) }
            if parts.count == 3, parts[1] == "norm" { return .renamed("patch_embed.norm." + tail(2)) }
            return nil
        case "encoder":
            guard parts.count >= 5, parts[1] == "layers", let stage = Int(parts[2]) else { return nil }
            if parts[3] == "downsample", parts.count == 6, ["reduction", "norm"].contains(parts[4]) {
                return .renamed("layers.\(stage + 1).downsample." + tail(4))
            }
            guard parts[3] == "blocks", parts.count >= 6, let block = Int(parts[4]) else { return nil }
            return blockTarget(Array(parts.dropFirst(5)), prefix: "layers.\(stage).blocks.\(block).")
        default:
            return nil
        }
    }

    /// A name inside one block (`attention.self.query.weight`, `layernorm_after.bias`, …).
    private static func blockTarget(_ parts: [String], prefix: String) -> Target? {
        let leaf = parts.last ?? ""
        switch parts.dropLast().joined(separator: ".") {
        case "layernorm_before": return .renamed(prefix + "norm1." + leaf)
        case "layernorm_after": return .renamed(prefix + "norm2." + leaf)
        case "intermediate.dense": return .renamed(prefix + "mlp.fc1." + leaf)
        case "output.dense": return .renamed(prefix + "mlp.fc2." + leaf)
        case "attention.output.dense": return .renamed(prefix + "attn.proj." + leaf)
        case "attention.self.continuous_position_bias_mlp.0": return .renamed(prefix + "attn.cpb_mlp.0." + leaf)
        case "attention.self.continuous_position_bias_mlp.2": return .renamed(prefix + "attn.cpb_mlp.2." + leaf)
        case "attention.self":
            switch leaf {
            case "logit_scale", "relative_coords_table", "relative_position_index": return .renamed(prefix + "attn." + leaf)
            default: return nil
            }
        case "attention.self.query":
            if leaf == "weight" { return .qkvWeight(attention: prefix + "attn", part: 0) }
            return leaf == "bias" ? .renamed(prefix + "attn.q_bias") : nil
        case "attention.self.key":
            return leaf == "weight" ? .qkvWeight(attention: prefix + "attn", part: 1) : nil
        case "attention.self.value":
            if leaf == "weight" { return .qkvWeight(attention: prefix + "attn", part: 2) }
            return leaf == "bias" ? .renamed(prefix + "attn.v_bias") : nil
        default:
            return nil
        }
    }
}
