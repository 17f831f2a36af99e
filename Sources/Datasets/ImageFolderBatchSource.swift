import Synchronization
import TensorEngine

/// Files that could not be decoded and were replaced in their batches: how many distinct files,
/// and the first few paths with the reason.
public struct SkippedFiles: Sendable, Equatable {
    public var count: Int
    /// At most ``ImageFolderBatchSource/skippedExamples`` entries, `path: problem`.
    public var examples: [String]

    public init(count: Int = 0, examples: [String] = []) {
        self.count = count
        self.examples = examples
    }

    public static let none = SkippedFiles()
}

/// Batches of an ``ImageFolder``, decoded and transformed ahead of the trainer by `workers`
/// threads (``PrefetchLoader``).
///
/// The epoch's order is ``EpochOrder``'s (seeded shuffle, this process's ``Shard``). Sample
/// `position` of epoch `e` draws its randomness from a stream derived from (seed, e, position)
/// alone, so a batch holds the same pixels whatever the number of workers, and a resumed run
/// reads what an unbroken one would. A file that cannot be decoded (truncated, empty, not an
/// image) is never fatal: the sample at that position is the next decodable one in the epoch's
/// order (wrapping round), with that position's randomness; the file is counted once in
/// ``skippedFiles`` and never read again by this source.
public final class ImageFolderBatchSource: BatchSource, @unchecked Sendable {
    /// Paths kept in ``skippedFiles``.
    public static let skippedExamples = 5

    public let folder: ImageFolder
    public let transform: any SampleTransform
    public let batchSize: Int
    public let shuffle: Bool
    public let dropRemainder: Bool
    public let shard: Shard
    /// Channels decoded from the files: 1 when the transform writes one, else RGB.
    public let decodedChannels: Int
    let seed: UInt64
    /// The images read (all, or `sampleLimit` of them), as indices into `folder`.
    let members: [Int]
    private let loader: PrefetchLoader
    private let state: SharedState

    /// What the workers share: the epochs' orders and the files found bad.
    private final class SharedState: Sendable {
        struct Contents {
            var orders: [(epoch: Int, order: [Int])] = []
            var bad: Set<Int> = []
            var examples: [String] = []
        }
        let mutex = Mutex(Contents())
    }

    /// - Parameters:
    ///   - sampleLimit: read only this many images (MindCV's `num_samples`): a subset drawn once
    ///     from the seed, the same in every epoch, kept in listing order before shuffling.
    ///   - workers: loader threads (`num_parallel_workers`).
    ///   - prefetchBatches: batches made ahead of the one the trainer takes.
    ///   - continuesIntoNextEpoch: whether the loader starts the next epoch's batches while the
    ///     last ones of an epoch are used (training); evaluation, which rereads epoch 0, does not.
    public init(folder: ImageFolder, transform: any SampleTransform, batchSize: Int, shuffle: Bool, dropRemainder: Bool,
                seed: UInt64, shard: Shard = .single, sampleLimit: Int? = nil, workers: Int, prefetchBatches: Int = 2,
                continuesIntoNextEpoch: Bool = true, priority: LoaderPriority = .background) {
        self.folder = folder
        self.transform = transform
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropRemainder = dropRemainder
        self.seed = seed
        self.shard = shard
        let channels = transform.channels == 1 ? 1 : 3
        decodedChannels = channels
        let members = Self.subset(count: folder.count, limit: sampleLimit, seed: seed)
        self.members = members
        let state = SharedState()
        self.state = state
        let samples = shard.count(of: members.count)
        let batches = EpochOrder.batches(samples: samples, batchSize: batchSize, dropRemainder: dropRemainder)
        let decoders = (0..<workers).map { _ in SampleDecoder() }
        loader = PrefetchLoader(
            workers: workers, depth: prefetchBatches, batchSize: batchSize,
            samplesPerEpoch: dropRemainder ? min(samples, batches * batchSize) : samples, batchesPerEpoch: batches,
            sampleShape: [transform.channels, transform.size, transform.size],
            continuesIntoNextEpoch: continuesIntoNextEpoch, priority: priority) { worker, epoch, position, out in
                let order = Self.order(epoch: epoch, state: state) {
                    EpochOrder.make(count: members.count, shuffle: shuffle, seed: seed, epoch: epoch, shard: shard).map { members[$0] }
                }
                return try Self.produce(position: position, globalPosition: shard.globalPosition(position), epoch: epoch,
                                        order: order, folder: folder, transform: transform, channels: channels, seed: seed,
                                        decoder: decoders[worker], state: state, into: out)
            }
    }

    deinit { loader.stop() }

    public var sampleCount: Int { shard.count(of: members.count) }
    public var batchesPerEpoch: Int { loader.batchesPerEpoch }
    public var classCount: Int { folder.classNames.count }
    public var classNames: [String]? { folder.classNames }
    public var loaderThreads: Int { loader.workers }

    public var skippedFiles: SkippedFiles {
        state.mutex.withLock { SkippedFiles(count: $0.bad.count, examples: $0.examples) }
    }

    public func batch(_ index: Int, epoch: Int) throws -> Batch {
        let (images, labels) = try loader.batch(index, epoch: epoch)
        return Batch(images: images, labels: labels)
    }

    /// The generator of sample `position` of `epoch`.
    static func random(seed: UInt64, epoch: Int, position: Int) -> RandomGenerator {
        RandomGenerator(seed: seed).stream(UInt64(epoch)).stream(UInt64(position))
    }

    /// `limit` indices of `0..<count` drawn with `seed`, ascending; all of them without a limit.
    static func subset(count: Int, limit: Int?, seed: UInt64) -> [Int] {
        guard let limit, limit < count else { return Array(0..<count) }
        var indices = Array(0..<count)
        var random = RandomGenerator(seed: seed).stream(0x5eed_5b5e7)
        for i in 0..<limit { indices.swapAt(i, i + random.nextIndex(below: count - i)) }
        return indices[0..<limit].sorted()
    }

    /// The epoch's order (folder indices), computed once and kept for the last two epochs asked for.
    private static func order(epoch: Int, state: SharedState, make: () -> [Int]) -> [Int] {
        state.mutex.withLock { state in
            if let cached = state.orders.first(where: { $0.epoch == epoch }) { return cached.order }
            let order = make()
            state.orders = Array(state.orders.suffix(1)) + [(epoch, order)]
            return order
        }
    }

    /// Sample `position`: the first decodable file from that position on in `order`, transformed
    /// with the randomness of its position in the whole epoch (`globalPosition`).
    private static func produce(position: Int, globalPosition: Int, epoch: Int, order: [Int], folder: ImageFolder,
                                transform: any SampleTransform,
                                channels: Int, seed: UInt64, decoder: SampleDecoder, state: SharedState,
                                into out: UnsafeMutablePointer<Float>) throws -> Int32 {
        for step in 0..<order.count {
            let sample = order[(position + step) % order.count]
            if state.mutex.withLock({ $0.bad.contains(sample) }) { continue }
            var random = Self.random(seed: seed, epoch: epoch, position: globalPosition)
            do {
                try decoder.decode(folder.path(sample), channels: channels, transform: transform, random: &random, into: out)
                return folder.labels[sample]
            } catch {
                state.mutex.withLock { state in
                    if state.bad.insert(sample).inserted, state.examples.count < Self.skippedExamples {
                        state.examples.append(String(describing: error))
                    }
                }
            }
        }
        throw ImageFolder.DiscoveryError(path: folder.directory, problem: "none of its \(order.count) images in this epoch could be decoded")
    }
}
