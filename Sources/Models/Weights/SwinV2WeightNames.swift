/// Maps the parameter names of torchvision's and Hugging Face's Swin V2 onto timm's, the canonical ones.
enum SwinV2WeightNames {
    /// torchvision `swin_v2_*`: `features.0.{0,2}` patch embedding, `features.{1,3,5,7}.{b}` blocks,
    /// `features.{2,4,6}` merges (between stages; timm puts them at the start of the next stage),
    /// `mlp.{0,3}`, `head`. Returns nil for names with no counterpart.
    static func fromTorchvision(_ name: String) -> String? {
        let parts = name.split(separator: ".").map(String.init)
        guard let first = parts.first else { return nil }
        switch first {
        case "norm":
            return name
        case "head":
            return "head.fc." + parts.dropFirst().joined(separator: ".")
        case "features":
            guard parts.count >= 3, let index = Int(parts[1]) else { return nil }
            if index == 0 {
                let rest = parts.dropFirst(3).joined(separator: ".")
                switch parts[2] {
                case "0": return "patch_embed.proj." + rest
                case "2": return "patch_embed.norm." + rest
                default: return nil
                }
            }
            if index % 2 == 1 {
                guard parts.count >= 4, let block = Int(parts[2]) else { return nil }
                var rest = Array(parts.dropFirst(3))
                if rest.first == "mlp", rest.count >= 2 {
                    switch rest[1] {
                    case "0": rest[1] = "fc1"
                    case "3": rest[1] = "fc2"
                    default: return nil
                    }
                }
                return "layers.\(index / 2).blocks.\(block)." + rest.joined(separator: ".")
            }
            return "layers.\(index / 2).downsample." + parts.dropFirst(2).joined(separator: ".")
        default:
            return nil
        }
    }
}
