import Foundation
import Testing
@testable import Recipes

/// The error `load` throws for `yaml` (named bad.yaml), or a test failure when it loads.
func loadError(_ yaml: String, overrides: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) -> RecipeError? {
    do {
        _ = try Experiment.load(yaml: yaml, path: "bad.yaml", overrides: overrides)
        Issue.record("expected the recipe to be rejected", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The messages of every issue for `yaml`.
func messages(_ yaml: String, overrides: [String] = []) -> [String] {
    loadError(yaml, overrides: overrides)?.issues.map(\.description) ?? []
}

@Suite struct UnknownKeys {
    @Test func aTypoNamesFileLineColumnAndTheNearestKey() {
        #expect(messages("model: resnet18\n  \nbacth_size: 64\n")
            == ["bad.yaml:3:1: unknown key 'bacth_size'; did you mean 'batch_size'?"])
    }

    @Test func anotherTrainersNameSuggestsOurs() {
        #expect(messages("epochs: 300\n") == ["bad.yaml:1:1: unknown key 'epochs'; did you mean 'epoch_size'?"])
        #expect(messages("learning_rate: 0.1\n") == ["bad.yaml:1:1: unknown key 'learning_rate'; did you mean 'lr'?"])
    }

    @Test func aKeyFarFromEveryKeyHasNoSuggestion() {
        #expect(messages("zzqx: 1\n") == ["bad.yaml:1:1: unknown key 'zzqx'"])
    }

    @Test func duplicateKeysAreAnError() {
        #expect(messages("lr: 0.1\nopt: sgd\nlr: 0.2\n")
            == ["bad.yaml:3:1: duplicate key 'lr' (first given on line 1)"])
    }

    @Test func duplicateKeysInsideModelKwargs() {
        #expect(messages("model_kwargs:\n  depths: [2]\n  depths: [4]\n")
            == ["bad.yaml:2:3: duplicate key 'model_kwargs.depths' (first given on line 2)"])
    }
}

@Suite struct WrongTypes {
    @Test func aWordWhereANumberBelongs() {
        #expect(messages("model: x\nlr: fast\n") == ["bad.yaml:2:5: key 'lr' expects a number, got 'fast'"])
    }

    @Test func aFractionWhereAnIntegerBelongs() {
        #expect(messages("batch_size: 1.5\n") == ["bad.yaml:1:13: key 'batch_size' expects an integer, got '1.5'"])
    }

    @Test func aListWhereAScalarBelongs() {
        #expect(messages("hflip: [0.5, 0.5]\n")
            == ["bad.yaml:1:8: key 'hflip' expects a number, got a list [0.5, 0.5]"])
    }

    @Test func aWordWhereABooleanBelongs() {
        #expect(messages("distribute: maybe\n")
            == ["bad.yaml:1:13: key 'distribute' expects a boolean (True or False), got 'maybe'"])
    }

    @Test func aListOfTheWrongLength() {
        #expect(messages("scale: [0.08]\n")
            == ["bad.yaml:1:8: key 'scale' expects a list of 2 numbers, got a list [0.08]"])
    }

    @Test func modelKwargsMustBeAMapping() {
        #expect(messages("model_kwargs: [1, 2]\n")
            == ["bad.yaml:1:15: key 'model_kwargs' expects a mapping such as {embed_dim: 64, depths: [2, 4]}, got a list [1, 2]"])
    }

    @Test func nullWhereAValueIsRequired() {
        #expect(messages("batch_size:\n") == ["bad.yaml:1:12: key 'batch_size' expects an integer, got null"])
    }
}

@Suite struct OutOfRange {
    @Test(arguments: [
        ("lr: -0.1", "bad.yaml:1:5: key 'lr' value -0.1 is out of range; allowed: [0, inf)"),
        ("batch_size: 0", "bad.yaml:1:13: key 'batch_size' value 0 is out of range; allowed: [1, inf)"),
        ("label_smoothing: 1.0", "bad.yaml:1:18: key 'label_smoothing' value 1.0 is out of range; allowed: [0, 1)"),
        ("hflip: 1.5", "bad.yaml:1:8: key 'hflip' value 1.5 is out of range; allowed: [0, 1]"),
        ("drop_path_rate: 1", "bad.yaml:1:17: key 'drop_path_rate' value 1 is out of range; allowed: [0, 1)"),
        ("epoch_size: 0", "bad.yaml:1:13: key 'epoch_size' value 0 is out of range; allowed: [1, inf)"),
        ("crop_pct: 0", "bad.yaml:1:11: key 'crop_pct' value 0 is out of range; allowed: (0, 2)"),
        ("crop_pct: 87.5", "bad.yaml:1:11: key 'crop_pct' value 87.5 is out of range; allowed: (0, 2)"),
        ("scale: [0.9, 0.1]",
         "bad.yaml:1:8: key 'scale' value [0.9, 0.1] is out of range; allowed: 2 numbers in (0, 1], the first not above the second"),
        ("multi_step_decay_milestones: [60, 30]",
         "bad.yaml:1:30: key 'multi_step_decay_milestones' value [60, 30] is out of range; allowed: integers in [0, inf), strictly increasing"),
    ])
    func valueOutsideItsRange(_ line: String, _ expected: String) {
        #expect(messages(line + "\n") == [expected])
    }
}

@Suite struct UnknownNames {
    @Test func anOptimizerTypoListsTheValidOnes() {
        #expect(messages("opt: admaw\n") == [
            "bad.yaml:1:6: key 'opt' has unknown value 'admaw'; did you mean 'adamw'? valid: sgd, momentum, nesterov, adam, adamw, lion, rmsprop, adagrad, lamb, nadam",
        ])
    }

    @Test func aSchedulerPrefix() {
        #expect(messages("scheduler: cosine\n") == [
            "bad.yaml:1:12: key 'scheduler' has unknown value 'cosine'; did you mean 'cosine_decay'? valid: constant, cosine_decay, exponential_decay, step_decay, multi_step_decay, one_cycle, cyclic, warmup_cosine_decay",
        ])
    }

    @Test func aDatasetName() {
        #expect(messages("dataset: imagenet1k\n") == [
            "bad.yaml:1:10: key 'dataset' has unknown value 'imagenet1k'; did you mean 'imagenet'? valid: fashion_mnist, mnist, synthetic, imagenet, cifar10, cifar100, folder",
        ])
    }

    @Test func namesWithoutANearMatchStillListTheValidOnes() {
        #expect(messages("amp_level: fp16\nloss: mse\ninterpolation: lanczos\nckpt_save_policy: best\n") == [
            "bad.yaml:1:12: key 'amp_level' has unknown value 'fp16' valid: O0, O1, O2, O3",
            "bad.yaml:2:7: key 'loss' has unknown value 'mse' valid: CE, BCE",
            "bad.yaml:3:16: key 'interpolation' has unknown value 'lanczos' valid: nearest, bilinear, bicubic, area, random",
            "bad.yaml:4:19: key 'ckpt_save_policy' has unknown value 'best' valid: latest_k, top_k",
        ])
    }

    @Test func anAutoAugmentPolicyOutsideMindCVsAndTimmsFamilies() {
        #expect(messages("auto_augment: randaugment-m9\n") == [
            "bad.yaml:1:15: key 'auto_augment' has unknown value 'randaugment-m9'; did you mean 'randaug'? valid: randaug[-options], autoaug[-options], autoaugr[-options], 3a[-options], trivialaugwide[-options], augmix[-options], rand[-options], original[-options], originalr[-options], v0[-options], v0r[-options]",
        ])
        for policy in ["rand-m9-mstd0.5-inc1", "augmix-m5-w4-d2", "randaug-m7", "original"] {
            #expect(throws: Never.self) { try Experiment.load(yaml: "auto_augment: \(policy)\n", path: "good.yaml") }
        }
    }

    @Test func theModelRegistryHook() throws {
        let experiment = try Experiment.load(yaml: "# a comment\nmodel: swinv2_tiny_windw8\n", path: "bad.yaml")
        #expect(throws: RecipeError.self) { try experiment.validate(modelNames: ["swinv2_tiny_window8", "twins_svt_small"]) }
        do {
            try experiment.validate(modelNames: ["twins_svt_small", "swinv2_tiny_window8", "resnet18"])
        } catch {
            #expect(error.description
                == "bad.yaml:2:1: key 'model' has unknown value 'swinv2_tiny_windw8'; did you mean 'swinv2_tiny_window8'? valid: resnet18, swinv2_tiny_window8, twins_svt_small")
        }
    }
}

@Suite struct WholeFile {
    @Test func anEmptyFile() {
        #expect(messages("") == ["bad.yaml: the recipe is empty; expected a mapping of keys to values such as 'model: swinv2_tiny_window8'"])
    }

    @Test func onlyComments() {
        #expect(messages("# nothing here\n\n") == ["bad.yaml: the recipe is empty; expected a mapping of keys to values such as 'model: swinv2_tiny_window8'"])
    }

    @Test func aListAtTheTop() {
        #expect(messages("- lr: 0.1\n- opt: sgd\n") == ["bad.yaml:1:1: the recipe's top level must be a mapping of keys to values, found a list"])
    }

    @Test func aScalarAtTheTop() {
        #expect(messages("just words\n") == ["bad.yaml:1:1: the recipe's top level must be a mapping of keys to values, found the scalar 'just words'"])
    }

    @Test func invalidYAMLNamesItsLine() throws {
        let issues = try #require(loadError("lr: 0.1\nscale: [0.08, 1.0\nopt: sgd\n")?.issues)
        #expect(issues.count == 1)
        #expect(issues[0].description.hasPrefix("bad.yaml:"))
        #expect(issues[0].description.contains("not valid YAML"))
        #expect((issues[0].location.line ?? 0) >= 2)
    }

    @Test func aRealFileIsNamedByItsPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recipes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("typo.yaml").path
        try "model: resnet18\nwarmup_epoch: 5\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RecipeError(issues: [RecipeIssue(
            location: .file(path: path, line: 2, column: 1),
            problem: .unknownKey("warmup_epoch", suggestion: "warmup_epochs"))])) {
            try Experiment.load(path: path)
        }
    }

    @Test func aMissingFile() throws {
        do {
            _ = try Experiment.load(path: "/nonexistent/recipe.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues[0].location == .wholeFile(path: "/nonexistent/recipe.yaml"))
            #expect(error.description.hasPrefix("/nonexistent/recipe.yaml: cannot read the recipe: "))
        }
    }
}

@Suite struct BadOverrides {
    @Test func anUnknownOverrideKeyNamesTheOverride() {
        #expect(messages("lr: 0.1\n", overrides: ["learning_rate=0.1"])
            == ["command line override 'learning_rate=0.1': unknown key 'learning_rate'; did you mean 'lr'?"])
    }

    @Test func aWrongTypeInAnOverride() {
        #expect(messages("lr: 0.1\n", overrides: ["batch_size=big"])
            == ["command line override 'batch_size=big': key 'batch_size' expects an integer, got 'big'"])
    }

    @Test func anOverrideWithoutEquals() {
        #expect(messages("lr: 0.1\n", overrides: ["lr"])
            == ["command line override 'lr': expected key=value, e.g. lr=0.01 or model_kwargs.embed_dim=64"])
    }

    @Test func anOverrideOutOfRange() {
        #expect(messages("lr: 0.1\n", overrides: ["re_prob=2"])
            == ["command line override 're_prob=2': key 're_prob' value 2 is out of range; allowed: [0, 1]"])
    }
}

@Suite struct SeveralProblems {
    @Test func everyProblemIsReportedInFileThenOverrideOrder() {
        #expect(messages("lr: fast\nbatch_sise: 64\nopt: admaw\nhflip: 2\n", overrides: ["epoch_size=0"]) == [
            "bad.yaml:1:5: key 'lr' expects a number, got 'fast'",
            "bad.yaml:2:1: unknown key 'batch_sise'; did you mean 'batch_size'?",
            "bad.yaml:3:6: key 'opt' has unknown value 'admaw'; did you mean 'adamw'? valid: sgd, momentum, nesterov, adam, adamw, lion, rmsprop, adagrad, lamb, nadam",
            "bad.yaml:4:8: key 'hflip' value 2 is out of range; allowed: [0, 1]",
            "command line override 'epoch_size=0': key 'epoch_size' value 0 is out of range; allowed: [1, inf)",
        ])
    }
}

@Suite struct Contradictions {
    @Test func swaWithoutAStartEpoch() {
        #expect(messages("epoch_size: 10\nswa: True\n")
            == ["bad.yaml:2:1: key 'swa': swa: True needs swa_start_epoch (the 1-based epoch where averaging starts)"])
    }

    @Test func swaStartingTooLate() {
        #expect(messages("epoch_size: 10\nswa: True\nswa_start_epoch: 10\n")
            == ["bad.yaml:3:1: key 'swa_start_epoch': swa_start_epoch 10 must be at most epoch_size - 1 = 9"])
    }

    @Test func cyclicSWANeedsTwoEpochCycles() {
        #expect(messages("epoch_size: 10\nswa: True\nswa_start_epoch: 5\nswa_lr_schedule: cyclic\n")
            == ["bad.yaml:4:1: key 'swa_lr_schedule': the cyclic swa_lr_schedule needs swa_freq of 2 or more (got 1)"])
    }

    @Test func swaLR2WithAnAutomaticSWALR() {
        #expect(messages("epoch_size: 10\nswa: True\nswa_start_epoch: 5\nswa_lr2: 0.002\n")
            == ["bad.yaml:4:1: key 'swa_lr2': swa_lr2 can be set only with swa_lr set too (keras-swa derives an automatic swa_lr2 from an automatic swa_lr)"])
    }

    @Test func minLRAboveLR() {
        #expect(messages("lr: 0.001\nmin_lr: 0.01\n")
            == ["bad.yaml:2:1: key 'min_lr': min_lr 0.01 is above lr 0.001; the schedule would rise"])
    }

    @Test func topKCheckpointsNeedValidation() {
        #expect(messages("ckpt_save_policy: top_k\n")
            == ["bad.yaml:1:1: key 'ckpt_save_policy': ckpt_save_policy 'top_k' ranks checkpoints by validation accuracy, so it needs val_while_train: True"])
    }

    @Test func anOverrideCanCauseTheContradiction() {
        #expect(messages("lr: 0.001\n", overrides: ["min_lr=0.01"])
            == ["command line override 'min_lr=0.01': key 'min_lr': min_lr 0.01 is above lr 0.001; the schedule would rise"])
    }

    /// A one-epoch smoke run of a recipe with a one-epoch warm-up runs, warming up throughout.
    @Test func aWarmupAsLongAsTheRunIsAWarningNotAnError() throws {
        let experiment = try Experiment.load(yaml: "warmup_epochs: 1\n", path: "smoke.yaml", overrides: ["epoch_size=1"])
        #expect(experiment.settingNotes == ["warmup_epochs 1 is not below epoch_size 1: the learning rate warms up for the whole run"])
    }
}
