import Foundation
import GRDB

/// One row of the `evaluations` table: a checkpoint measured on a dataset split by `runner validate`.
///
/// Independent of training runs: ``runID`` is set when the checkpoint is known to come from a run
/// in this store and is `nil` for outside weights (e.g. a timm checkpoint).
public struct EvaluationRecord: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord, TableRecord {
    public static let databaseTableName = "evaluations"

    /// Primary key; `nil` until inserted.
    public var id: Int64?
    /// The run that produced the checkpoint, if it is one of ours.
    public var runID: RunID?
    /// Path of the checkpoint file that was evaluated.
    public var checkpoint: String
    /// Dataset name.
    public var dataset: String
    /// Split, e.g. `val` or `test`.
    public var split: String
    /// Mean loss.
    public var loss: Double?
    /// Top-1 accuracy, percent.
    public var top1: Double?
    /// Top-5 accuracy, percent.
    public var top5: Double?
    /// Evaluation throughput.
    public var imagesPerSecond: Double?
    /// Number of images evaluated.
    public var samples: Int?
    /// When the row was written.
    public var recordedAt: Date
    /// The arithmetic of the evaluation's products: `float32`, or `bfloat16 (val_amp_level O2)`
    /// (`nil` for evaluations recorded before stores kept it: float32).
    public var precision: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case runID = "run_id"
        case checkpoint = "checkpoint_path"
        case dataset, split, loss, top1, top5
        case imagesPerSecond = "images_per_second"
        case samples
        case recordedAt = "recorded_at"
        case precision
    }

    /// Creates an evaluation row (``id`` is assigned by the store).
    public init(
        id: Int64? = nil, runID: RunID? = nil, checkpoint: String, dataset: String, split: String,
        loss: Double? = nil, top1: Double? = nil, top5: Double? = nil, imagesPerSecond: Double? = nil,
        samples: Int? = nil, recordedAt: Date = Date(), precision: String? = nil
    ) {
        self.id = id
        self.runID = runID
        self.checkpoint = checkpoint
        self.dataset = dataset
        self.split = split
        self.loss = loss
        self.top1 = top1
        self.top5 = top5
        self.imagesPerSecond = imagesPerSecond
        self.samples = samples
        self.recordedAt = recordedAt
        self.precision = precision
    }
}
