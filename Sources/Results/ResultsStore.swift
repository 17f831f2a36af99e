import Foundation
import GRDB
import TextMatching

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SQLite file where every run, epoch and evaluation is recorded, and the queries reports use.
///
/// One store is usually shared by several processes: a few `runner train` jobs writing their
/// epochs while `runner report` reads. The store is built for that:
///
/// - The file is opened as a GRDB `DatabasePool` in WAL mode, so readers never block the writer
///   and see consistent snapshots.
/// - Every write is one short `IMMEDIATE` transaction committed at once; a writer that finds
///   another process's transaction in progress waits up to `busyTimeout` seconds instead of failing
///   with `SQLITE_BUSY`.
/// - Opening (creating the file, switching to WAL, running migrations) happens under an exclusive
///   `flock(2)` on a sibling `<file>.lock`, so two processes creating the same store at the same
///   moment do not both try to run the same migration.
///
/// A run whose process vanished stays `running` in the file; reads report it as
/// ``RunStatus/died`` via ``liveness`` (computed on read, never written).
public final class ResultsStore: Sendable {
    /// Where `runner` keeps its store unless told otherwise.
    public static let defaultPath = "runs/results.sqlite"

    /// The database file.
    public let path: String
    /// How reads decide that a `running` run has died.
    public let liveness: LivenessPolicy
    private let pool: DatabasePool

    /// Opens the store at `path`, creating the file and its folders if needed and applying any
    /// pending migrations.
    ///
    /// - Parameters:
    ///   - path: The SQLite file, e.g. ``defaultPath``.
    ///   - liveness: How to detect dead runs on read.
    ///   - busyTimeout: Seconds a write waits for another process's transaction before failing.
    public init(path: String, liveness: LivenessPolicy = .standard, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        self.liveness = liveness
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "ResultsStore"
        pool = try Self.withExclusiveFileLock(path + ".lock") {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try ResultsSchema.migrator.migrate(pool)
            return pool
        }
    }

    // MARK: Writing runs

    /// Records the start of a run and returns its id.
    ///
    /// The row gets this host, this process id and `startedAt` as its start and first heartbeat;
    /// status is `running`. `configHash` is stored as given: the caller's fingerprint of the
    /// config (the trainer passes `Experiment.configHash`), empty when there is none.
    @discardableResult
    public func startRun(
        name: String, model: String, dataset: String, configYAML: String = "", configHash: String = "",
        parameters: Int? = nil, worldSize: Int = 1, epochsPlanned: Int? = nil, imageSize: Int? = nil,
        batchSize: Int? = nil, notes: String? = nil, directory: String? = nil, precision: String? = nil,
        startedAt: Date = Date()
    ) throws -> RunID {
        let host = liveness.hostName
        let pid = getpid()
        return try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (name, model, dataset, config_yaml, config_hash, parameters, world_size,
                        host, pid, started_at, heartbeat_at, status, epochs_planned, image_size, batch_size, notes,
                        directory, precision)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [name, model, dataset, configYAML, configHash, parameters, worldSize, host, pid,
                            startedAt, startedAt, epochsPlanned, imageSize, batchSize, notes, directory, precision])
            return RunID(db.lastInsertedRowID)
        }
    }

    /// Records one epoch, replacing an earlier row for the same run and epoch (a resumed run
    /// re-doing an epoch). Committed before returning; also counts as a heartbeat.
    public func recordEpoch(_ epoch: EpochRecord) throws {
        try pool.write { db in
            try Self.requireRun(epoch.runID, db)
            try epoch.insert(db, onConflict: .replace)
            try db.execute(sql: "UPDATE runs SET heartbeat_at = ? WHERE id = ?", arguments: [epoch.recordedAt, epoch.runID])
        }
    }

    /// Records one epoch from its metrics; see ``recordEpoch(_:)``. Accuracies are percentages.
    public func recordEpoch(
        run: RunID, epoch: Int, trainLoss: Double? = nil, valLoss: Double? = nil, top1: Double? = nil,
        top5: Double? = nil, trainImagesPerSecond: Double? = nil, evalImagesPerSecond: Double? = nil,
        lr: Double? = nil, seconds: Double? = nil, recordedAt: Date = Date()
    ) throws {
        try recordEpoch(EpochRecord(
            runID: run, epoch: epoch, trainLoss: trainLoss, valLoss: valLoss, top1: top1, top5: top5,
            trainImagesPerSecond: trainImagesPerSecond, evalImagesPerSecond: evalImagesPerSecond,
            lr: lr, seconds: seconds, recordedAt: recordedAt))
    }

    /// Records the evaluation of a run's averaged weights (EMA, SWA) after an epoch, replacing an
    /// earlier row for the same run, epoch and weights.
    public func recordAveragedEpoch(_ record: AveragedEpochRecord) throws {
        try pool.write { db in
            try Self.requireRun(record.runID, db)
            try record.insert(db, onConflict: .replace)
        }
    }

    /// Tells readers the run's process is alive. Call it well within ``LivenessPolicy/staleAfter``.
    public func heartbeat(run: RunID, at date: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE runs SET heartbeat_at = ? WHERE id = ?", arguments: [date, run])
            if db.changesCount == 0 { throw ResultsStoreError.unknownRun(run) }
        }
    }

    /// Replaces a run's notes (what the trainer learns while running, such as unreadable files
    /// skipped, joins the notes it started with).
    public func updateNotes(run: RunID, notes: String?) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE runs SET notes = ? WHERE id = ?", arguments: [notes, run])
            if db.changesCount == 0 { throw ResultsStoreError.unknownRun(run) }
        }
    }

    /// Records how a run ended: `finished`, `failed` (with the error message) or `interrupted`.
    public func finishRun(run: RunID, status: RunStatus, error: String? = nil, at date: Date = Date()) throws {
        guard status.isTerminal else { throw ResultsStoreError.notATerminalStatus(status) }
        try pool.write { db in
            try db.execute(
                sql: "UPDATE runs SET status = ?, error = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?",
                arguments: [status, error, date, date, run])
            if db.changesCount == 0 { throw ResultsStoreError.unknownRun(run) }
        }
    }

    /// Marks an existing run as `running` again, owned by this process, when training resumes
    /// from a checkpoint. Clears the end time and error.
    ///
    /// - Parameter discardingEpochsAfter: When resuming from the checkpoint of epoch *n* after a
    ///   crash, pass *n*: rows the dead attempt recorded after it are deleted, so the history never
    ///   mixes two attempts. `nil` keeps every row (later ones are replaced as they are re-recorded).
    public func resumeRun(_ id: RunID, discardingEpochsAfter lastKeptEpoch: Int? = nil, at date: Date = Date()) throws {
        let host = liveness.hostName
        let pid = getpid()
        try pool.write { db in
            try db.execute(
                sql: """
                    UPDATE runs SET status = 'running', finished_at = NULL, error = NULL,
                        heartbeat_at = ?, host = ?, pid = ? WHERE id = ?
                    """,
                arguments: [date, host, pid, id])
            if db.changesCount == 0 { throw ResultsStoreError.unknownRun(id) }
            if let lastKeptEpoch {
                try db.execute(sql: "DELETE FROM epochs WHERE run_id = ? AND epoch > ?", arguments: [id, lastKeptEpoch])
                try db.execute(sql: "DELETE FROM averaged_epochs WHERE run_id = ? AND epoch > ?",
                               arguments: [id, lastKeptEpoch])
            }
        }
    }

    /// Records a checkpoint evaluation and returns its row id.
    @discardableResult
    public func recordEvaluation(_ evaluation: EvaluationRecord) throws -> Int64 {
        try pool.write { db in
            if let run = evaluation.runID { try Self.requireRun(run, db) }
            var row = evaluation
            row.id = nil
            try row.insert(db)
            return db.lastInsertedRowID
        }
    }

    // MARK: Reading

    /// Runs passing `filter`, in `sort` order, each with its epochs and effective status.
    public func runs(filter: RunFilter = .all, sort: RunSort = .byStart) throws -> [RunSummary] {
        let (runs, epochs) = try pool.read { db in
            (try RunRecord.fetchAll(db), try EpochRecord.order(Column("run_id"), Column("epoch")).fetchAll(db))
        }
        let epochsByRun = Dictionary(grouping: epochs, by: \.runID)
        let summaries = runs.map {
            RunSummary(run: $0, status: liveness.effectiveStatus(of: $0), epochs: epochsByRun[$0.id] ?? [])
        }
        return sort.sorted(summaries.filter(filter.matches))
    }

    /// One run with its epochs and effective status, or nil if there is no such run.
    public func run(_ id: RunID) throws -> RunSummary? {
        let found = try pool.read { db -> (RunRecord, [EpochRecord])? in
            guard let run = try RunRecord.fetchOne(db, key: id.rawValue) else { return nil }
            let epochs = try EpochRecord.filter(Column("run_id") == id.rawValue).order(Column("epoch")).fetchAll(db)
            return (run, epochs)
        }
        return found.map { RunSummary(run: $0.0, status: liveness.effectiveStatus(of: $0.0), epochs: $0.1) }
    }

    /// A run's epochs, ascending.
    public func epochs(run: RunID) throws -> [EpochRecord] {
        try pool.read { db in
            try EpochRecord.filter(Column("run_id") == run.rawValue).order(Column("epoch")).fetchAll(db)
        }
    }

    /// A run's averaged-weight evaluations, by epoch and then weights name.
    public func averagedEpochs(run: RunID) throws -> [AveragedEpochRecord] {
        try pool.read { db in
            try AveragedEpochRecord.filter(Column("run_id") == run.rawValue)
                .order(Column("epoch"), Column("weights")).fetchAll(db)
        }
    }

    /// Evaluations, oldest first, optionally only those of one run and/or matching a dataset pattern.
    public func evaluations(run: RunID? = nil, dataset: GlobPattern? = nil) throws -> [EvaluationRecord] {
        let rows = try pool.read { db in
            var request = EvaluationRecord.order(Column("recorded_at"), Column("id"))
            if let run { request = request.filter(Column("run_id") == run.rawValue) }
            return try request.fetchAll(db)
        }
        guard let dataset else { return rows }
        return rows.filter { dataset.matches($0.dataset) }
    }

    /// Names of the migrations applied to the file, in order (for `runner report --schema` and tests).
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try ResultsSchema.migrator.appliedMigrations(db) }
    }

    // MARK: Helpers

    private static func requireRun(_ id: RunID, _ db: Database) throws {
        guard try RunRecord.exists(db, key: id.rawValue) else { throw ResultsStoreError.unknownRun(id) }
    }

    /// Runs `body` while holding an exclusive `flock(2)` on `lockPath` (created if needed).
    private static func withExclusiveFileLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return try body() }  // read-only folder: no lock, still usable for reading
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { break }
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }
}
