import Foundation
import Testing
import Results

/// Runs stopped by SIGKILL and SIGINT: the store still opens, the last checkpoint resumes, and the
/// resumed run's epochs equal those of a run that never stopped.
@Suite(.serialized) struct InterruptionTests {
    /// Long enough (a few seconds) to be stopped mid-epoch.
    static let recipe = """
        model: swinv2_tiny_window8_256
        model_kwargs: {img_size: 16, patch_size: 2, embed_dim: 32, depths: [2, 2], num_heads: [2, 4], window_size: 4}
        num_classes: 4
        in_channels: 1
        image_resize: 16
        dataset: synthetic
        num_samples: 2048
        batch_size: 32
        epoch_size: 4
        opt: adamw
        lr: 0.001
        warmup_epochs: 1
        decay_epochs: 3
        val_while_train: False
        log_interval: 8
        """

    /// Waits until the store shows `epochs` finished epochs of run 1.
    static func waitForEpochs(_ epochs: Int, store path: String, timeout: Double = 120) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path),
               let store = try? ResultsStore(path: path), let rows = try? store.epochs(run: RunID(1)), rows.count >= epochs {
                return true
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    static func uninterruptedLosses() throws -> [Double?] {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("run.yaml", recipe)
        let result = try scratch.run(["train", "-c", "run.yaml"])
        #expect(result.status == 0, "\(result.combined)")
        return try ResultsStore(path: scratch.path("runs/results.sqlite")).epochs(run: RunID(1)).map(\.trainLoss)
    }

    @Test func killedRunLeavesAnOpenableStoreAndAResumableCheckpoint() throws {
        let reference = try Self.uninterruptedLosses()
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("run.yaml", Self.recipe)
        let (process, _, _) = try scratch.start(["train", "-c", "run.yaml"])
        #expect(try Self.waitForEpochs(1, store: scratch.path("runs/results.sqlite")))
        Thread.sleep(forTimeInterval: 0.2)   // into the second epoch
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let store = try ResultsStore(path: scratch.path("runs/results.sqlite"))
        let run = try #require(try store.run(RunID(1)))
        #expect(run.status == .died, "a killed run reads as died, got \(run.status)")
        let resumed = try scratch.run(["train", "--resume", "\(try scratch.runFolder())/last.safetensors"])
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(try store.epochs(run: RunID(1)).map(\.trainLoss) == reference)
        #expect(try store.run(RunID(1))?.status == .finished)
    }

    @Test func interruptedRunRecordsItselfAndResumesExactly() throws {
        let reference = try Self.uninterruptedLosses()
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("run.yaml", Self.recipe)
        let (process, _, err) = try scratch.start(["train", "-c", "run.yaml"])
        let log = PipeReader(err)
        #expect(try Self.waitForEpochs(2, store: scratch.path("runs/results.sqlite")))
        Thread.sleep(forTimeInterval: 0.2)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let text = log.wait()
        #expect(process.terminationStatus == 128 + SIGINT, "\(text)")
        #expect(text.contains("interrupted by signal"), "\(text)")

        let store = try ResultsStore(path: scratch.path("runs/results.sqlite"))
        #expect(try store.run(RunID(1))?.status == .interrupted)
        let resumed = try scratch.run(["train", "--resume", "\(try scratch.runFolder())/last.safetensors"])
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(try store.epochs(run: RunID(1)).map(\.trainLoss) == reference)
    }
}
