import TensorEngine
import Layers

/// torchvision's ResNet (v1.5: the stride sits on the 3×3 convolution of a bottleneck),
/// `[B, C, H, W]` → `[B, classes]`, with torchvision's parameter names (`layer1.0.conv1.weight`, `fc.weight`).
public final class ResNet: Module {
    public enum BlockKind: String, Sendable { case basic, bottleneck }

    public struct Configuration: Sendable, Equatable {
        public var block: BlockKind = .basic
        public var layers = [2, 2, 2, 2]
        public var classes = 1000
        public var inChannels = 3
        public var imageSize = 224
        public var width = 64
        public var dropRate: Float = 0
        public init() {}
    }

    public let configuration: Configuration
    let conv1: Conv2d
    let bn1: BatchNorm2d
    let stages: [[ResidualBlock]]
    let fc: Linear

    public init(_ configuration: Configuration, seed: UInt64 = 0) throws {
        guard configuration.layers.count == 4, configuration.layers.allSatisfy({ $0 > 0 }) else {
            throw ConfigurationError(model: "ResNet", message: "layers must be four positive block counts, got \(configuration.layers)")
        }
        self.configuration = configuration
        var random = RandomGenerator(seed: seed)
        let width = configuration.width
        conv1 = Conv2d.resnetInitialized(configuration.inChannels, width, kernel: 7, stride: 2, padding: 3, using: &random)
        bn1 = BatchNorm2d(width)
        var inChannels = width
        var stages: [[ResidualBlock]] = []
        for (i, count) in configuration.layers.enumerated() {
            let planes = width << i
            var blocks: [ResidualBlock] = []
            for b in 0..<count {
                let block = ResidualBlock(kind: configuration.block, inChannels: inChannels, planes: planes,
                                          stride: b == 0 && i > 0 ? 2 : 1, using: &random)
                inChannels = block.outChannels
                blocks.append(block)
            }
            stages.append(blocks)
        }
        self.stages = stages
        fc = Linear(inChannels, configuration.classes, using: &random)
    }

    public func callAsFunction(_ images: Tensor, _ context: ForwardContext) -> Tensor {
        var x = bn1(conv1(images), context).relu().maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        for blocks in stages { for block in blocks { x = block(x, context) } }
        var pooled = x.mean(axes: [2, 3])
        if configuration.dropRate > 0 {
            pooled = pooled.dropout(probability: configuration.dropRate, training: context.training, using: &context.random)
        }
        return fc(pooled)
    }

    public var classifierNames: Set<String> { ["fc.weight", "fc.bias"] }
    public var imageSize: Int { configuration.imageSize }
    public var inChannels: Int { configuration.inChannels }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.child("conv1", conv1)
        visitor.child("bn1", bn1)
        for (i, blocks) in stages.enumerated() { visitor.children("layer\(i + 1)", blocks) }
        visitor.child("fc", fc)
    }
}

extension ResNet: ClassificationModel {
    /// Global average pooling before the classifier: any input of at least 32 pixels.
    public var acceptsOtherImageSizes: Bool { true }
}

/// A residual block, `[B, C, H, W]` → `[B, C', H/s, W/s]`: basic (two 3×3 convolutions) or bottleneck
/// (1×1, 3×3 with the stride, 1×1 to 4× the planes), each convolution followed by batch norm, the
/// shortcut projected by a strided 1×1 convolution and batch norm when the shape changes.
final class ResidualBlock: Module {
    let kind: ResNet.BlockKind
    let convolutions: [Conv2d]
    let norms: [BatchNorm2d]
    let downsample: (Conv2d, BatchNorm2d)?
    let outChannels: Int

    init(kind: ResNet.BlockKind, inChannels: Int, planes: Int, stride: Int, using random: inout RandomGenerator) {
        self.kind = kind
        switch kind {
        case .basic:
            outChannels = planes
            convolutions = [
                Conv2d.resnetInitialized(inChannels, planes, kernel: 3, stride: stride, padding: 1, using: &random),
                Conv2d.resnetInitialized(planes, planes, kernel: 3, stride: 1, padding: 1, using: &random),
            ]
            norms = [BatchNorm2d(planes), BatchNorm2d(planes)]
        case .bottleneck:
            outChannels = planes * 4
            convolutions = [
                Conv2d.resnetInitialized(inChannels, planes, kernel: 1, stride: 1, padding: 0, using: &random),
                Conv2d.resnetInitialized(planes, planes, kernel: 3, stride: stride, padding: 1, using: &random),
                Conv2d.resnetInitialized(planes, planes * 4, kernel: 1, stride: 1, padding: 0, using: &random),
            ]
            norms = [BatchNorm2d(planes), BatchNorm2d(planes), BatchNorm2d(planes * 4)]
        }
        if stride != 1 || inChannels != outChannels {
            downsample = (Conv2d.resnetInitialized(inChannels, outChannels, kernel: 1, stride: stride, padding: 0, using: &random),
                          BatchNorm2d(outChannels))
        } else {
            downsample = nil
        }
    }

    func callAsFunction(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        var y = x
        for i in convolutions.indices {
            y = norms[i](convolutions[i](y), context)
            if i < convolutions.count - 1 { y = y.relu() }
        }
        let shortcut = downsample.map { $0.1($0.0(x), context) } ?? x
        return (y + shortcut).relu()
    }

    func visitState(_ visitor: inout StateVisitor) {
        for i in convolutions.indices {
            visitor.child("conv\(i + 1)", convolutions[i])
            visitor.child("bn\(i + 1)", norms[i])
        }
        if let downsample {
            visitor.child("downsample.0", downsample.0)
            visitor.child("downsample.1", downsample.1)
        }
    }
}

extension Conv2d {
    /// torchvision's ResNet convolution: no bias, Kaiming normal in fan-out mode for ReLU.
    static func resnetInitialized(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int, padding: Int,
                                  using random: inout RandomGenerator) -> Conv2d {
        let conv = Conv2d(inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride),
                          padding: (padding, padding), bias: false, using: &random)
        let fresh = Initialization.kaimingNormalFanOut(conv.weight.shape, fanOut: outChannels * kernel * kernel, using: &random)
        conv.weight.data.update(from: fresh.data, count: fresh.count)
        return conv
    }
}
