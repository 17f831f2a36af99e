import Foundation
import Recipes
import Trainer

/// The batches a recipe's dataset gives for a split.
enum DataSources {
    enum Split { case train, validation }

    static func make(_ experiment: Experiment, split: Split) throws -> BatchSource {
        let d = experiment.dataset
        let size = experiment.augmentation.imageResize
        let batchSize = split == .train ? d.batchSize : (d.valBatchSize ?? d.batchSize)
        switch d.name {
        case .synthetic:
            let classes = experiment.model.numClasses ?? 10
            let samples = d.numSamples ?? (split == .train ? 1024 : 256)
            return SyntheticBatchSource(samples: samples, batchSize: batchSize, classes: classes,
                                        channels: experiment.model.inChannels, size: size,
                                        seed: UInt64(experiment.system.seed) &+ (split == .train ? 0 : 1_000_003))
        default:
            throw TrainingError.unsupported("dataset '\(d.name.rawValue)' is not wired to the trainer yet; use synthetic")
        }
    }
}
