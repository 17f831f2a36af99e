import Foundation
import Recipes
import Datasets

/// The dataset seam: the batches a recipe's dataset gives for a split, with the recipe's
/// transforms, order and this process's shard. Every dataset the trainer reads is made here.
public enum DatasetAssembly {
    public enum Split: Sendable { case train, validation }

    /// The split's batches: images with `in_channels` channels (grey images are repeated to three
    /// when the network takes three), `[B, C, image_resize, image_resize]`; the synthetic set has
    /// `num_classes` classes (10 when unset), the others their own.
    ///
    /// - Parameter shard: which part of every epoch this process reads.
    public static func make(_ experiment: Experiment, split: Split, shard: Shard = .single) throws -> BatchSource {
        let d = experiment.dataset
        let size = experiment.augmentation.imageResize
        let batchSize = split == .train ? d.batchSize : (d.valBatchSize ?? d.batchSize)
        switch d.name {
        case .synthetic:
            let classes = experiment.model.numClasses ?? 10
            let samples = d.numSamples ?? (split == .train ? 1024 : 256)
            return SyntheticBatchSource(samples: samples, batchSize: batchSize, classes: classes,
                                        channels: experiment.model.inChannels, size: size,
                                        seed: UInt64(truncatingIfNeeded: experiment.system.seed) &+ (split == .train ? 0 : 1_000_003),
                                        shard: shard, dropRemainder: split == .train)
        case .fashionMNIST, .mnist, .cifar10, .cifar100:
            var images = try inMemoryImages(experiment, split: split)
            if let n = d.numSamples { images = images.prefix(n) }
            guard images.channels == experiment.model.inChannels || images.channels == 1 && experiment.model.inChannels == 3 else {
                throw TrainingError.unsupported("in_channels \(experiment.model.inChannels) cannot take \(d.name.rawValue)'s \(images.channels)-channel images; use in_channels: \(images.channels == 1 ? "1 or 3" : "3")")
            }
            return ImageBatchSource(dataset: images, transform: try transform(experiment, split: split),
                                    batchSize: batchSize, shuffle: split == .train && d.shuffle,
                                    dropRemainder: split == .train && d.dropRemainder,
                                    seed: UInt64(truncatingIfNeeded: experiment.system.seed), shard: shard)
        case .imagenet, .folder:
            guard [1, 3].contains(experiment.model.inChannels) else {
                throw TrainingError.unsupported("in_channels \(experiment.model.inChannels) cannot take image files, which decode to grey (1) or RGB (3)")
            }
            let folder = try ImageFolder(directory: splitDirectory(experiment, split: split))
            return ImageFolderBatchSource(folder: folder, transform: try transform(experiment, split: split), batchSize: batchSize,
                                          shuffle: split == .train && d.shuffle, dropRemainder: split == .train && d.dropRemainder,
                                          seed: UInt64(truncatingIfNeeded: experiment.system.seed), shard: shard,
                                          sampleLimit: d.numSamples, workers: d.numParallelWorkers,
                                          continuesIntoNextEpoch: split == .train, priority: .configured)
        }
    }

    /// `data_dir/train_split` or `data_dir/val_split`.
    public static func splitDirectory(_ experiment: Experiment, split: Split) -> String {
        let d = experiment.dataset
        let name = split == .train ? d.trainSplit : d.valSplit
        return d.dataDirectory.hasSuffix("/") ? d.dataDirectory + name : d.dataDirectory + "/" + name
    }

    /// The class names of the recipe's dataset when it has fixed ones (Fashion-MNIST, MNIST,
    /// CIFAR-10); image folders and CIFAR-100 name theirs from their files.
    public static func classNames(_ experiment: Experiment) -> [String]? {
        switch experiment.dataset.name {
        case .fashionMNIST: IDXDatasets.fashionMNISTClasses
        case .mnist: IDXDatasets.mnistClasses
        case .cifar10: CIFARDatasets.cifar10Classes
        default: nil
        }
    }

    /// The recipe's transform for a split. Training: the random resized crop (`scale`, `ratio`,
    /// `interpolation`), `hflip` and `vflip`, then the `auto_augment` policy or else `color_jitter`,
    /// normalisation, and random erasing (`re_*`) when `re_prob` is above 0. Evaluation: the
    /// shorter side resized to `val_resize_size` (else ⌊crop / `crop_pct`⌋), the centre crop of
    /// `val_crop_size` (else `image_resize`). Both resample with Pillow's filters and normalise
    /// with `mean` and `std`, writing `in_channels` channels.
    ///
    /// `interpolation: random` draws bilinear or bicubic per image in training (timm's
    /// `train_interpolation`) and evaluates with bilinear; the policy's geometric ops resample
    /// with the recipe's filter (`random`: drawn per op, as timm; `area`, which Pillow's affine
    /// transforms lack: bilinear).
    ///
    /// - Throws: ``Recipes/RecipeError`` at the `auto_augment` key when its string does not parse.
    public static func transform(_ experiment: Experiment, split: Split) throws -> ImageTransform {
        let a = experiment.augmentation
        let normalization = PixelNormalization(mean: a.mean.map(Float.init), std: a.std.map(Float.init))
        let interpolation = interpolationChoice(a.interpolation)
        guard split == .train else {
            let filter = if case .fixed(let filter) = interpolation { filter } else { ResampleFilter.bilinear }
            let crop = EvaluationCrop(size: a.valCropSize ?? a.imageResize, cropPct: a.cropPct, filter: filter,
                                      resizeSize: a.valResizeSize)
            return ImageTransform(mode: .evaluation(crop),
                                  normalization: normalization, outputChannels: experiment.model.inChannels)
        }
        let crop = RandomResizedCrop(size: a.imageResize, scale: a.scale[0]...a.scale[1], ratio: a.ratio[0]...a.ratio[1],
                                     interpolation: interpolation, horizontalFlip: a.hflip, verticalFlip: a.vflip)
        let policy = try a.autoAugment.map { string in
            do throws(AugmentPolicyError) {
                return try AugmentPolicy(parsing: string)
            } catch {
                throw RecipeError(issues: [RecipeIssue(location: experiment.provenance.issueLocation(of: "auto_augment"),
                                                       problem: .inconsistent(key: "auto_augment", reason: error.description))])
            }
        }
        let policyInterpolation: AugmentInterpolation = switch a.interpolation {
        case .random: .random
        case .nearest: .fixed(.nearest)
        case .bicubic: .fixed(.bicubic)
        case .bilinear, .area: .fixed(.bilinear)
        }
        let erasing = a.reProb > 0
            ? RandomErasing(probability: a.reProb, scale: a.reScale[0]...a.reScale[1], ratio: a.reRatio[0]...a.reRatio[1],
                            fill: erasingFill(a.reValue), maxAttempts: a.reMaxAttempts)
            : nil
        let augmentation = TrainingAugmentation(
            crop: crop, colorJitter: colorJitter(a.colorJitter), policy: policy,
            policySettings: AugmentSettings(mean: a.mean, interpolation: policyInterpolation), erasing: erasing)
        return ImageTransform(mode: .train(augmentation), normalization: normalization, outputChannels: experiment.model.inChannels)
    }

    /// The recipe's `interpolation` as the crop's filter choice.
    static func interpolationChoice(_ interpolation: Interpolation) -> InterpolationChoice {
        InterpolationChoice(recipeName: interpolation.rawValue) ?? .fixed(.bilinear)
    }

    /// MindCV's `re_value` as random erasing's fill, in normalised units.
    static func erasingFill(_ value: ErasingFill) -> RandomErasing.Fill {
        switch value {
        case .constant(let value): .constant([Float(value)])
        case .perChannel(let values): .constant(values.map(Float.init))
        case .random: .perPixelNormal
        }
    }

    /// MindCV's `color_jitter`: one strength for brightness, contrast and saturation, or 3–4 values
    /// (the fourth is hue).
    static func colorJitter(_ setting: ColorJitter) -> ColorJitterStrength {
        switch setting {
        case .uniform(let strength):
            return ColorJitterStrength(brightness: strength, contrast: strength, saturation: strength)
        case .perComponent(let values):
            return ColorJitterStrength(brightness: values[0], contrast: values[1], saturation: values[2],
                                       hue: values.count > 3 ? values[3] : 0)
        }
    }

    /// The split of an in-memory set: IDX files (Fashion-MNIST at Debian's path unless data_dir
    /// says otherwise) or CIFAR's binary batches.
    private static func inMemoryImages(_ experiment: Experiment, split: Split) throws -> ImageClassificationSet {
        let d = experiment.dataset
        let splitName = split == .train ? d.trainSplit : d.valSplit
        switch d.name {
        case .cifar10, .cifar100:
            return try CIFARDatasets.load(directory: d.dataDirectory, kind: d.name == .cifar10 ? .cifar10 : .cifar100, split: splitName)
        default:
            let isFashion = d.name == .fashionMNIST
            let directory = d.dataDirectory == "./" && isFashion ? IDXDatasets.fashionMNISTDirectory : d.dataDirectory
            return try IDXDatasets.load(directory: directory, dataset: d.name.rawValue, split: splitName,
                                        classNames: classNames(experiment) ?? [])
        }
    }
}
