import Foundation
import GRDB

/// One row of the `epochs` table: the metrics of one epoch of one run.
///
/// `(runID, epoch)` is unique: a resumed run that records an epoch again replaces the earlier row,
/// so the table always holds the history of the attempt that got furthest.
/// Accuracies are percentages (0–100), as MindCV and timm print them.
public struct EpochRecord: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord, TableRecord {
    public static let databaseTableName = "epochs"

    /// The run this epoch belongs to.
    public var runID: RunID
    /// Epoch number, 1-based as the trainer prints it.
    public var epoch: Int
    /// Mean training loss over the epoch.
    public var trainLoss: Double?
    /// Validation loss, if the epoch was evaluated.
    public var valLoss: Double?
    /// Validation top-1 accuracy, percent.
    public var top1: Double?
    /// Validation top-5 accuracy, percent.
    public var top5: Double?
    /// Training throughput, images per second.
    public var trainImagesPerSecond: Double?
    /// Evaluation throughput, images per second.
    public var evalImagesPerSecond: Double?
    /// Learning rate at the end of the epoch (first parameter group).
    public var lr: Double?
    /// Wall-clock seconds the epoch took, evaluation included.
    public var seconds: Double?
    /// When the row was written.
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case runID = "run_id"
        case epoch
        case trainLoss = "train_loss"
        case valLoss = "val_loss"
        case top1, top5
        case trainImagesPerSecond = "train_images_per_second"
        case evalImagesPerSecond = "eval_images_per_second"
        case lr, seconds
        case recordedAt = "recorded_at"
    }

    /// Creates an epoch row; every metric is optional because not every epoch is evaluated.
    public init(
        runID: RunID, epoch: Int, trainLoss: Double? = nil, valLoss: Double? = nil, top1: Double? = nil,
        top5: Double? = nil, trainImagesPerSecond: Double? = nil, evalImagesPerSecond: Double? = nil,
        lr: Double? = nil, seconds: Double? = nil, recordedAt: Date = Date()
    ) {
        self.runID = runID
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.top1 = top1
        self.top5 = top5
        self.trainImagesPerSecond = trainImagesPerSecond
        self.evalImagesPerSecond = evalImagesPerSecond
        self.lr = lr
        self.seconds = seconds
        self.recordedAt = recordedAt
    }
}
