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
///
/// An evaluation shard is not padded (`padded: false`): rank `r` takes positions `r, r + W, …`
/// below N, so every sample is read by exactly one rank and the ranks' counts add up to N.
public struct Shard: Sendable, Equatable {
    public let rank: Int
    public let worldSize: Int
    /// How many times each sample of the order is read in a row (1: every sample once).
    public let repeats: Int
    /// Whether the order is padded so every rank reads as many samples (training), or split
    /// as it is (evaluation: each sample once over all ranks).
    public let padded: Bool

    public init(rank: Int, worldSize: Int, repeats: Int = 1, padded: Bool = true) {
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "Shard: rank \(rank) of \(worldSize)")
        precondition(repeats >= 1, "Shard: \(repeats) repeats")
        precondition(padded || repeats == 1, "Shard: an unpadded shard reads every sample once")
        self.rank = rank
        self.worldSize = worldSize
        self.repeats = repeats
        self.padded = padded
    }

    /// The whole epoch, for a single process.
    public static let single = Shard(rank: 0, worldSize: 1)

    /// Samples this rank reads of an epoch of `total`: ⌈total / W⌉, with or without repeats;
    /// unpadded, ⌈(total − rank) / W⌉.
    public func count(of total: Int) -> Int {
        padded ? (total + worldSize - 1) / worldSize : max(0, total - rank + worldSize - 1) / worldSize
    }

    /// The position in the whole (padded) epoch of this rank's `index`-th sample: `rank + index·W`.
    /// Per-sample randomness is drawn from it, so a sample is transformed alike on any number of
    /// ranks.
    public func globalPosition(_ index: Int) -> Int { rank + index * worldSize }

    /// This rank's part of an epoch's `order`.
    public func part(of order: [Int]) -> [Int] {
        guard worldSize > 1 || repeats > 1, !order.isEmpty else { return order }
        if !padded { return Array(stride(from: rank, to: order.count, by: worldSize).map { order[$0] }) }
        // Position p of the repeated, head-padded list of length ⌈N·k/W⌉·W holds order[(p mod N·k) / k];
        // this rank's i-th sample is position rank + i·W.
        let repeated = order.count * repeats
        return (0..<count(of: order.count)).map { order[((rank + $0 * worldSize) % repeated) / repeats] }
    }
}
