import Foundation
import Testing
import Results

/// `mpirun -np 2 runner train` on this machine (Open MPI from `tools/setup.sh`): data-parallel
/// training equals one process with the batch doubled, rank 0 alone records, validation counts
/// every sample once, and a killed rank ends the job.
@Suite(.serialized) struct DistributedTrainingTests {
    /// A LayerNorm network (no batch statistics to differ per rank), no drop path, unshuffled
    /// synthetic samples: rank r's batch k is samples r, r + 2, … of one process's batch k of twice
    /// the size, so the averaged gradient, and every update, is the same.
    static func recipe(batch: Int, samples: Int = 64, epochs: Int = 2) -> String {
        """
        model: swinv2_tiny_window8_256
        model_kwargs: {img_size: 16, patch_size: 4, embed_dim: 16, depths: [1, 1], num_heads: [2, 2], window_size: 2}
        num_classes: 4
        in_channels: 1
        image_resize: 16
        drop_path_rate: 0.0
        dataset: synthetic
        num_samples: \(samples)
        batch_size: \(batch)
        val_batch_size: 5
        epoch_size: \(epochs)
        opt: adamw
        lr: 0.002
        warmup_epochs: 0
        decay_epochs: 2
        val_while_train: True
        distribute: True

        """
    }

    @Test func twoRanksTrainAsOneProcessWithTheBatchDoubled() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("two.yaml", Self.recipe(batch: 8))
        try scratch.write("one.yaml", Self.recipe(batch: 16))
        let two = try scratch.run(["train", "-c", "two.yaml", "--db", "two.sqlite"], ranks: 2)
        #expect(two.status == 0, "\(two.combined)")
        #expect(two.standardError.contains("data-parallel over 2 processes"), "\(two.standardError)")
        let one = try scratch.run(["train", "-c", "one.yaml", "--db", "one.sqlite"])
        #expect(one.status == 0, "\(one.combined)")
        #expect(one.standardError.contains("note: distribute: True, but no launcher"), "\(one.standardError)")

        let parallel = try #require(try ResultsStore(path: scratch.path("two.sqlite")).runs().first)
        let single = try #require(try ResultsStore(path: scratch.path("one.sqlite")).runs().first)
        #expect(try ResultsStore(path: scratch.path("two.sqlite")).runs().count == 1, "rank 0 alone records")
        #expect(parallel.run.worldSize == 2 && parallel.status == .finished)
        #expect(parallel.epochs.count == 2 && single.epochs.count == 2)
        for (a, b) in zip(parallel.epochs, single.epochs) {
            let (p, s) = (try #require(a.trainLoss), try #require(b.trainLoss))
            #expect(abs(p - s) <= 1e-3 * abs(s), "epoch \(a.epoch): train loss \(p) on two ranks, \(s) on one")
            #expect(a.top1 == b.top1, "epoch \(a.epoch): top-1 \(String(describing: a.top1)) vs \(String(describing: b.top1))")
        }
        // The checkpoint validated on one process gives the distributed run's last top-1.
        let folder = try scratch.runFolder(store: "two.sqlite")
        let validate = try scratch.run(["validate", "--ckpt", "\(folder)/last.safetensors", "--db", "two.sqlite"])
        #expect(validate.status == 0, "\(validate.combined)")
        let evaluation = try #require(try ResultsStore(path: scratch.path("two.sqlite")).evaluations().first)
        #expect(evaluation.top1 == parallel.epochs.last?.top1)
    }

    /// A rank killed mid-run ends the job within a minute; the store does not show the run as
    /// running, and `--resume` continues it on one process. The job is far longer than the test
    /// waits (10 000 epochs of a fraction of a second), so the kill always lands mid-run.
    @Test func aKilledRankEndsTheJob() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("long.yaml", Self.recipe(batch: 8, samples: 1024, epochs: 10_000))
        let (mpirun, out, err) = try scratch.start(["train", "-c", "long.yaml"], ranks: 2)
        let errors = PipeReader(err)
        _ = PipeReader(out)
        // Wait for the first epoch's checkpoint, then kill rank 1 (a child of mpirun).
        let deadline = Date().addingTimeInterval(120)
        func started() -> Bool {
            guard FileManager.default.fileExists(atPath: scratch.path("runs/results.sqlite")),
                  let folder = (try? ResultsStore(path: scratch.path("runs/results.sqlite")).runs())?.first?.run.directory
            else { return false }
            return FileManager.default.fileExists(atPath: "\(folder)/last.safetensors")
        }
        while Date() < deadline, !started() { Thread.sleep(forTimeInterval: 0.5) }
        Thread.sleep(forTimeInterval: 1)
        let ranks = try Self.children(of: mpirun.processIdentifier)
        #expect(ranks.count == 2, "ranks \(ranks)")
        let killedAt = Date()
        if let victim = ranks.last { kill(victim, SIGKILL) }
        mpirun.waitUntilExit()
        let waited = Date().timeIntervalSince(killedAt)
        #expect(waited < 60, "the job took \(waited) s to end")
        #expect(mpirun.terminationStatus != 0)
        _ = errors.wait()
        // mpirun ends rank 0 too; the store then shows the run as died (its process is gone).
        var status = RunStatus.running
        for _ in 0..<30 where status == .running {
            status = try #require(try ResultsStore(path: scratch.path("runs/results.sqlite")).runs().first).status
            if status == .running { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(status == .died || status == .failed || status == .interrupted, "\(status)")
        // Resume for one epoch more than the checkpoint holds, on one process.
        let folder = try scratch.runFolder()
        let recorded = try #require(try ResultsStore(path: scratch.path("runs/results.sqlite")).runs().first).epochs.count
        let resumed = try scratch.run(["train", "--resume", "\(folder)/last.safetensors", "--set", "epoch_size=\(recorded + 1)"])
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(resumed.standardError.contains("epoch \(recorded + 1): train loss"), "\(resumed.standardError)")
    }

    /// The process ids whose parent is `parent`.
    static func children(of parent: Int32) throws -> [Int32] {
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc")
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }.sorted()
    }
}
