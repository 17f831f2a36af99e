/// What this runner does with a recipe key, declared beside the key in ``RecipeSchema/fields``.
///
/// Every key is one of three kinds, so that nothing a recipe says is silently ignored:
/// it takes effect; it is accepted for compatibility with MindCV's recipes and has no effect on
/// this backend (the reason goes to the log and the run's record); or it takes effect only for
/// some values and any other value is refused before work starts, naming the file, line and key.
public enum KeySupport: Sendable {
    /// The key takes effect.
    case implemented
    /// Accepted so that recipes written for MindCV load unchanged; no effect here, for `reason`.
    case compatibility(reason: String)
    /// Runs only while `accepts` holds for the experiment (`requirement` says which values, for
    /// example `0` or `False`); otherwise refused with `reason` and what to set instead.
    case limited(requirement: String, reason: String, accepts: @Sendable (Experiment) -> Bool)

    /// A short label for listings: `implemented`, `compatibility`, `limited`.
    public var label: String {
        switch self {
        case .implemented: "implemented"
        case .compatibility: "compatibility"
        case .limited: "limited"
        }
    }
}

extension Field {
    /// This field, accepted for compatibility only.
    func compatibility(_ reason: String) -> Field {
        var field = self
        field.support = .compatibility(reason: reason)
        return field
    }

    /// This field, refused unless `accepts` holds; `requirement` names the values that run.
    func limited(to requirement: String, _ reason: String,
                 accepts: @escaping @Sendable (Experiment) -> Bool) -> Field {
        var field = self
        field.support = .limited(requirement: requirement, reason: reason, accepts: accepts)
        return field
    }

    /// This field, refused unless it keeps its default value.
    func defaultOnly(_ reason: String) -> Field {
        let field = self
        let standard = render(Experiment())
        return limited(to: standard, reason) { field.render($0) == standard }
    }
}

extension Experiment {
    /// Each recipe key with what this runner does with it, in resolved-recipe order.
    public static var keySupport: [(key: String, support: KeySupport)] {
        RecipeSchema.fields.map { ($0.key, $0.support) }
    }

    /// The keys set to values this runner cannot honour, each located where it was set and
    /// saying what to set instead; `nil` when every key can run. Call it before any work.
    public func unsupportedSettings() -> RecipeError? {
        var issues: [RecipeIssue] = []
        for field in RecipeSchema.fields {
            guard case .limited(let requirement, let reason, let accepts) = field.support, !accepts(self) else { continue }
            issues.append(RecipeIssue(
                location: provenance.issueLocation(of: field.key),
                problem: .unsupported(key: field.key, value: field.render(self).trimmingSpaces,
                                      reason: reason, requirement: requirement)))
        }
        issues.sort { ($0.location.line ?? Int.max) < ($1.location.line ?? Int.max) }
        return issues.isEmpty ? nil : RecipeError(issues: issues)
    }

    /// One line per compatibility-only key whose value differs from its default: what was set
    /// and why it has no effect here. Logged and stored with the run.
    public var compatibilityNotes: [String] {
        let defaults = Experiment()
        return RecipeSchema.fields.compactMap { field in
            guard case .compatibility(let reason) = field.support else { return nil }
            let value = field.render(self)
            guard value != field.render(defaults) else { return nil }
            return "\(field.key): \(value.trimmingSpaces) is accepted for compatibility and has no effect: \(reason)"
        }
    }

    /// Warnings about settings that are unusual but well defined, run as they are (as MindCV
    /// runs them): a warm-up as long as the run, and keys whose value only matters when another
    /// key turns their feature on, set while it is off (`ema_decay` without `ema`,
    /// `num_parallel_workers` on a dataset without loader threads).
    public var settingNotes: [String] {
        let defaults = Experiment()
        var notes: [String] = []
        if scheduler.warmupEpochs >= training.epochs {
            notes.append("warmup_epochs \(scheduler.warmupEpochs) is not below epoch_size \(training.epochs): the learning rate warms up for the whole run")
        }
        func check(_ keys: [String], when off: Bool, _ explanation: String) {
            guard off else { return }
            for key in keys {
                guard let field = RecipeSchema.field(named: key), field.render(self) != field.render(defaults) else { continue }
                notes.append("\(key) has no effect: \(explanation)")
            }
        }
        check(["ema_decay", "ema_steps", "ema_adjust"], when: !training.ema, "ema is False")
        check(["warmup_method", "warmup_factor"], when: scheduler.warmupEpochs == 0, "warmup_epochs is 0")
        check(["clip_value"], when: !training.clipGrad, "clip_grad is False")
        check(["val_interval", "val_batch_size"], when: !system.valWhileTrain, "val_while_train is False")
        check(["momentum", "use_nesterov"], when: [.adam, .adamw, .lion, .adagrad, .lamb, .nadam].contains(optimizer.name),
              "opt '\(optimizer.name.rawValue)' has no momentum term")
        check(["opt_betas"], when: [.sgd, .momentum, .nesterov, .rmsprop, .adagrad].contains(optimizer.name),
              "opt '\(optimizer.name.rawValue)' has no betas")
        check(["multi_step_decay_milestones"], when: scheduler.name != .multiStepDecay, "scheduler is not multi_step_decay")
        check(["color_jitter"], when: augmentation.autoAugment != nil,
              "auto_augment is set, and MindCV applies its policy instead of colour jitter, never both")
        check(["re_scale", "re_ratio", "re_value", "re_max_attempts"], when: augmentation.reProb == 0, "re_prob is 0")
        check(["cutmix_prob"], when: augmentation.mixup == 0 && augmentation.cutmix == 0, "mixup and cutmix are 0")
        check(["swa_start_epoch", "swa_lr", "swa_lr2", "swa_freq", "swa_lr_schedule", "swa_anneal_epochs"], when: !swa.enabled, "swa is False")
        check(["swa_anneal_epochs"], when: swa.enabled && !swa.lrSchedule.isTorchAnnealing,
              "swa_lr_schedule '\(swa.lrSchedule.rawValue)' is keras-swa's; the annealing length belongs to torch's cos and linear")
        check(["swa_lr2"], when: swa.enabled && swa.lrSchedule.isTorchAnnealing,
              "torch's SWALR anneals to swa_lr alone; swa_lr2 is keras-swa's cyclic upper rate")
        check(["num_parallel_workers"], when: !dataset.name.isImageFolder,
              "dataset '\(dataset.name.rawValue)' is \(dataset.name == .synthetic ? "generated" : "held in memory") and transformed on the engine's thread pool; loader threads decode image folders (imagenet, folder)")
        return notes
    }
}
