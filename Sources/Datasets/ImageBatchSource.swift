import TensorEngine

/// Batches of an in-memory image set: a seeded shuffle per epoch, this process's ``Shard`` of it,
/// each image transformed with randomness drawn from (seed, epoch, position), so batch `i` of
/// epoch `e` is the same in every run with the same seed — whatever the thread count, and after a
/// resume.
public final class ImageBatchSource: BatchSource {
    public let dataset: ImageClassificationSet
    public let transform: ImageTransform
    public let batchSize: Int
    public let shuffle: Bool
    public let dropRemainder: Bool
    public let shard: Shard
    let seed: UInt64

    public init(dataset: ImageClassificationSet, transform: ImageTransform, batchSize: Int, shuffle: Bool,
                dropRemainder: Bool, seed: UInt64, shard: Shard = .single) {
        self.shard = shard
        self.dataset = dataset
        self.transform = transform
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropRemainder = dropRemainder
        self.seed = seed
    }

    public var sampleCount: Int { shard.count(of: dataset.count) }
    public var classCount: Int { dataset.classCount }
    /// The dataset's names, unless they are placeholders (ad-hoc image files are all "?").
    public var classNames: [String]? { Set(dataset.classNames) == ["?"] ? nil : dataset.classNames }
    public var batchesPerEpoch: Int {
        EpochOrder.batches(samples: sampleCount, batchSize: batchSize, dropRemainder: dropRemainder)
    }

    private var cachedOrder: (epoch: Int, order: [Int])?

    /// This shard's sample order of an epoch (``EpochOrder``).
    func order(epoch: Int) -> [Int] {
        if let cachedOrder, cachedOrder.epoch == epoch { return cachedOrder.order }
        let order = EpochOrder.make(count: dataset.count, shuffle: shuffle, seed: seed, epoch: epoch, shard: shard)
        cachedOrder = (epoch, order)
        return order
    }

    public func batch(_ index: Int, epoch: Int) throws -> Batch {
        let order = order(epoch: epoch)
        let start = index * batchSize
        let count = min(batchSize, order.count - start)
        let size = transform.size, channels = transform.channels(for: dataset)
        let images = Tensor(uninitializedShape: [count, channels, size, size])
        let out = images.data
        let plane = channels * size * size
        let source = self.dataset, transform = self.transform, seed = self.seed
        order.withUnsafeBufferPointer { order in
            parallelFor(count, grain: 8) { range in
                for i in range {
                    let position = start + i
                    let global = UInt64(shard.globalPosition(position))
                    var random = RandomGenerator(seed: seed &+ UInt64(epoch) &* 1_000_003 &+ global &* 7_919)
                    transform.apply(source, index: order[position], into: out + i * plane, random: &random)
                }
            }
        }
        let labels = (0..<count).map { dataset.labels[order[start + $0]] }
        return Batch(images: images, labels: labels)
    }
}
