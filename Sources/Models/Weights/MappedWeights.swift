import TensorEngine

/// A weights file's tensors after its names were mapped onto the model's canonical (timm or
/// torchvision) names: what mapped, and the file's names that have no counterpart.
struct MappedWeights {
    /// Tensors by canonical name.
    var state: [String: Tensor] = [:]
    /// The file's own names that could not be mapped, reported as unexpected keys.
    var unmapped: [String] = []

    /// Maps every entry through a one-to-one rename (nil: no counterpart).
    init(_ entries: [Safetensors.Entry], rename: (String) -> String?) {
        for entry in entries {
            if let name = rename(entry.name) { state[name] = entry.tensor() } else { unmapped.append(entry.name) }
        }
    }

    init() {}
}
