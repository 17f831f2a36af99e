import Foundation
import Testing
import Results

/// The runner binary end to end on a small synthetic recipe: train, resume, validate, report.
@Suite(.serialized) struct TrainValidateReportTests {
    static let recipe = """
        model: swinv2_tiny_window8_256
        model_kwargs: {img_size: 16, patch_size: 4, embed_dim: 16, depths: [1, 1], num_heads: [2, 2], window_size: 2}
        num_classes: 4
        in_channels: 1
        image_resize: 16
        dataset: synthetic
        num_samples: 64
        batch_size: 16
        epoch_size: 3
        opt: adamw
        lr: 0.001
        warmup_epochs: 1
        decay_epochs: 2
        val_while_train: True
        """

    @Test func trainValidateReport() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("tiny.yaml", Self.recipe)
        let train = try scratch.run(["train", "-c", "tiny.yaml"])
        #expect(train.status == 0, "\(train.combined)")
        #expect(train.standardError.contains("epoch 3: train loss"))

        let store = try ResultsStore(path: scratch.path("runs/results.sqlite"))
        let runs = try store.runs()
        #expect(runs.count == 1)
        #expect(runs.first?.status == .finished)
        #expect(runs.first?.epochs.map(\.epoch) == [1, 2, 3])
        #expect(runs.first?.epochs.allSatisfy { $0.top1 != nil && $0.trainLoss != nil } == true)

        let folder = try scratch.runFolder()
        let validate = try scratch.run(["validate", "--ckpt", "\(folder)/best.safetensors"])
        #expect(validate.status == 0, "\(validate.combined)")
        #expect(validate.standardOutput.contains("top-1"))
        #expect(try store.evaluations().count == 1)

        for format in ["text", "markdown", "csv", "json"] {
            let report = try scratch.run(["report", "--format", format])
            #expect(report.status == 0, "\(report.combined)")
            #expect(report.standardOutput.contains("swinv2_tiny_window8_256"))
        }
        let csv = try scratch.run(["report", "--run", "1", "--format", "csv"])
        #expect(csv.standardOutput.split(whereSeparator: \.isNewline).count == 4, "\(csv.standardOutput)")
    }

    @Test func resumedRunRepeatsTheSameEpochs() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("tiny.yaml", Self.recipe)
        #expect(try scratch.run(["train", "-c", "tiny.yaml"]).status == 0)
        let store = try ResultsStore(path: scratch.path("runs/results.sqlite"))
        let original = try store.epochs(run: RunID(1)).map(\.trainLoss)
        let resumed = try scratch.run(["train", "--resume", "\(try scratch.runFolder())/epoch-1.safetensors"])
        #expect(resumed.status == 0, "\(resumed.combined)")
        let after = try store.epochs(run: RunID(1)).map(\.trainLoss)
        #expect(after == original)
        #expect(try store.runs().count == 1)
    }

    @Test func validatingAMissingOrDamagedCheckpointFails() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("tiny.yaml", Self.recipe)
        let missing = try scratch.run(["validate", "-c", "tiny.yaml", "--ckpt", "nowhere.safetensors"])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("nowhere.safetensors does not exist"))
        try scratch.write("broken.safetensors", "garbage")
        let broken = try scratch.run(["validate", "-c", "tiny.yaml", "--ckpt", "broken.safetensors"])
        #expect(broken.status != 0)
        #expect(broken.standardError.contains("broken.safetensors: not a valid safetensors file"), "\(broken.standardError)")
    }
}

/// The quickstart's data path on a subset of the real Fashion-MNIST files from Debian's package.
@Suite struct FashionMNISTSubsetTests {
    @Test func trainsAndValidatesOnASubset() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let quickstart = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/quickstart_fashion_mnist.yaml")
        let result = try scratch.run(["train", "-c", quickstart.path, "--set", "num_samples=512", "--set", "epoch_size=2",
                                      "--set", "warmup_epochs=1", "--set", "decay_epochs=1", "--set", "batch_size=64"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.standardError.contains("512 training images in 8 batches of 64"), "\(result.standardError)")
        let store = try ResultsStore(path: scratch.path("runs/results.sqlite"))
        let run = try #require(try store.runs().first)
        #expect(run.run.dataset == "fashion_mnist")
        #expect(run.epochs.count == 2)
        // Two short epochs on 512 images already beat chance (10%) by far.
        #expect((run.epochs.last?.top1 ?? 0) > 30, "\(run.epochs)")
    }
}
