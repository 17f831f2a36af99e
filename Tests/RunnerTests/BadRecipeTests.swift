import Foundation
import Testing

/// Recipes a user gets wrong, through the binary: each fails before training with a message that
/// names the file, line and key (or the override) and says what would be right.
@Suite struct BadRecipeTests {
    static let base = """
        model: swinv2_tiny_window8_256
        dataset: synthetic
        num_classes: 4
        epoch_size: 1
        warmup_epochs: 0

        """

    @Test(arguments: [
        ("bacth_size: 8", "bad.yaml:6:1: unknown key 'bacth_size'; did you mean 'batch_size'?"),
        ("epochs: 3", "unknown key 'epochs'; did you mean 'epoch_size'?"),
        ("lr: fast", "bad.yaml:6:5: key 'lr' expects a number, got 'fast'"),
        ("batch_size: 0", "key 'batch_size' value 0 is out of range"),
        ("batch_size: 1.5", "key 'batch_size'"),
        ("label_smoothing: 1.5", "key 'label_smoothing'"),
        ("opt: adamx", "key 'opt'"),
        ("scheduler: cosine", "key 'scheduler'"),
        ("hflip: 2", "key 'hflip'"),
        ("epoch_size: 1\nepoch_size: 2", "duplicate"),
        ("dataset: imagenett", "key 'dataset'"),
        ("drop_path_rate: -0.1", "key 'drop_path_rate'"),
    ])
    func rejected(_ line: String, _ message: String) throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("bad.yaml", Self.base + line + "\n")
        let result = try scratch.run(["train", "-c", "bad.yaml"])
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("runs/results.sqlite")), "nothing is recorded for a bad recipe")
    }

    @Test func unknownModelListsNearestNames() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("bad.yaml", Self.base.replacingOccurrences(of: "swinv2_tiny_window8_256", with: "swinv2_tiny_windw8_256"))
        let result = try scratch.run(["train", "-c", "bad.yaml"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("bad.yaml:1:1: key 'model' has unknown value 'swinv2_tiny_windw8_256'"), "\(result.standardError)")
        #expect(result.standardError.contains("swinv2_tiny_window8_256"), "\(result.standardError)")
    }

    @Test func badOverrideNamesTheCommandLine() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("ok.yaml", Self.base)
        let result = try scratch.run(["train", "-c", "ok.yaml", "--set", "lr=fast"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("command line override 'lr=fast'"), "\(result.standardError)")
    }

    @Test func missingRecipeFileIsNamed() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let result = try scratch.run(["train", "-c", "absent.yaml"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("absent.yaml"), "\(result.standardError)")
    }

    /// Nine levels of ten aliases each ("billion laughs").
    static let aliasBomb = (1..<9).reduce("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n") { text, level in
        text + "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
    }

    /// Hostile recipes used to hang `runner config` (an alias bomb) or crash it with a stack
    /// overflow (thousands of nested mappings); they end at once naming the limit.
    @Test(arguments: [
        (aliasBomb, "hostile.yaml:4:45: aliases expand to more than 10000 nodes"),
        ("a: " + String(repeating: "{a: ", count: 5000) + "x" + String(repeating: "}", count: 5000) + "\n",
         "hostile.yaml:1:256: nesting deeper than 64 levels"),
    ])
    func hostileRecipeEndsAtOnce(_ text: String, _ message: String) throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("hostile.yaml", text)
        let start = ContinuousClock.now
        let result = try scratch.run(["config", "-c", "hostile.yaml"])
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(result.status == 1)
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }

    @Test func unwiredFeatureIsRefusedNotIgnored() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("layerdecay.yaml", Self.base + "layer_decay: 0.75\n")
        let result = try scratch.run(["train", "-c", "layerdecay.yaml"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("layerdecay.yaml:6:1: key 'layer_decay' value 0.75 cannot run here"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("runs/results.sqlite")), "refused before any work")
    }

    /// `runner config` shows each key's status; a compatibility-only key set in the recipe trains
    /// with a note in the log and in the run's record.
    @Test func compatibilityKeysAreNotedAndShown() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("scaled.yaml", Self.base + "loss_scale: 1024\nnum_samples: 16\nbatch_size: 8\nimage_resize: 32\n"
                          + "model_kwargs: {embed_dim: 16, depths: [2], num_heads: [1], window_size: 4, patch_size: 4}\n")
        let config = try scratch.run(["config", "-c", "scaled.yaml"])
        #expect(config.standardOutput.contains("loss_scale: 1024.0  # compatibility only: "), "\(config.standardOutput)")
        #expect(config.standardOutput.contains("layer_decay: null  # runs only with null: layer-wise learning-rate decay is not implemented yet"), "\(config.standardOutput)")
        #expect(config.standardError.contains("note: loss_scale: 1024.0 is accepted for compatibility and has no effect"))
        let train = try scratch.run(["train", "-c", "scaled.yaml"])
        #expect(train.status == 0, "\(train.combined)")
        #expect(train.standardError.contains("note: loss_scale: 1024.0 is accepted for compatibility"), "\(train.standardError)")
        let report = try scratch.run(["report", "--run", "1"])
        #expect(report.standardOutput.contains("note: loss_scale: 1024.0 is accepted for compatibility"), "\(report.standardOutput)")
        #expect(report.standardOutput.contains("folder: "), "\(report.standardOutput)")
    }
}
