import Foundation
import Testing
import TensorEngine
@testable import Datasets

/// Sharding and repeated augmentation (``Shard``): the orders of timm's `RepeatAugSampler` as
/// MindCV configures it (tools/make_sampler_golden.py), and both batch sources reading them.
@Suite struct ShardTests {
    /// An evaluation shard is not padded: over the ranks every sample is read exactly once, even
    /// when the set does not divide by the world size, and the counts add up to it.
    @Test func unpaddedShardsReadEverySampleOnce() {
        for (samples, world) in [(10, 3), (7, 2), (2, 4), (12, 4), (0, 2)] {
            let order = (0..<samples).map { ($0 * 5 + 1) % max(samples, 1) }
            var seen: [Int] = []
            for rank in 0..<world {
                let shard = Shard(rank: rank, worldSize: world, padded: false)
                let part = shard.part(of: order)
                #expect(part.count == shard.count(of: samples), "N \(samples), rank \(rank) of \(world)")
                seen += part
            }
            #expect(seen.sorted() == order.sorted(), "N \(samples) over \(world) ranks")
        }
    }

    /// The position a rank's sample has in the whole epoch, from which its randomness is drawn.
    @Test func globalPositionsInterleaveTheRanks() {
        let positions = (0..<3).flatMap { rank in (0..<4).map { Shard(rank: rank, worldSize: 3).globalPosition($0) } }
        #expect(positions.sorted() == Array(0..<12))
    }

    /// Each rank's part of an unshuffled epoch is exactly the sampler's, for one repeat (plain
    /// sharding) and several, worlds that divide N·k and ones whose padding wraps round.
    @Test func partsMatchTimmsRepeatAugSampler() throws {
        let url = try #require(Bundle.module.url(forResource: "repeated_augmentation", withExtension: "json",
                                                 subdirectory: "Fixtures/sampler"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count == 8)
        for entry in cases {
            let samples = (entry["samples"] as! NSNumber).intValue, repeats = (entry["repeats"] as! NSNumber).intValue
            let world = (entry["world"] as! NSNumber).intValue
            let orders = (entry["orders"] as! [[NSNumber]]).map { $0.map(\.intValue) }
            for rank in 0..<world {
                let shard = Shard(rank: rank, worldSize: world, repeats: repeats)
                let part = shard.part(of: Array(0..<samples))
                #expect(part == orders[rank], "N \(samples), k \(repeats), rank \(rank) of \(world)")
                #expect(shard.count(of: samples) == part.count)
            }
            // A shuffled order goes through the same positions.
            let order = (0..<samples).map { ($0 * 7 + 3) % samples }
            let part = Shard(rank: world - 1, worldSize: world, repeats: repeats).part(of: order)
            #expect(part == orders[world - 1].map { order[$0] })
        }
    }

    /// With repeats, the in-memory source's epoch keeps its length and batch count, and holds
    /// each sample of the plain epoch's order k times in a row, each copy transformed with its own
    /// position's randomness.
    @Test func inMemorySourceRepeatsSamplesWithFreshAugmentation() throws {
        var random = RandomGenerator(seed: 31)
        let count = 20
        let pixels = (0..<count * 12 * 12).map { _ in UInt8(random.next() % 256) }
        let set = ImageClassificationSet(images: pixels, labels: (0..<count).map { Int32($0) }, height: 12, width: 12,
                                         channels: 1, classNames: (0..<count).map { "c\($0)" })
        let transform = ImageTransform.training(size: 8, scale: 0.3...1, ratio: 0.75...1.33, horizontalFlip: 0.5, verticalFlip: 0,
                                                 mean: [0], std: [1])
        func source(_ shard: Shard) -> ImageBatchSource {
            ImageBatchSource(dataset: set, transform: transform, batchSize: 6, shuffle: true, dropRemainder: true, seed: 4, shard: shard)
        }
        let plain = source(.single), repeated = source(Shard(rank: 0, worldSize: 1, repeats: 3))
        #expect(repeated.sampleCount == plain.sampleCount && repeated.batchesPerEpoch == plain.batchesPerEpoch)
        for epoch in 0..<2 {
            let plainLabels = try (0..<plain.batchesPerEpoch).flatMap { try plain.batch($0, epoch: epoch).labels }
            let batches = try (0..<repeated.batchesPerEpoch).map { try repeated.batch($0, epoch: epoch) }
            let labels = batches.flatMap(\.labels)
            #expect(labels == (0..<labels.count).map { plainLabels[$0 / 3] }, "epoch \(epoch)")
            let plane = 8 * 8
            let images = batches.flatMap(\.images.scalars)
            for first in stride(from: 0, to: labels.count, by: 3) {
                let copies = (0..<3).map { Array(images[(first + $0) * plane..<(first + $0 + 1) * plane]) }
                #expect(copies[0] != copies[1] && copies[1] != copies[2], "the copies of sample \(labels[first]) are augmented apart")
            }
        }
    }

    /// The image-folder source reads the same repeated order.
    @Test func imageFolderSourceRepeatsSamples() throws {
        let folder = try TestFolder("shard")
        defer { folder.remove() }
        let index = try ImageFolder(directory: TestImages.folder(in: folder, classes: ["a", "b", "c", "d"], perClass: 3))
        let transform = ImageTransform.training(size: 16, scale: 0.3...1, ratio: 0.75...1.33, horizontalFlip: 0.5, verticalFlip: 0,
                                                 mean: [0, 0, 0], std: [1, 1, 1], outputChannels: 3)
        func source(_ shard: Shard) -> ImageFolderBatchSource {
            ImageFolderBatchSource(folder: index, transform: transform, batchSize: 4, shuffle: true, dropRemainder: false,
                                   seed: 8, shard: shard, workers: 2, priority: .normal)
        }
        let plain = source(.single), repeated = source(Shard(rank: 0, worldSize: 1, repeats: 2))
        #expect(repeated.sampleCount == 12 && repeated.batchesPerEpoch == plain.batchesPerEpoch)
        let plainLabels = try (0..<plain.batchesPerEpoch).flatMap { try plain.batch($0, epoch: 1).labels }
        let batches = try (0..<repeated.batchesPerEpoch).map { try repeated.batch($0, epoch: 1) }
        let labels = batches.flatMap(\.labels)
        #expect(labels == (0..<12).map { plainLabels[$0 / 2] })
        let plane = 3 * 16 * 16, images = batches.flatMap(\.images.scalars)
        for first in stride(from: 0, to: 12, by: 2) {
            #expect(images[first * plane..<(first + 1) * plane] != images[(first + 1) * plane..<(first + 2) * plane])
        }
    }
}
