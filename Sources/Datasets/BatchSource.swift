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
/// every epoch and every run with the same seed, drawn from its own stream, so that a shard reads
/// exactly the samples one process would (in order, without shuffling; batch `k` of rank `r` of
/// W holds samples `r, r + W, …` of one process's batch `k` of W times the size).
public final class SyntheticBatchSource: BatchSource {
    public let batchSize: Int
    public let classCount: Int
    let channels: Int, size: Int, seed: UInt64
    /// The samples this shard reads, in order.
    let order: [Int]
    /// Whether a last, partial batch is left out (training) or read (evaluation).
    let dropRemainder: Bool

    public init(samples: Int, batchSize: Int, classes: Int, channels: Int, size: Int, seed: UInt64 = 0,
                shard: Shard = .single, dropRemainder: Bool = true) {
        self.dropRemainder = dropRemainder
        self.batchSize = batchSize
        classCount = classes
        self.channels = channels
        self.size = size
        self.seed = seed
        order = shard.part(of: Array(0..<samples))
    }

    public var sampleCount: Int { order.count }
    public var batchesPerEpoch: Int {
        dropRemainder || sampleCount == 0 ? max(1, sampleCount / batchSize) : (sampleCount + batchSize - 1) / batchSize
    }

    public func batch(_ index: Int, epoch: Int) throws -> Batch {
        let plane = channels * size * size
        let count = dropRemainder ? batchSize : max(1, min(batchSize, sampleCount - index * batchSize))
        let images = Tensor(uninitializedShape: [count, channels, size, size])
        var labels: [Int32] = []
        labels.reserveCapacity(count)
        for i in 0..<count {
            let sample = order[(index * batchSize + i) % max(1, order.count)]
            var generator = RandomGenerator(seed: seed).stream(UInt64(sample))
            let out = images.data + i * plane
            for j in 0..<plane { out[j] = generator.nextNormal() }
            labels.append(Int32(generator.next() % UInt64(classCount)))
        }
        return Batch(images: images, labels: labels)
    }
}
