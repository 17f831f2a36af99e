/// Every hyper-parameter of a Twins network (SVT or PCPVT), with timm's defaults for `twins_svt_small`.
public struct TwinsConfiguration: Sendable, Equatable {
    public var imageSize = 224
    /// The first stage's patch size; later stages embed 2×2 patches.
    public var patchSize = 4
    public var inChannels = 3
    public var classes = 1000
    public var embedDims = [64, 128, 256, 512]
    public var depths = [2, 2, 10, 4]
    public var heads = [2, 4, 8, 16]
    public var mlpRatios: [Float] = [4, 4, 4, 4]
    /// Sub-sampling ratio of the global attention's keys and values per stage.
    public var subsamplingRatios = [8, 4, 2, 1]
    /// Local window per stage for SVT (even blocks attend within windows); nil for PCPVT
    /// (every block global).
    public var windowSizes: [Int]? = [7, 7, 7, 7]
    public var dropRate: Float = 0
    public var projectionDropRate: Float = 0
    public var attentionDropRate: Float = 0
    public var dropPathRate: Float = 0

    public init() {}

    public var stageCount: Int { depths.count }

    /// Token-map side entering stage `i`'s blocks.
    public func resolution(ofStage i: Int) -> Int {
        var side = imageSize / patchSize
        for _ in 0..<i { side /= 2 }
        return side
    }

    public func validated() throws -> TwinsConfiguration {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(model: "Twins", message: message) }
        let n = depths.count
        guard n > 0, embedDims.count == n, heads.count == n, mlpRatios.count == n, subsamplingRatios.count == n,
              windowSizes.map({ $0.count == n }) ?? true else {
            throw fail("embed_dims \(embedDims), depths \(depths), num_heads \(heads), mlp_ratios \(mlpRatios), sr_ratios \(subsamplingRatios) and wss \(windowSizes ?? []) need one entry per stage")
        }
        var side = imageSize
        for i in 0..<n {
            let patch = i == 0 ? patchSize : 2
            guard patch > 0, side % patch == 0 else {
                throw fail("stage \(i) embeds \(patch)×\(patch) patches of a \(side)-pixel map; img_size \(imageSize) must divide evenly")
            }
            side /= patch
            guard embedDims[i] % heads[i] == 0 else {
                throw fail("stage \(i) has \(embedDims[i]) channels, not divisible by num_heads \(heads[i])")
            }
            guard subsamplingRatios[i] >= 1 else { throw fail("sr_ratios must be at least 1: \(subsamplingRatios)") }
        }
        guard (0..<1).contains(dropPathRate), (0..<1).contains(dropRate) else {
            throw fail("drop_rate \(dropRate) and drop_path_rate \(dropPathRate) must lie in [0, 1)")
        }
        return self
    }
}
