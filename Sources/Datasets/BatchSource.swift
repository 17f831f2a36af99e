import TensorEngine

/// One batch: images `[B, C, H, W]`, their class labels and, once a batch transform has mixed
/// the images (mixup, cutmix), the targets the loss trains towards.
public struct Batch {
    public let images: Tensor
    /// Each image's own class, unmixed: what training accuracy is measured against.
    public let labels: [Int32]
    /// Class probabilities `[B, classes]`, each row summing to 1, when the images are blends of
    /// several classes; the loss then uses them in place of `labels`. `nil` for plain batches.
    public let softTargets: Tensor?

    public init(images: Tensor, labels: [Int32], softTargets: Tensor? = nil) {
        self.images = images
        self.labels = labels
        self.softTargets = softTargets
    }
    public var count: Int { labels.count }
}

/// Where the trainer's batches come from: a split of a dataset with its transforms and order.
/// The order of an epoch depends only on the seed and the epoch, so a resumed run sees the same
/// batches as one that never stopped.
public protocol BatchSource: AnyObject {
    /// Samples per epoch (after `num_samples`).
    var sampleCount: Int { get }
    /// Batches per epoch.
    var batchesPerEpoch: Int { get }
    /// Number of classes the labels range over.
    var classCount: Int { get }
    /// Batch `index` of `epoch` (0-based).
    func batch(_ index: Int, epoch: Int) throws -> Batch
    /// The classes' names in label order, when the dataset has real ones (checkpoints carry them).
    var classNames: [String]? { get }
    /// Files that could not be decoded so far and were replaced by the next good sample (the
    /// trainer logs them and stores them with the run).
    var skippedFiles: SkippedFiles { get }
    /// Threads decoding and transforming ahead of the trainer (`num_parallel_workers`); 0 when
    /// batches are made on demand on the engine's thread pool (in-memory and synthetic sets).
    var loaderThreads: Int { get }
}

extension BatchSource {
    public var classNames: [String]? { nil }
    public var skippedFiles: SkippedFiles { .none }
    public var loaderThreads: Int { 0 }
}

/// Seeded random images with random labels, for benchmarks and tests: sample `i` is the same in
/// every epoch and every run with the same seed.
public final class SyntheticBatchSource: BatchSource {
    public let sampleCount: Int
    public let batchSize: Int
    public let classCount: Int
    let channels: Int, size: Int, seed: UInt64

    public init(samples: Int, batchSize: Int, classes: Int, channels: Int, size: Int, seed: UInt64 = 0) {
        sampleCount = samples
        self.batchSize = batchSize
        classCount = classes
        self.channels = channels
        self.size = size
        self.seed = seed
    }

    public var batchesPerEpoch: Int { max(1, sampleCount / batchSize) }

    public func batch(_ index: Int, epoch: Int) throws -> Batch {
        var generator = RandomGenerator(seed: seed &+ UInt64(index))
        let images = Tensor.normal([batchSize, channels, size, size], using: &generator)
        let labels = (0..<batchSize).map { _ in Int32(generator.next() % UInt64(classCount)) }
        return Batch(images: images, labels: labels)
    }
}
