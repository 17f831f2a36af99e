import Foundation
import TensorEngine
import Datasets
import Layers
import Models
import Training
import Distributed

/// Loss and accuracy of a model over a whole split, weighted by samples (not averaged over batches
/// or ranks, so the figure is the split's true accuracy).
public struct EvaluationResult: Sendable, Equatable {
    public var loss: Double
    /// Percent.
    public var top1: Double
    /// Percent.
    public var top5: Double
    public var samples: Int
    public var imagesPerSecond: Double
    public var seconds: Double
}

public enum Evaluator {
    /// Runs the model in evaluation mode (no tape, running statistics) over every batch of `source`.
    /// `progress` is told after each batch how many samples are done and the running loss.
    ///
    /// With several processes each evaluates its own shard of the split (every sample on exactly
    /// one rank) and the loss sum, correct counts and samples are summed over the ranks before the
    /// one division, so the figures are the whole split's whether or not it divides by the ranks
    /// (MindCV averages per-rank percentages instead). Every rank gets the same result.
    public static func evaluate(_ model: any ClassificationModel, on source: BatchSource,
                                group: any ProcessGroup = SingleProcess(),
                                progress: ((_ done: Int, _ loss: Double) -> Void)? = nil) throws -> EvaluationResult {
        var loss = RunningLoss()
        var accuracy = TopKAccuracy()
        let start = Date()
        let context = ForwardContext.evaluation()
        for index in 0..<source.batchesPerEpoch {
            let batch = try source.batch(index, epoch: 0)
            try Tape.withoutRecording {
                let logits = model(batch.images, context)
                let value = Tensor.crossEntropy(logits: logits, labels: batch.labels).item
                guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: nil, batch: index, value: Double(value)) }
                loss.add(Double(value), samples: batch.count)
                accuracy.add(logits: logits, labels: batch.labels.map(Int.init))
            }
            progress?(loss.sampleCount, loss.mean)
        }
        let seconds = Date().timeIntervalSince(start)
        guard group.worldSize > 1 else {
            return EvaluationResult(loss: loss.mean, top1: accuracy.top1, top5: accuracy.top5, samples: loss.sampleCount,
                                    imagesPerSecond: Double(loss.sampleCount) / max(seconds, 1e-9), seconds: seconds)
        }
        let total = group.sum([loss.weightedSum, Double(loss.sampleCount), Double(accuracy.top1Correct),
                               Double(accuracy.top5Correct), seconds])
        let samples = total[1], meanSeconds = total[4] / Double(group.worldSize)
        return EvaluationResult(loss: samples > 0 ? total[0] / samples : 0, top1: samples > 0 ? 100 * total[2] / samples : 0,
                                top5: samples > 0 ? 100 * total[3] / samples : 0, samples: Int(samples),
                                imagesPerSecond: samples / max(meanSeconds, 1e-9), seconds: meanSeconds)
    }
}

/// Failures of a training or evaluation run that the user must act on.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int?, batch: Int, value: Double)
    case unsupported(String)
    case checkpoint(String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let batch, let value):
            return "loss became \(value) at batch \(batch)\(epoch.map { " of epoch \($0)" } ?? ""); lower lr or enable clip_grad"
        case .unsupported(let message):
            return message
        case .checkpoint(let message):
            return message
        }
    }
}
