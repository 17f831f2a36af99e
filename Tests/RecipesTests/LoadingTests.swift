import Foundation
import Testing
@testable import Recipes

/// The repository root, found from this file's path (Tests/RecipesTests/<file>).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// MindCV's own recipe, committed unchanged as a fixture.
let mindCVRecipePath = Bundle.module.resourceURL!
    .appendingPathComponent("Fixtures/swinv2_tiny_window8_ascend.yaml").path

@Suite struct Defaults {
    @Test func defaultsAreMindCVs() {
        let experiment = Experiment()
        #expect(experiment.system.mode == 0)
        #expect(experiment.system.distribute == false)
        #expect(experiment.system.seed == 42)
        #expect(experiment.system.logInterval == 100)
        #expect(experiment.dataset.name == .imagenet)
        #expect(experiment.dataset.dataDirectory == "./")
        #expect(experiment.dataset.batchSize == 128)
        #expect(experiment.dataset.numParallelWorkers == 8)
        #expect(experiment.dataset.numSamples == nil)
        #expect(experiment.augmentation.imageResize == 224)
        #expect(experiment.augmentation.scale == [0.08, 1.0])
        #expect(experiment.augmentation.ratio == [0.75, 1.333])
        #expect(experiment.augmentation.hflip == 0.5)
        #expect(experiment.augmentation.colorJitter == .uniform(0.4))
        #expect(experiment.augmentation.interpolation == .bilinear)
        #expect(experiment.augmentation.autoAugment == nil)
        #expect(experiment.augmentation.reScale == [0.02, 0.33])
        #expect(experiment.augmentation.reRatio == [0.3, 3.3])
        #expect(experiment.augmentation.reValue == .constant(0))
        #expect(experiment.augmentation.mean == [123.675, 116.28, 103.53])
        #expect(experiment.augmentation.std == [58.395, 57.12, 57.375])
        #expect(experiment.augmentation.cropPct == 0.875)
        #expect(experiment.augmentation.cutmixProb == 1.0)
        #expect(experiment.model.inChannels == 3)
        #expect(experiment.model.numClasses == nil)
        #expect(experiment.model.dropPathRate == nil)
        #expect(experiment.model.kwargs.isEmpty)
        #expect(experiment.checkpoint.saveDirectory == "runs")  // MindCV: ./ckpt; runs get folders of their own here
        #expect(experiment.checkpoint.keepMax == 10)
        #expect(experiment.checkpoint.savePolicy == .latestK)
        #expect(experiment.training.epochs == 90)
        #expect(experiment.training.emaDecay == 0.9999)
        #expect(experiment.training.clipValue == 15)
        #expect(experiment.optimizer.name == .adam)
        #expect(experiment.optimizer.momentum == 0.9)
        #expect(experiment.optimizer.weightDecay == 1e-6)
        #expect(experiment.optimizer.weightDecayFilter == .disable)
        #expect(experiment.scheduler.name == .cosineDecay)
        #expect(experiment.scheduler.lr == 0.001)
        #expect(experiment.scheduler.minLR == 1e-6)
        #expect(experiment.scheduler.warmupEpochs == 3)
        #expect(experiment.scheduler.decayEpochs == 100)
        #expect(experiment.scheduler.decayRate == 0.9)
        #expect(experiment.scheduler.multiStepDecayMilestones == [30, 60, 90])
        #expect(experiment.loss.name == .crossEntropy)
        #expect(experiment.loss.labelSmoothing == 0)
        #expect(experiment.loss.reduction == .mean)
        #expect(experiment.precision.ampLevel == .o0)
        #expect(experiment.precision.lossScaleType == .fixed)
        #expect(experiment.precision.lossScale == 1)
        #expect(experiment.swa.enabled == false)
        #expect(experiment.swa.lrSchedule == .manual)
        #expect(experiment.system.resultsStorePath == "runs/results.sqlite")
    }

    @Test func anEmptyMappingIsAllDefaults() throws {
        let experiment = try Experiment.load(yaml: "{}\n", path: "empty-mapping.yaml")
        #expect(experiment == Experiment())
        #expect(experiment.provenance.origin(of: "lr") == .defaultValue)
    }

    @Test func everyKeyIsUnique() {
        #expect(Set(Experiment.knownKeys).count == Experiment.knownKeys.count)
    }
}

@Suite struct MindCVRecipe {
    @Test func theShippedSwinV2RecipeLoadsUnchanged() throws {
        let experiment = try Experiment.load(path: mindCVRecipePath)
        #expect(experiment.system.distribute == true)
        #expect(experiment.system.valWhileTrain == true)
        #expect(experiment.dataset.name == .imagenet)
        #expect(experiment.dataset.dataDirectory == "/path/to/imagenet")
        #expect(experiment.dataset.batchSize == 128)
        #expect(experiment.augmentation.imageResize == 256)
        #expect(experiment.augmentation.interpolation == .bicubic)
        #expect(experiment.augmentation.autoAugment == "randaug-m9-mstd0.5-inc1")
        #expect(experiment.augmentation.reProb == 0.25)
        #expect(experiment.augmentation.cropPct == 0.9)
        #expect(experiment.augmentation.mixup == 0.8)
        #expect(experiment.augmentation.cutmix == 1.0)
        #expect(experiment.model.name == "swinv2_tiny_window8")
        #expect(experiment.model.numClasses == 1000)
        #expect(experiment.model.dropPathRate == 0.2)
        #expect(experiment.checkpoint.path == "")
        #expect(experiment.training.epochs == 450)
        #expect(experiment.precision.ampLevel == .o2)
        #expect(experiment.loss.name == .crossEntropy)  // written 'ce'
        #expect(experiment.loss.labelSmoothing == 0.1)
        #expect(experiment.scheduler.name == .cosineDecay)
        #expect(experiment.scheduler.lr == 0.001)
        #expect(experiment.scheduler.minLR == 1e-6)
        #expect(experiment.scheduler.decayEpochs == 430)
        #expect(experiment.scheduler.warmupEpochs == 20)
        #expect(experiment.optimizer.name == .adamw)
        #expect(experiment.optimizer.weightDecay == 0.05)
        #expect(experiment.precision.lossScale == 1024)
        // Keys the recipe leaves out keep MindCV's defaults.
        #expect(experiment.optimizer.eps == 1e-10)
        #expect(experiment.augmentation.colorJitter == .uniform(0.4))
        #expect(experiment.provenance.origin(of: "lr") == .file(path: mindCVRecipePath, line: 45, column: 1))
    }

    @Test func theRepositoryRecipeIsMindCVsForOneMachine() throws {
        let path = repositoryRoot.appendingPathComponent("configs/swinv2_tiny_window8.yaml").path
        let ours = try Experiment.load(path: path)
        var mindCV = try Experiment.load(path: mindCVRecipePath)
        #expect(ours.system.distribute == false)
        mindCV.system.distribute = false
        #expect(ours == mindCV)
    }

    @Test func validatesAgainstTheModelRegistry() throws {
        let experiment = try Experiment.load(path: mindCVRecipePath)
        try experiment.validate(modelNames: ["swinv2_tiny_window8", "twins_svt_small"])
    }
}

@Suite struct RoundTrip {
    static let rich = """
        run_name: 'swin on fashion-mnist, it''s small'
        dataset: fashion_mnist
        data_dir: /usr/share/datasets/fashion-mnist
        model: swinv2_tiny_window8
        model_kwargs:
          embed_dim: 64
          depths: [2, 4]
          num_heads: [2, 4]
          window_size: 4
          patch_size: 4
          img_size: 32
          mlp_ratio: 2.5
          ape: false
          norm: 'layer'
          extra: {a: 1, b: [x, 2]}
        image_resize: 32
        in_channels: 1
        num_classes: 10
        color_jitter: [0.4, 0.4, 0.4, 0.1]
        re_value: random
        mean: [72.94]
        std: [90.02]
        auto_augment: trivialaugwide
        epoch_size: 12
        swa: True
        swa_start_epoch: 8
        swa_lr: 0.0005
        swa_lr2: auto
        swa_freq: 2
        swa_lr_schedule: cyclic
        opt: AdamW
        opt_betas: [0.9, 0.95]
        norm_weight_decay: 0.0
        scheduler: warmup_cosine_decay
        lr: 0.002
        warmup_factor: 0.01
        multi_step_decay_milestones: [4, 8]
        num_threads: 2
        val_batch_size: 256
        num_samples: 1000
        ckpt_path:
        pretrained: 'weights/swinv2 tiny.safetensors'
        drop_rate: 0.1
        layer_decay: 0.75
        amp_cast_list: null
        """

    @Test(arguments: ["defaults", "mindcv", "rich"])
    func resolvedYAMLLoadsBackEqual(_ name: String) throws {
        let experiment: Experiment = switch name {
        case "defaults": Experiment()
        case "mindcv": try Experiment.load(path: mindCVRecipePath)
        default: try Experiment.load(yaml: Self.rich, path: "rich.yaml")
        }
        let yaml = experiment.resolvedYAML()
        let reloaded = try Experiment.load(yaml: yaml, path: "resolved.yaml")
        #expect(reloaded == experiment)
        #expect(reloaded.resolvedYAML() == yaml)
        #expect(reloaded.configHash == experiment.configHash)
        // The status comments of `runner config` leave a recipe that loads to the same experiment.
        #expect(try Experiment.load(yaml: experiment.annotatedYAML(), path: "annotated.yaml") == experiment)
    }

    @Test func resolvedYAMLListsEveryKeyOnceInGroupOrder() {
        let yaml = Experiment().resolvedYAML()
        let keys = yaml.split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.hasPrefix(" ") }
            .map { String($0.prefix { $0 != ":" }) }
        #expect(keys == Experiment.knownKeys)
        #expect(yaml.hasPrefix("# system\nmode: 0\ndistribute: False\n"))
        #expect(yaml.contains("\n# dataset\ndataset: 'imagenet'\n"))
        #expect(yaml.contains("\nmodel_kwargs: {}\n"))
        #expect(yaml.contains("\nmean: [123.675, 116.28, 103.53]\n"))
        #expect(yaml.contains("\nmin_lr: 1e-06\n"))
        #expect(yaml.contains("\nnum_classes: null\n"))
        let groups = yaml.split(separator: "\n").filter { $0.hasPrefix("# ") }.map { $0.split(separator: " ")[1] }
        #expect(groups == ["system", "dataset", "augmentation", "model", "checkpoint", "training", "stochastic",
                           "optimizer", "lr", "loss", "mixed"])
    }

    @Test func modelKwargsAreWrittenAsASortedBlock() throws {
        let experiment = try Experiment.load(yaml: Self.rich, path: "rich.yaml")
        let yaml = experiment.resolvedYAML()
        #expect(yaml.contains("""
            model_kwargs:
              ape: false
              depths: [2, 4]
              embed_dim: 64
              extra: {a: 1, b: ['x', 2]}
              img_size: 32
              mlp_ratio: 2.5
              norm: 'layer'
              num_heads: [2, 4]
              patch_size: 4
              window_size: 4

            """))
        #expect(experiment.model.kwargs["depths"]?.intList == [2, 4])
        #expect(experiment.model.kwargs["mlp_ratio"]?.doubleValue == 2.5)
        #expect(experiment.system.runName == "swin on fashion-mnist, it's small")
        #expect(experiment.optimizer.name == .adamw)
        #expect(experiment.swa.lr == .fixed(0.0005))
        #expect(experiment.swa.lr2 == .auto)
        #expect(experiment.augmentation.reValue == .random)
        #expect(experiment.augmentation.colorJitter == .perComponent([0.4, 0.4, 0.4, 0.1]))
    }

    @Test func configHashIsStableAndIgnoresBookkeeping() throws {
        #expect(Experiment.fnv1a64Hex("") == "cbf29ce484222325")
        #expect(Experiment.fnv1a64Hex("a") == "af63dc4c8601ec8c")
        let base = Experiment()
        #expect(base.configHash.count == 16)
        var renamed = base
        renamed.system.runName = "another name"
        renamed.system.resultsStorePath = "elsewhere.sqlite"
        #expect(renamed.configHash == base.configHash)
        #expect(renamed.resolvedYAML() != base.resolvedYAML())
        var changed = base
        changed.scheduler.lr = 0.002
        #expect(changed.configHash != base.configHash)
    }
}

@Suite struct Overrides {
    @Test func overridesBeatTheFile() throws {
        let experiment = try Experiment.load(path: mindCVRecipePath, overrides: [
            "lr=0.01", "distribute=false", "model_kwargs.embed_dim=64", "model_kwargs.depths=[2,4]",
            "data_dir=/data/my imagenet", "scale=[0.5, 1.0]", "num_classes=null", "batch_size=64", "batch_size=32",
        ])
        #expect(experiment.scheduler.lr == 0.01)
        #expect(experiment.system.distribute == false)
        #expect(experiment.model.kwargs == ["embed_dim": .int(64), "depths": .list([.int(2), .int(4)])])
        #expect(experiment.dataset.dataDirectory == "/data/my imagenet")
        #expect(experiment.augmentation.scale == [0.5, 1.0])
        #expect(experiment.model.numClasses == nil)
        #expect(experiment.dataset.batchSize == 32)  // the later override wins
        #expect(experiment.provenance.origin(of: "lr") == .override("lr=0.01"))
        #expect(experiment.provenance.origin(of: "model_kwargs.embed_dim") == .override("model_kwargs.embed_dim=64"))
        #expect(experiment.provenance.origin(of: "min_lr") == .file(path: mindCVRecipePath, line: 46, column: 1))
    }

    @Test func overridesWithoutAFile() throws {
        let experiment = try Experiment.resolve(overrides: ["model=swinv2_tiny_window8", "model_kwargs={window_size: 4}"])
        #expect(experiment.model.name == "swinv2_tiny_window8")
        #expect(experiment.model.kwargs == ["window_size": .int(4)])
    }

    @Test func aWholeKwargsMappingReplacesEarlierEntries() throws {
        let experiment = try Experiment.load(
            yaml: "model_kwargs: {embed_dim: 96, depths: [2, 2]}\n", path: "k.yaml",
            overrides: ["model_kwargs.embed_dim=64"])
        #expect(experiment.model.kwargs == ["embed_dim": .int(64), "depths": .list([.int(2), .int(2)])])
    }
}
