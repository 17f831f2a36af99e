/// Maps the parameter names of transformers' `ResNetForImageClassification` (or its headless
/// `ResNetModel`, without the `resnet.` prefix) onto torchvision's, which our ResNet uses.
///
/// transformers wraps every convolution with its batch norm in a `ResNetConvLayer`
/// (`convolution`, `normalization`): the stem is `embedder.embedder`, block `b` of stage `s` is
/// `encoder.stages.{s}.layers.{b}` with its convolutions in `layer.{0,1,2}` and the projection shortcut
/// in `shortcut`; the classifier is `classifier.1` (after a flatten). The architectures are the same
/// (stride in the 3×3 convolution, as torchvision's v1.5, when `downsample_in_bottleneck` is false), so
/// this is a pure rename.
enum ResNetHuggingFaceNames {
    /// The torchvision name for a transformers name, or nil when it has no counterpart.
    static func toTorchvision(_ name: String) -> String? {
        var parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "resnet" { parts.removeFirst() }
        guard let first = parts.first else { return nil }
        switch first {
        case "classifier":
            return parts.count == 3 && parts[1] == "1" ? "fc." + parts[2] : nil
        case "embedder":
            guard parts.count >= 4, parts[1] == "embedder" else { return nil }
            return convolutionLayer(Array(parts.dropFirst(2)), convolution: "conv1", norm: "bn1")
        case "encoder":
            guard parts.count >= 7, parts[1] == "stages", let stage = Int(parts[2]), parts[3] == "layers",
                  let block = Int(parts[4]) else { return nil }
            let prefix = "layer\(stage + 1).\(block)."
            let rest = Array(parts.dropFirst(5))
            if rest[0] == "shortcut" {
                return convolutionLayer(Array(rest.dropFirst()), convolution: prefix + "downsample.0", norm: prefix + "downsample.1")
            }
            guard rest[0] == "layer", rest.count >= 3, let index = Int(rest[1]), (0..<3).contains(index) else { return nil }
            return convolutionLayer(Array(rest.dropFirst(2)), convolution: prefix + "conv\(index + 1)", norm: prefix + "bn\(index + 1)")
        default:
            return nil
        }
    }

    /// `convolution.weight` → `<convolution>.weight`; `normalization.<leaf>` → `<norm>.<leaf>`.
    private static func convolutionLayer(_ parts: [String], convolution: String, norm: String) -> String? {
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "convolution": return parts[1] == "weight" ? convolution + ".weight" : nil
        case "normalization": return norm + "." + parts[1]
        default: return nil
        }
    }
}
