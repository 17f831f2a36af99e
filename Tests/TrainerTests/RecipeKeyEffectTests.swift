import Foundation
import Testing
import Recipes
import Results
import Trainer

/// Every key of the recipe schema means what it says: set to a value other than the tiny
/// recipe's, it changes what a short seeded run computes or leaves behind (losses, weights,
/// evaluations, records, files), or it is refused before any work naming the file, line and key,
/// or it is a documented compatibility-only key whose note reaches the log and the run's record.
/// A key added to the schema without a case here, or wired to nothing, fails this test.
@Suite(.serialized) struct RecipeKeyEffectTests {
    /// A value for each key other than the tiny recipe's, with any other keys it needs to matter
    /// (`clip_value` matters only with `clip_grad`). `$DIR` is the test's folder; `$PRETRAINED`
    /// and `$CHECKPOINT` are weights files made by ``prepareWeights(_:)``.
    static let cases: [String: (value: String, with: [(String, String)])] = [
        // system
        "mode": ("1", []), "distribute": ("True", []), "val_while_train": ("False", []),
        "val_interval": ("2", []), "log_interval": ("1", []), "seed": ("7", []), "device_target": ("GPU", []),
        "run_name": ("tiny_named", []), "db": ("'$DIR/other.sqlite'", []), "num_threads": ("1", []),
        // dataset
        "dataset": ("synthetic", []), "data_dir": ("'$DIR/other-data'", []), "train_split": ("test", []),
        "val_split": ("train", []), "dataset_download": ("True", []),
        // Loader threads: the batches are the same at any count (ImageFolderLoaderTests); the run reports its threads.
        "num_parallel_workers": ("2", [("dataset", "folder"), ("data_dir", "'$DIR/images'")]),
        "shuffle": ("False", []), "num_samples": ("32", []), "batch_size": ("8", []), "val_batch_size": ("8", []),
        "drop_remainder": ("False", [("batch_size", "24")]), "eval_shuffle": ("True", []),
        // augmentation
        "image_resize": ("16", []), "scale": ("[0.5, 1.0]", []), "ratio": ("[0.5, 2.0]", []), "hflip": ("0.0", []),
        "vflip": ("0.5", []), "color_jitter": ("0.0", []), "interpolation": ("bicubic", []),
        "auto_augment": ("'randaug-m9-mstd0.5-inc1'", []), "aug_splits": ("2", []), "re_prob": ("0.25", []),
        "re_scale": ("[0.1, 0.2]", [("re_prob", "1.0")]), "re_ratio": ("[0.5, 2.0]", [("re_prob", "1.0")]),
        "re_value": ("'random'", [("re_prob", "1.0")]), "re_max_attempts": ("1", [("re_prob", "1.0")]), "mean": ("[100.0]", []), "std": ("[30.0]", []), "crop_pct": ("0.5", []),
        "val_resize_size": ("12", []), "val_crop_size": ("16", [("model", "resnet18"), ("model_kwargs", "{width: 8}")]),
        "mixup": ("0.8", []), "cutmix": ("1.0", []), "cutmix_prob": ("0.5", [("mixup", "0.8")]), "aug_repeats": ("3", []),
        // model
        "model": ("swin_v2_t", []), "num_classes": ("12", []), "in_channels": ("3", []), "drop_rate": ("0.5", []),
        "drop_path_rate": ("0.5", []), "pretrained": ("'$PRETRAINED'", []),
        "model_kwargs": ("{patch_size: 2, embed_dim: 16, depths: [2, 2], num_heads: [1, 2], window_size: 2}", []),
        // checkpoint
        "ckpt_path": ("'$PRETRAINED'", []), "resume_opt": ("True", [("ckpt_path", "'$CHECKPOINT'")]),
        "keep_checkpoint_max": ("1", [("epoch_size", "3")]), "ckpt_save_dir": ("'$DIR/elsewhere'", []),
        "ckpt_save_interval": ("2", []),
        // Seed 7 makes epoch 1 the best of three (top-1 21.9, 0, 15.6): top_k keeps it, latest_k epoch 3.
        "ckpt_save_policy": ("top_k", [("keep_checkpoint_max", "1"), ("epoch_size", "3"), ("seed", "7")]),
        // training
        "epoch_size": ("1", []), "dataset_sink_mode": ("False", []), "ema": ("True", []),
        "ema_decay": ("0.5", [("ema", "True")]), "clip_grad": ("True", [("clip_value", "0.01")]),
        "clip_value": ("0.01", [("clip_grad", "True")]), "layer_decay": ("0.75", []),
        "gradient_accumulation_steps": ("2", []),
        "ema_steps": ("2", [("ema", "True")]), "ema_adjust": ("True", [("ema", "True")]),
        // swa
        "swa": ("True", [("swa_start_epoch", "2"), ("epoch_size", "3")]),
        "swa_start_epoch": ("3", [("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "4")]),
        "swa_lr": ("0.005", [("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "3"), ("swa_lr_schedule", "constant")]),
        "swa_lr2": ("0.005", [("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "4"), ("swa_lr_schedule", "cyclic"),
                              ("swa_freq", "2"), ("swa_lr", "0.001")]),
        "swa_freq": ("2", [("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "4")]),
        "swa_lr_schedule": ("constant", [("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "3")]),
        "swa_anneal_epochs": ("1", [("swa", "True"), ("swa_start_epoch", "2"), ("epoch_size", "4"), ("swa_lr_schedule", "cos")]),
        // optimizer
        "opt": ("sgd", []), "momentum": ("0.5", [("opt", "sgd")]), "weight_decay": ("0.5", []),
        "use_nesterov": ("True", [("opt", "sgd")]), "weight_decay_filter": ("norm_and_bias", [("weight_decay", "0.5")]),
        "eps": ("0.001", []), "opt_betas": ("[0.5, 0.9]", []), "norm_weight_decay": ("0.0", [("weight_decay", "0.5")]),
        "bias_weight_decay": ("0.0", [("weight_decay", "0.5")]), "transformer_embedding_decay": ("0.0", [("weight_decay", "0.5")]),
        // scheduler
        "scheduler": ("constant", []), "lr": ("0.02", []), "min_lr": ("0.005", [("decay_epochs", "2")]),
        "warmup_epochs": ("1", []), "warmup_method": ("constant", [("warmup_epochs", "1"), ("warmup_factor", "0.5")]), "warmup_factor": ("0.5", [("warmup_epochs", "1")]), "decay_epochs": ("1", []),
        "decay_rate": ("0.5", [("scheduler", "exponential_decay")]),
        "multi_step_decay_milestones": ("[1]", [("scheduler", "multi_step_decay"), ("decay_rate", "0.1")]),
        "lr_epoch_stair": ("True", []), "num_cycles": ("2", [("decay_epochs", "1")]),
        "cycle_decay": ("0.5", [("decay_epochs", "1"), ("num_cycles", "2")]),
        // loss
        "loss": ("BCE", []), "label_smoothing": ("0.1", []), "aux_factor": ("0.4", []), "reduction": ("sum", []),
        // precision
        "amp_level": ("O2", []), "val_amp_level": ("O2", []), "amp_cast_list": ("'[nn.Dense]'", []),
        "loss_scale_type": ("dynamic", []), "loss_scale": ("1024.0", []), "drop_overflow_update": ("True", []),
    ]

    /// For keys that run with some values only, a value they refuse, beside the accepted one in ``cases``.
    static let refusedValues: [String: String] = ["reduction": "none", "pretrained": "True"]

    @Test func everySchemaKeyHasACase() {
        let keys = Experiment.keySupport.map(\.key)
        #expect(Set(keys).subtracting(Self.cases.keys).sorted() == [], "add a case for each new key")
        #expect(Set(Self.cases.keys).subtracting(keys).sorted() == [])
    }

    @Test func everyKeyTakesEffectIsRefusedOrIsACompatibilityNote() throws {
        let tiny = try TinyExperiment()
        let (pretrained, checkpoint) = try prepareWeights(tiny)
        func substitute(_ text: String) -> String {
            text.replacingOccurrences(of: "$DIR", with: tiny.folder.path)
                .replacingOccurrences(of: "$PRETRAINED", with: pretrained).replacingOccurrences(of: "$CHECKPOINT", with: checkpoint)
        }
        var baselines: [String: TinyExperiment.Observation] = [:]
        for (key, support) in Experiment.keySupport {
            let testCase = try #require(Self.cases[key])
            let base = testCase.with.map { ($0.0, substitute($0.1)) }
            let changed = base.filter { $0.0 != key } + [(key, substitute(testCase.value))]
            let baseKey = base.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            func expectAnEffect() throws {
                if baselines[baseKey] == nil { baselines[baseKey] = try tiny.run(tiny.experiment(base)).0 }
                let observed = try tiny.run(tiny.experiment(changed)).0
                #expect(observed != baselines[baseKey], "'\(key): \(testCase.value)' changed nothing a run computes or leaves behind")
            }
            func expectRefusal(_ changed: [(String, String)], value: String) throws {
                let experiment = try tiny.experiment(changed)
                do {
                    _ = try TrainingAssembly(experiment)
                    Issue.record("'\(key): \(value)' was not refused")
                } catch let error as RecipeError {
                    let line = try #require(error.issues.first { $0.problem.description.contains("key '\(key)'") },
                                            "the refusal does not name '\(key)': \(error)")
                    #expect(line.description.hasPrefix("\(tiny.folder.path)/recipe.yaml:"), "\(line)")
                }
            }
            switch support {
            case .implemented:
                try expectAnEffect()
            case .compatibility:
                let experiment = try tiny.experiment(changed)
                let (observed, _) = try tiny.run(experiment)
                #expect(observed.notes?.contains("\(key):") == true, "no note for compatibility-only key '\(key)' in the run's record")
                #expect(experiment.compatibilityNotes.contains { $0.hasPrefix("\(key):") })
            case .limited(_, _, let accepts):
                if accepts(try tiny.experiment(changed)) { try expectAnEffect() } else { try expectRefusal(changed, value: testCase.value) }
                if let refused = Self.refusedValues[key] {
                    try expectRefusal(base.filter { $0.0 != key } + [(key, refused)], value: refused)
                }
            }
        }
    }

    /// A weights file of the tiny network built with another seed, and a runner checkpoint (with
    /// training state) after one epoch of the tiny recipe.
    func prepareWeights(_ tiny: TinyExperiment) throws -> (pretrained: String, checkpoint: String) {
        let other = try TrainingAssembly(tiny.experiment([("seed", "99")]))
        let pretrained = tiny.folder.appendingPathComponent("pretrained.safetensors")
        try CheckpointFiles.save(other.model, state: nil, to: pretrained)
        let (_, session) = try tiny.run(tiny.experiment([("epoch_size", "1"), ("ckpt_save_dir", "'\(tiny.folder.path)/source'")]))
        return (pretrained.path, session.runDirectory.appendingPathComponent("last.safetensors").path)
    }
}
