import TensorEngine

/// The order in which one process reads an epoch: a Fisher–Yates shuffle of the samples seeded by
/// (seed, epoch) — or their order as listed — then this process's ``Shard`` of it. Depends on
/// nothing else, so every run with the same seed, resumed or not, reads the same epoch.
enum EpochOrder {
    static func make(count: Int, shuffle: Bool, seed: UInt64, epoch: Int, shard: Shard) -> [Int] {
        var order = Array(0..<count)
        if shuffle {
            var random = RandomGenerator(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)))
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
        }
        return shard.part(of: order)
    }

    /// Batches in an epoch of `samples`: the last partial one dropped (keeping at least one) or kept.
    static func batches(samples: Int, batchSize: Int, dropRemainder: Bool) -> Int {
        dropRemainder ? max(1, samples / batchSize) : (samples + batchSize - 1) / batchSize
    }
}
