import Foundation
import GRDB

/// One evaluation of a run's averaged weights after an epoch: a row of `averaged_epochs`.
///
/// A run that keeps an average of its weights (EMA now, SWA later) evaluates the average beside
/// the raw weights; the raw weights' figures stay in ``EpochRecord`` and the average's come here,
/// named by `weights` (`ema`, `swa`), so a report can put them side by side.
public struct AveragedEpochRecord: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord, TableRecord {
    public static let databaseTableName = "averaged_epochs"

    public var runID: RunID
    /// The 1-based epoch after which the average was evaluated.
    public var epoch: Int
    /// Which average: `ema`, `swa`.
    public var weights: String
    public var valLoss: Double?
    /// Percent.
    public var top1: Double?
    /// Percent.
    public var top5: Double?
    public var evalImagesPerSecond: Double?
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case runID = "run_id"
        case epoch, weights
        case valLoss = "val_loss"
        case top1, top5
        case evalImagesPerSecond = "eval_images_per_second"
        case recordedAt = "recorded_at"
    }

    public init(runID: RunID, epoch: Int, weights: String, valLoss: Double?, top1: Double?, top5: Double?,
                evalImagesPerSecond: Double?, recordedAt: Date = Date()) {
        self.runID = runID
        self.epoch = epoch
        self.weights = weights
        self.valLoss = valLoss
        self.top1 = top1
        self.top5 = top5
        self.evalImagesPerSecond = evalImagesPerSecond
        self.recordedAt = recordedAt
    }
}
