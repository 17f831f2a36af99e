import TensorEngine

/// Weight initialisations of PyTorch and timm, drawn from the engine's seeded streams so that a
/// seed builds the same network every time.
public enum Initialization {
    /// timm's transformer default: truncated normal, std 0.02, cut at ±2 (absolute, as timm's
    /// `trunc_normal_(std=.02)` with its default bounds).
    public static func truncatedNormal(_ shape: [Int], std: Float = 0.02, using random: inout RandomGenerator) -> Tensor {
        Tensor.truncatedNormal(shape, std: std, low: -2, high: 2, using: &random)
    }

    /// PyTorch's default for `nn.Linear` and `nn.Conv2d` weights (`kaiming_uniform_(a=√5)`):
    /// uniform in ±1/√fanIn.
    public static func pytorchDefault(_ shape: [Int], fanIn: Int, using random: inout RandomGenerator) -> Tensor {
        let bound = 1 / Float(max(fanIn, 1)).squareRoot()
        return Tensor.uniform(shape, low: -bound, high: bound, using: &random)
    }

    /// Kaiming normal for ReLU networks in fan-out mode (torchvision's ResNet convolutions).
    public static func kaimingNormalFanOut(_ shape: [Int], fanOut: Int, using random: inout RandomGenerator) -> Tensor {
        Tensor.normal(shape, std: (2 / Float(max(fanOut, 1))).squareRoot(), using: &random)
    }
}
