/// Which part of every epoch one process reads: rank `rank` of `worldSize` processes, each sample
/// of the epoch's order read `repeats` times in a row (repeated augmentation).
///
/// With one repeat, as torch's `DistributedSampler`: the epoch's order is padded by repeating its
/// first samples up to a multiple of the world size, and rank `r` takes positions `r, r + W,
/// r + 2W, …`, so every rank sees the same number of samples. One process (``single``) reads the
/// order as it is.
///
/// With `repeats` k > 1, as MindCV's `RepeatAugSampler` for `aug_repeats` (DeiT's repeated
/// augmentation sampler): every sample of the order of N is written k times consecutively, that
/// list padded from its head to ⌈N·k/W⌉·W, rank `r` takes positions `r, r + W, …` of it and reads
/// the first ⌈N/W⌉ of them. An epoch is then as long as an ordinary one but holds about N/k
/// distinct samples, each k times: on k neighbouring ranks, or, on one process, at k neighbouring
/// positions (often in one batch), each transformed with its own position's randomness. MindCV
/// builds the sampler with `selected_round=0`, which gives the ⌈N/W⌉; torchvision's and timm's
/// default reads ⌊N/256⌋·256/W instead (none at all below 256 samples).
public struct Shard: Sendable, Equatable {
    public let rank: Int
    public let worldSize: Int
    /// How many times each sample of the order is read in a row (1: every sample once).
    public let repeats: Int

    public init(rank: Int, worldSize: Int, repeats: Int = 1) {
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "Shard: rank \(rank) of \(worldSize)")
        precondition(repeats >= 1, "Shard: \(repeats) repeats")
        self.rank = rank
        self.worldSize = worldSize
        self.repeats = repeats
    }

    /// The whole epoch, for a single process.
    public static let single = Shard(rank: 0, worldSize: 1)

    /// Samples this rank reads of an epoch of `total`: ⌈total / W⌉, with or without repeats.
    public func count(of total: Int) -> Int { (total + worldSize - 1) / worldSize }

    /// This rank's part of an epoch's `order`.
    public func part(of order: [Int]) -> [Int] {
        guard worldSize > 1 || repeats > 1, !order.isEmpty else { return order }
        // Position p of the repeated, head-padded list of length ⌈N·k/W⌉·W holds order[(p mod N·k) / k];
        // this rank's i-th sample is position rank + i·W.
        let repeated = order.count * repeats
        return (0..<count(of: order.count)).map { order[((rank + $0 * worldSize) % repeated) / repeats] }
    }
}
