import TensorEngine

/// Counts of correct top-1 and top-5 predictions from logits, summed over batches, so that
/// accuracy is correct samples over all samples (not an average of per-batch or per-rank rates).
///
/// A sample is correct at `k` when fewer than `k` classes score strictly higher than its label
/// (ties go in the label's favour; `torch.topk` breaks ties by position). NaN logits never count
/// as higher. With fewer than 5 classes top-5 is top-`C`.
public struct TopKAccuracy: Sendable, Equatable {
    /// Samples whose label has the highest logit.
    public private(set) var top1Correct: Int = 0
    /// Samples whose label is among the 5 highest logits.
    public private(set) var top5Correct: Int = 0
    /// Samples seen.
    public private(set) var sampleCount: Int = 0

    /// An empty counter.
    public init() {}

    /// Adds a batch: `logits` of shape `[B, C]` and `B` class indices in `0..<C`.
    public mutating func add(logits: Tensor, labels: [Int]) {
        guard logits.rank == 2, logits.shape[0] == labels.count else {
            EngineError.fail("TopKAccuracy.add", "logits \(logits.shape) do not match \(labels.count) labels")
        }
        let classes = logits.shape[1]
        let base = logits.data
        for (row, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "TopKAccuracy.add: label \(label) outside 0..<\(classes)")
            let scores = base + row * classes
            let target = scores[label]
            var higher = 0
            for c in 0..<classes where scores[c] > target { higher += 1 }
            if higher < 1 { top1Correct += 1 }
            if higher < 5 { top5Correct += 1 }
        }
        sampleCount += labels.count
    }

    /// Top-1 accuracy in percent (0 before any sample).
    public var top1: Double { sampleCount == 0 ? 0 : 100 * Double(top1Correct) / Double(sampleCount) }
    /// Top-5 accuracy in percent (0 before any sample).
    public var top5: Double { sampleCount == 0 ? 0 : 100 * Double(top5Correct) / Double(sampleCount) }

    /// Combines two counters (e.g. from data-parallel ranks).
    public mutating func merge(_ other: TopKAccuracy) {
        top1Correct += other.top1Correct
        top5Correct += other.top5Correct
        sampleCount += other.sampleCount
    }
}
