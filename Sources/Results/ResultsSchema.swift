import GRDB

/// The store's schema as a list of named migrations.
///
/// Migrations are applied in order and recorded by name in `grdb_migrations`, so an old file is
/// upgraded in place when a newer `runner` opens it. Never edit a migration that has shipped: add
/// a new one.
enum ResultsSchema {
    /// Names of the migrations, in the order they run.
    static let migrationNames = ["v1-runs-epochs-evaluations", "v2-indexes", "v3-run-folders-averaged-epochs",
                                  "v4-run-precision"]

    /// The migrator that brings any store file up to date.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrationNames[0]) { db in
            try db.create(table: "runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("model", .text).notNull()
                t.column("dataset", .text).notNull()
                t.column("config_yaml", .text).notNull().defaults(to: "")
                t.column("config_hash", .text).notNull().defaults(to: "")
                t.column("parameters", .integer)
                t.column("world_size", .integer).notNull().defaults(to: 1)
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime)
                t.column("heartbeat_at", .datetime).notNull()
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('running', 'finished', 'failed', 'interrupted')")
                t.column("error", .text)
                t.column("epochs_planned", .integer)
                t.column("image_size", .integer)
                t.column("batch_size", .integer)
                t.column("notes", .text)
            }
            try db.create(table: "epochs") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("epoch", .integer).notNull()
                t.column("train_loss", .double)
                t.column("val_loss", .double)
                t.column("top1", .double)
                t.column("top5", .double)
                t.column("train_images_per_second", .double)
                t.column("eval_images_per_second", .double)
                t.column("lr", .double)
                t.column("seconds", .double)
                t.column("recorded_at", .datetime).notNull()
                t.primaryKey(["run_id", "epoch"])
            }
            try db.create(table: "evaluations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("run_id", .integer).references("runs", onDelete: .setNull)
                t.column("checkpoint_path", .text).notNull()
                t.column("dataset", .text).notNull()
                t.column("split", .text).notNull()
                t.column("loss", .double)
                t.column("top1", .double)
                t.column("top5", .double)
                t.column("images_per_second", .double)
                t.column("samples", .integer)
                t.column("recorded_at", .datetime).notNull()
            }
        }
        migrator.registerMigration(migrationNames[1]) { db in
            try db.create(index: "runs_started_at", on: "runs", columns: ["started_at"])
            try db.create(index: "runs_status", on: "runs", columns: ["status"])
            try db.create(index: "evaluations_run_id", on: "evaluations", columns: ["run_id"])
        }
        migrator.registerMigration(migrationNames[2]) { db in
            // The folder holding a run's recipe and checkpoints, so records and files can be matched.
            try db.alter(table: "runs") { t in t.add(column: "directory", .text) }
            // Evaluations of averaged weights (EMA, SWA) beside the raw weights' row in `epochs`.
            try db.create(table: "averaged_epochs") { t in
                t.column("run_id", .integer).notNull().references("runs", onDelete: .cascade)
                t.column("epoch", .integer).notNull()
                t.column("weights", .text).notNull()
                t.column("val_loss", .double)
                t.column("top1", .double)
                t.column("top5", .double)
                t.column("eval_images_per_second", .double)
                t.column("recorded_at", .datetime).notNull()
                t.primaryKey(["run_id", "epoch", "weights"])
            }
        }
        migrator.registerMigration(migrationNames[3]) { db in
            // The precision of a run's and an evaluation's products (float32, or bfloat16 under
            // amp_level / val_amp_level); NULL for rows recorded before: float32.
            try db.alter(table: "runs") { t in t.add(column: "precision", .text) }
            try db.alter(table: "evaluations") { t in t.add(column: "precision", .text) }
        }
        return migrator
    }
}
