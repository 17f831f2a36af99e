/// Every hyper-parameter of a Swin Transformer V2, with timm's defaults for `swinv2_tiny_window8_256`.
/// Small recipes override them (e.g. 32 px input, patch 2, window 4).
public struct SwinV2Configuration: Sendable, Equatable {
    public var imageSize = 256
    public var patchSize = 4
    public var inChannels = 3
    public var classes = 1000
    public var embedDim = 96
    public var depths = [2, 2, 6, 2]
    public var heads = [3, 6, 12, 24]
    /// The target window per stage; a stage whose map is smaller uses the map size (timm's rule).
    public var windowSizes = [8, 8, 8, 8]
    /// Window sizes the weights were pre-trained with (0 = none): the position-bias coordinates are
    /// normalised by them, so weights transfer across window sizes.
    public var pretrainedWindowSizes = [0, 0, 0, 0]
    public var mlpRatio: Float = 4
    public var dropRate: Float = 0
    public var projectionDropRate: Float = 0
    public var attentionDropRate: Float = 0
    public var dropPathRate: Float = 0.1
    /// Which published implementation the network follows where they differ.
    public var flavor: Flavor = .timm

    public enum Flavor: String, Sendable {
        /// timm and Hugging Face: `q_bias`/`v_bias`, windows clamped to the map, no shift where the
        /// window covers the map.
        case timm
        /// torchvision's `swin_v2_*`: one `qkv.bias` whose key third is zeroed at every forward,
        /// the window kept in every stage and the map padded up to it.
        case torchvision
    }

    public init() {}

    public var stageCount: Int { depths.count }

    /// Channels of stage `i`: embedDim·2ⁱ.
    public func dimension(ofStage i: Int) -> Int { embedDim << i }

    /// Feature-map side of stage `i` (each merge halves it, rounding up: odd maps are padded).
    public func resolution(ofStage i: Int) -> Int {
        var side = imageSize / patchSize
        for _ in 0..<i { side = (side + 1) / 2 }
        return side
    }

    /// Checks the numbers fit together; the message names the offending setting.
    public func validated() throws -> SwinV2Configuration {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(model: "SwinV2", message: message) }
        guard imageSize > 0, patchSize > 0, imageSize % patchSize == 0 else {
            throw fail("img_size \(imageSize) must be a positive multiple of patch_size \(patchSize)")
        }
        guard !depths.isEmpty, heads.count == depths.count, windowSizes.count == depths.count,
              pretrainedWindowSizes.count == depths.count else {
            throw fail("depths \(depths), num_heads \(heads), window sizes \(windowSizes) and pretrained window sizes \(pretrainedWindowSizes) need one entry per stage")
        }
        for i in 0..<stageCount where dimension(ofStage: i) % heads[i] != 0 {
            throw fail("stage \(i) has \(dimension(ofStage: i)) channels, not divisible by num_heads \(heads[i])")
        }
        guard windowSizes.allSatisfy({ $0 > 0 }) else { throw fail("window sizes must be positive: \(windowSizes)") }
        guard (0..<1).contains(dropPathRate), (0..<1).contains(dropRate) else {
            throw fail("drop_rate \(dropRate) and drop_path_rate \(dropPathRate) must lie in [0, 1)")
        }
        return self
    }
}

/// Hyper-parameters that do not fit together.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let model: String
    public let message: String
    public var description: String { "\(model): \(message)" }
}
