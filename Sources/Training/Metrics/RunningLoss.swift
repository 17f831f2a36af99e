/// The mean loss over an epoch with every batch weighted by its number of samples, so a short
/// last batch counts for what it holds (timm's and torchvision's `AverageMeter.update(val, n)`).
public struct RunningLoss: Sendable, Equatable {
    /// Σ loss·samples.
    public private(set) var weightedSum: Double = 0
    /// Σ samples.
    public private(set) var sampleCount: Int = 0

    /// An empty meter.
    public init() {}

    /// Adds a batch whose mean loss was `loss` over `samples` samples.
    public mutating func add(_ loss: Double, samples: Int) {
        precondition(samples >= 0, "RunningLoss: negative sample count")
        weightedSum += loss * Double(samples)
        sampleCount += samples
    }

    /// The sample-weighted mean, or 0 before any sample.
    public var mean: Double { sampleCount == 0 ? 0 : weightedSum / Double(sampleCount) }

    /// Combines two meters (e.g. from data-parallel ranks).
    public mutating func merge(_ other: RunningLoss) {
        weightedSum += other.weightedSum
        sampleCount += other.sampleCount
    }
}
