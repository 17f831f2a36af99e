/// Which part of every epoch one process reads: rank `rank` of `worldSize` processes.
///
/// As torch's `DistributedSampler`: the epoch's order is padded by repeating its first samples
/// up to a multiple of the world size, and rank `r` takes positions `r, r + W, r + 2W, …`, so
/// every rank sees the same number of samples. One process (``single``) reads the order as it is.
public struct Shard: Sendable, Equatable {
    public let rank: Int
    public let worldSize: Int

    public init(rank: Int, worldSize: Int) {
        precondition(worldSize >= 1 && (0..<worldSize).contains(rank), "Shard: rank \(rank) of \(worldSize)")
        self.rank = rank
        self.worldSize = worldSize
    }

    /// The whole epoch, for a single process.
    public static let single = Shard(rank: 0, worldSize: 1)

    /// Samples this rank reads of an epoch of `total`.
    public func count(of total: Int) -> Int { (total + worldSize - 1) / worldSize }

    /// This rank's part of an epoch's `order`.
    public func part(of order: [Int]) -> [Int] {
        guard worldSize > 1, !order.isEmpty else { return order }
        let padded = count(of: order.count) * worldSize
        return stride(from: rank, to: padded, by: worldSize).map { order[$0 % order.count] }
    }
}
