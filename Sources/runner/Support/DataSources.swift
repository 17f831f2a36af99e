import Foundation
import Recipes
import Trainer
import Datasets

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
        case .fashionMNIST, .mnist:
            let isFashion = d.name == .fashionMNIST
            let directory = d.dataDirectory == "./" && isFashion ? IDXDatasets.fashionMNISTDirectory : d.dataDirectory
            var images = try IDXDatasets.load(directory: directory, dataset: d.name.rawValue,
                                              split: split == .train ? d.trainSplit : d.valSplit,
                                              classNames: isFashion ? IDXDatasets.fashionMNISTClasses : IDXDatasets.mnistClasses)
            if let n = d.numSamples { images = images.prefix(n) }
            let a = experiment.augmentation
            let mode: ImageTransform.Mode = split == .train
                ? .train(scale: a.scale[0]...a.scale[1], ratio: a.ratio[0]...a.ratio[1], horizontalFlip: a.hflip, verticalFlip: a.vflip)
                : .evaluation(cropFraction: a.cropPct)
            let transform = ImageTransform(size: size, mode: mode, mean: a.mean.map(Float.init), std: a.std.map(Float.init))
            return ImageBatchSource(dataset: images, transform: transform, batchSize: batchSize,
                                    shuffle: split == .train && d.shuffle, dropRemainder: split == .train && d.dropRemainder,
                                    seed: UInt64(experiment.system.seed))
        default:
            throw TrainingError.unsupported("dataset '\(d.name.rawValue)' is not wired to the trainer yet; use fashion_mnist, mnist or synthetic")
        }
    }
}
