import Foundation
import Testing
@testable import Results

@Suite struct RunLifecycleTests {
    @Test func startRecordFinish() throws {
        let folder = try TestFolder()
        let store = try ResultsStore(path: folder.path("r.sqlite"))
        let yaml = "model: resnet18\nlr: 0.1\n"
        let id = try store.startRun(name: "baseline", model: "resnet18", dataset: "fashion-mnist", configYAML: yaml,
                                    configHash: "0123456789abcdef", parameters: 11_200_000, epochsPlanned: 3,
                                    imageSize: 28, batchSize: 64, notes: "first")
        var summary = try #require(try store.run(id))
        #expect(summary.status == .running)
        #expect(summary.run.pid == getpid())
        #expect(summary.run.host == LivenessPolicy.currentHostName)
        #expect(summary.run.configYAML == yaml && summary.run.configHash == "0123456789abcdef")
        #expect(summary.run.finishedAt == nil)

        for epoch in 1...3 {
            try store.recordEpoch(run: id, epoch: epoch, trainLoss: 1.0 / Double(epoch), valLoss: 1.2 / Double(epoch),
                                  top1: 60 + Double(epoch) * 5, top5: 90, trainImagesPerSecond: 100, lr: 0.1, seconds: 10)
        }
        try store.heartbeat(run: id)
        try store.finishRun(run: id, status: .finished)
        summary = try #require(try store.run(id))
        #expect(summary.status == .finished)
        #expect(summary.run.finishedAt != nil)
        #expect(summary.epochs.map(\.epoch) == [1, 2, 3])
        #expect(summary.bestEpoch?.epoch == 3)
        #expect(try store.epochs(run: id).count == 3)
    }

    @Test func failedRunKeepsItsErrorAndBadStatusesAreRejected() throws {
        let folder = try TestFolder()
        let store = try ResultsStore(path: folder.path("r.sqlite"))
        let id = try store.startRun(name: "x", model: "m", dataset: "d")
        #expect(throws: ResultsStoreError.notATerminalStatus(.died)) { try store.finishRun(run: id, status: .died) }
        #expect(throws: ResultsStoreError.notATerminalStatus(.running)) { try store.finishRun(run: id, status: .running) }
        try store.finishRun(run: id, status: .failed, error: "NaN loss at step 12")
        let run = try #require(try store.run(id)).run
        #expect(run.status == .failed)
        #expect(run.error == "NaN loss at step 12")
        #expect(throws: ResultsStoreError.unknownRun(RunID(999))) { try store.heartbeat(run: RunID(999)) }
        #expect(throws: ResultsStoreError.unknownRun(RunID(999))) { try store.recordEpoch(run: RunID(999), epoch: 1) }
    }

    @Test func resumeReplacesReRecordedEpochs() throws {
        let folder = try TestFolder()
        let store = try ResultsStore(path: folder.path("r.sqlite"))
        let id = try store.startRun(name: "resumable", model: "m", dataset: "d", epochsPlanned: 4)
        for epoch in 1...3 { try store.recordEpoch(run: id, epoch: epoch, trainLoss: 9, top1: 10) }
        try store.finishRun(run: id, status: .interrupted)

        try store.resumeRun(id)
        let resumed = try #require(try store.run(id))
        #expect(resumed.status == .running)
        #expect(resumed.run.finishedAt == nil && resumed.run.error == nil)

        // The checkpoint was from epoch 2: epoch 3 is trained again and replaces the old row.
        try store.recordEpoch(run: id, epoch: 3, trainLoss: 0.5, top1: 70)
        try store.recordEpoch(run: id, epoch: 4, trainLoss: 0.4, top1: 75)
        let epochs = try store.epochs(run: id)
        #expect(epochs.map(\.epoch) == [1, 2, 3, 4])
        #expect(epochs[2].trainLoss == 0.5 && epochs[2].top1 == 70)
    }

    @Test func resumeCanDiscardEpochsAfterTheCheckpoint() throws {
        let folder = try TestFolder()
        let store = try ResultsStore(path: folder.path("r.sqlite"))
        let id = try store.startRun(name: "crashy", model: "m", dataset: "d")
        for epoch in 1...5 { try store.recordEpoch(run: id, epoch: epoch, trainLoss: 1) }
        try store.resumeRun(id, discardingEpochsAfter: 3)
        #expect(try store.epochs(run: id).map(\.epoch) == [1, 2, 3])
    }

    @Test func evaluationsWithAndWithoutRun() throws {
        let folder = try TestFolder()
        let store = try ResultsStore(path: folder.path("r.sqlite"))
        let id = try store.startRun(name: "x", model: "m", dataset: "imagenet")
        let first = try store.recordEvaluation(EvaluationRecord(
            runID: id, checkpoint: "runs/1/best.safetensors", dataset: "imagenet", split: "val",
            loss: 0.9, top1: 81.2, top5: 95.5, imagesPerSecond: 120, samples: 50_000))
        let second = try store.recordEvaluation(EvaluationRecord(
            checkpoint: "timm/swinv2_tiny.safetensors", dataset: "imagenet-v2", split: "test", top1: 70.1))
        #expect(second > first)
        #expect(try store.evaluations().count == 2)
        #expect(try store.evaluations(run: id).map(\.checkpoint) == ["runs/1/best.safetensors"])
        #expect(try store.evaluations(dataset: "imagenet-*").map(\.top1) == [70.1])
        #expect(throws: ResultsStoreError.unknownRun(RunID(42))) {
            try store.recordEvaluation(EvaluationRecord(runID: RunID(42), checkpoint: "c", dataset: "d", split: "val"))
        }
    }
}
