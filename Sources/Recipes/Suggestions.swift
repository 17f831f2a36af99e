import Foundation

/// "Did you mean …?" for mistyped keys and names.
enum Suggestions {
    /// Names other trainers use for our keys (timm, torchvision, keras-swa), so
    /// `epochs: 300` suggests `epoch_size` although the spellings are far apart.
    static let aliases: [String: String] = [
        "epochs": "epoch_size", "num_epochs": "epoch_size", "max_epochs": "epoch_size",
        "learning_rate": "lr", "base_lr": "lr", "lr_base": "lr",
        "optimizer": "opt", "optim": "opt",
        "sched": "scheduler", "lr_scheduler": "scheduler", "lr_schedule": "scheduler",
        "smoothing": "label_smoothing",
        "drop_path": "drop_path_rate", "drop_path_prob": "drop_path_rate",
        "drop": "drop_rate", "dropout": "drop_rate",
        "img_size": "image_resize", "image_size": "image_resize", "input_size": "image_resize",
        "train_crop_size": "image_resize", "crop_size": "image_resize",
        "model_ema": "ema", "model_ema_decay": "ema_decay",
        "clip_grad_norm": "clip_value", "clip_norm": "clip_value",
        "warmup_lr": "warmup_factor", "warmup_lr_init": "warmup_factor", "lr_warmup_decay": "warmup_factor",
        "lr_warmup_epochs": "warmup_epochs",
        "lr_min": "min_lr", "eta_min": "min_lr",
        "mixup_alpha": "mixup", "cutmix_alpha": "cutmix", "mixup_prob": "cutmix_prob",
        "reprob": "re_prob", "random_erase": "re_prob", "random_erasing": "re_prob",
        "aa": "auto_augment", "autoaugment": "auto_augment",
        "workers": "num_parallel_workers", "num_workers": "num_parallel_workers",
        "output": "ckpt_save_dir", "output_dir": "ckpt_save_dir",
        "resume": "ckpt_path", "checkpoint": "ckpt_path",
        "data_path": "data_dir", "data": "data_dir", "root": "data_dir",
        "amp": "amp_level",
        "ra_sampler": "aug_repeats", "ra_reps": "aug_repeats",
        "opt_eps": "eps", "betas": "opt_betas",
        "kwargs": "model_kwargs", "model_args": "model_kwargs",
        "start_epoch": "swa_start_epoch",
        "results": "db", "results_db": "db", "database": "db",
        "threads": "num_threads",
        "name": "run_name", "experiment": "run_name",
        "eval_batch_size": "val_batch_size", "batch_size_val": "val_batch_size",
        "seed_value": "seed",
    ]

    /// The nearest of `candidates` to `word`, or nil when nothing is close.
    ///
    /// Case, hyphens and leading dashes are ignored (`--Batch-Size` finds `batch_size`). A
    /// candidate is close when its edit distance (with transpositions) is at most a third of the
    /// longer word, at least 1 and at most 3, or when one word contains the other and the shorter
    /// has 4 or more letters. Words longer than ``RecipeLimits/maxSuggestedWordLength`` bytes
    /// get no suggestion.
    static func nearest(to word: String, in candidates: [String], aliases: [String: String] = [:]) -> String? {
        guard word.utf8.count <= RecipeLimits.maxSuggestedWordLength else { return nil }
        let normalized = normalize(word)
        if let exact = candidates.first(where: { normalize($0) == normalized }) { return exact }
        if let alias = aliases[normalized], candidates.contains(alias) { return alias }
        var best: (candidate: String, distance: Int)?
        let length = normalized.count
        for candidate in candidates {
            let other = normalize(candidate)
            let limit = max(1, min(3, max(length, other.count) / 3))
            let contained = min(length, other.count) >= 4
                && (other.contains(normalized) || normalized.contains(other))
            // The distance is at least the difference in length: skip the table when that is too far.
            guard contained || abs(length - other.count) <= limit else { continue }
            let distance = editDistance(normalized, other)
            guard distance <= limit || contained else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// The `count` nearest candidates by edit distance, nearest first (ties keep input order).
    /// Only the first ``RecipeLimits/maxSuggestedWordLength`` characters of `word` are compared.
    static func ranked(_ word: String, in candidates: [String], count: Int) -> [String] {
        let normalized = normalize(String(word.prefix(RecipeLimits.maxSuggestedWordLength)))
        return candidates.enumerated()
            .map { (index: $0.offset, name: $0.element, distance: editDistance(normalized, normalize($0.element))) }
            .sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }
            .prefix(count)
            .map(\.name)
    }

    static func normalize(_ word: String) -> String {
        var text = Substring(word.lowercased())
        while text.first == "-" { text.removeFirst() }
        return text.replacingOccurrences(of: "-", with: "_")
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions each cost 1.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs), b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
