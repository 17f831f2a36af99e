import Foundation
import GRDB
import Testing
@testable import Results

@Suite struct StoreMigrationTests {
    @Test func freshFileGetsEveryMigrationWalModeAndFolders() throws {
        let folder = try TestFolder()
        let path = folder.path("nested/deeper/results.sqlite")
        let store = try ResultsStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.appliedMigrations() == ResultsSchema.migrationNames)

        let queue = try DatabaseQueue(path: path)
        let (mode, tables) = try queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
        }
        #expect(mode == "wal")
        #expect(tables.contains("runs") && tables.contains("epochs") && tables.contains("evaluations"))
        let epochColumns = try queue.read { db in try db.columns(in: "epochs").map(\.name) }
        #expect(epochColumns == ["run_id", "epoch", "train_loss", "val_loss", "top1", "top5", "train_images_per_second",
                                 "eval_images_per_second", "lr", "seconds", "recorded_at"])
    }

    @Test func olderFileIsUpgradedInPlaceKeepingItsRows() throws {
        let folder = try TestFolder()
        let path = folder.path("old.sqlite")
        // A file written by a runner that knew only the first migration.
        do {
            let queue = try DatabaseQueue(path: path)
            try ResultsSchema.migrator.migrate(queue, upTo: ResultsSchema.migrationNames[0])
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO runs (name, model, dataset, host, pid, started_at, heartbeat_at, status)
                    VALUES ('old', 'resnet18', 'cifar10', 'h', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00', 'finished')
                    """)
            }
        }
        let store = try ResultsStore(path: path)
        #expect(try store.appliedMigrations() == ResultsSchema.migrationNames)
        let runs = try store.runs()
        #expect(runs.map(\.run.name) == ["old"])
        #expect(runs.first?.status == .finished)

        // Opening again is a no-op.
        let again = try ResultsStore(path: path)
        #expect(try again.appliedMigrations() == ResultsSchema.migrationNames)
        #expect(try again.runs().count == 1)
    }
}
