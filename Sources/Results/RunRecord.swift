import Foundation
import GRDB

/// One row of the `runs` table: what was trained, where, by which process, and how it ended.
///
/// Written by ``ResultsStore/startRun(name:model:dataset:configYAML:configHash:parameters:worldSize:epochsPlanned:imageSize:batchSize:notes:directory:precision:startedAt:)``
/// and updated by the heartbeat, resume and finish calls; read back by
/// ``ResultsStore/runs(filter:sort:)``.
public struct RunRecord: Sendable, Codable, Equatable, FetchableRecord, PersistableRecord, TableRecord {
    public static let databaseTableName = "runs"

    /// Primary key.
    public var id: RunID
    /// A human label, e.g. the recipe's file name or `--name`.
    public var name: String
    /// Model registry name, e.g. `swinv2_tiny_window8`.
    public var model: String
    /// Dataset name, e.g. `fashion-mnist` or `imagenet`.
    public var dataset: String
    /// The full, resolved recipe as YAML, so a run can be repeated from the store alone.
    public var configYAML: String
    /// The fingerprint of the config its writer gave (for runs of a recipe, `Experiment.configHash`:
    /// equal for runs of the same settings); empty when none was given.
    public var configHash: String
    /// Number of trainable parameters.
    public var parameters: Int?
    /// Number of data-parallel processes (1 for a single process).
    public var worldSize: Int
    /// Host name of the machine whose process writes this run.
    public var host: String
    /// Process id of the writer on ``host``; used to notice a run whose process has gone.
    public var pid: Int32
    /// When the run started.
    public var startedAt: Date
    /// When the run ended (any terminal status); `nil` while running.
    public var finishedAt: Date?
    /// The writer's last sign of life.
    public var heartbeatAt: Date
    /// The status the writer last recorded (never ``RunStatus/died``).
    public var status: RunStatus
    /// The error message of a failed run.
    public var error: String?
    /// Epochs the recipe asks for.
    public var epochsPlanned: Int?
    /// Training input resolution (square side, pixels).
    public var imageSize: Int?
    /// Global batch size.
    public var batchSize: Int?
    /// Free text.
    public var notes: String?
    /// The folder holding the run's recipe and checkpoints (`nil` for runs recorded before
    /// stores kept it).
    public var directory: String?
    /// The arithmetic of the run's products: `float32`, or `bfloat16` with the recipe's level, e.g.
    /// `bfloat16 (amp_level O2)` (`nil` for runs recorded before stores kept it: float32).
    public var precision: String?

    /// ``precision``, with float32 for runs recorded before stores kept it.
    public var precisionLabel: String { precision ?? "float32" }

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, name, model, dataset
        case configYAML = "config_yaml"
        case configHash = "config_hash"
        case parameters
        case worldSize = "world_size"
        case host, pid
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case heartbeatAt = "heartbeat_at"
        case status, error
        case epochsPlanned = "epochs_planned"
        case imageSize = "image_size"
        case batchSize = "batch_size"
        case notes, directory, precision
    }

    /// Creates a row value; ``ResultsStore`` fills host, pid and times itself when it starts a run.
    public init(
        id: RunID, name: String, model: String, dataset: String, configYAML: String, configHash: String,
        parameters: Int?, worldSize: Int, host: String, pid: Int32, startedAt: Date, finishedAt: Date?,
        heartbeatAt: Date, status: RunStatus, error: String?, epochsPlanned: Int?, imageSize: Int?,
        batchSize: Int?, notes: String?, directory: String? = nil, precision: String? = nil
    ) {
        self.id = id
        self.name = name
        self.model = model
        self.dataset = dataset
        self.configYAML = configYAML
        self.configHash = configHash
        self.parameters = parameters
        self.worldSize = worldSize
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.heartbeatAt = heartbeatAt
        self.status = status
        self.error = error
        self.epochsPlanned = epochsPlanned
        self.imageSize = imageSize
        self.batchSize = batchSize
        self.notes = notes
        self.directory = directory
        self.precision = precision
    }
}
