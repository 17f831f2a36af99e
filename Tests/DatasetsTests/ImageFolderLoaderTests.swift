import Foundation
import Testing
import TensorEngine
@testable import Datasets

/// The threaded loader over image folders: determinism across worker counts and resumes,
/// shards, unreadable files, and decoding only the region a sample reads.
@Suite struct ImageFolderLoaderTests {
    static let train = ImageTransform.training(size: 24, scale: 0.2...1, ratio: 0.75...1.33, horizontalFlip: 0.5,
                                                             verticalFlip: 0, colorJitter: ColorJitterStrength(brightness: 0.4),
                                      mean: [120, 110, 100], std: [60, 60, 60], outputChannels: 3)
    static let evaluation = ImageTransform.evaluation(size: 24, cropFraction: 0.875, mean: [0], std: [1], outputChannels: 3)

    func source(_ folder: ImageFolder, transform: ImageTransform = train, workers: Int, batchSize: Int = 4,
                shuffle: Bool = true, shard: Shard = .single) -> ImageFolderBatchSource {
        ImageFolderBatchSource(folder: folder, transform: transform, batchSize: batchSize, shuffle: shuffle, dropRemainder: false,
                               seed: 5, shard: shard, workers: workers, priority: .normal)
    }

    /// Every batch of `epochs`, as (pixels, labels).
    func read(_ source: ImageFolderBatchSource, epochs: Range<Int>) throws -> [([Float], [Int32])] {
        try epochs.flatMap { epoch in
            try (0..<source.batchesPerEpoch).map { index in
                let batch = try source.batch(index, epoch: epoch)
                return (batch.images.scalars, batch.labels)
            }
        }
    }

    @Test func batchesAreTheSameWhateverTheWorkerCount() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let index = try ImageFolder(directory: TestImages.folder(in: folder, classes: ["a", "b", "c"], perClass: 7))
        let one = try read(source(index, workers: 1), epochs: 0..<2)
        #expect(one.count == 12 && one[5].1.count == 1, "21 images in batches of 4: six a epoch, the last of one")
        for workers in [2, 3] {
            let many = try read(source(index, workers: workers), epochs: 0..<2)
            #expect(many.map(\.0) == one.map(\.0), "\(workers) workers")
            #expect(many.map(\.1) == one.map(\.1))
        }
        #expect(one[0].0 != one[6].0, "epochs differ")
        #expect(one.prefix(6).flatMap(\.1).sorted() == index.labels.sorted(), "each image once an epoch")
    }

    @Test func aResumedRunAndJumpsSeeTheSameBatches() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let index = try ImageFolder(directory: TestImages.folder(in: folder, classes: ["a", "b"], perClass: 9))
        let straight = try read(source(index, workers: 2), epochs: 0..<3)
        let perEpoch = straight.count / 3
        // A new process resuming in the middle of epoch 1, then going on into epoch 2.
        let resumed = source(index, workers: 2)
        for number in (perEpoch + 2)..<(3 * perEpoch) {
            let batch = try resumed.batch(number % perEpoch, epoch: number / perEpoch)
            #expect(batch.images.scalars == straight[number].0 && batch.labels == straight[number].1, "batch \(number)")
        }
        // Backwards and sideways: the window restarts.
        let jumping = source(index, workers: 3)
        for number in [7, 2, 2, 11, 0, 8] {
            #expect(try jumping.batch(number % perEpoch, epoch: number / perEpoch).images.scalars == straight[number].0)
        }
    }

    @Test func shardsReadInterleavedPartsOfTheEpoch() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let index = try ImageFolder(directory: TestImages.folder(in: folder, classes: ["a", "b", "c"], perClass: 4))
        let whole = source(index, transform: Self.evaluation, workers: 2, batchSize: 1)
        let plane = 3 * 24 * 24
        for rank in 0..<2 {
            let part = source(index, transform: Self.evaluation, workers: 2, batchSize: 3, shard: Shard(rank: rank, worldSize: 2))
            #expect(part.sampleCount == 6 && part.batchesPerEpoch == 2)
            for position in 0..<6 {
                let batch = try part.batch(position / 3, epoch: 4)
                let mine = Array(batch.images.scalars[(position % 3) * plane..<(position % 3 + 1) * plane])
                let global = try whole.batch(2 * position + rank, epoch: 4)
                #expect(mine == global.images.scalars && batch.labels[position % 3] == global.labels[0], "rank \(rank) position \(position)")
            }
        }
    }

    @Test func unreadableFilesAreSkippedCountedAndReplacedByTheNextImage() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let split = try TestImages.folder(in: folder, classes: ["a", "b"], perClass: 4)
        let good = try TestImages.jpeg(height: 40, width: 50, seed: 99)
        let truncated = try folder.write(good.prefix(good.count * 2 / 3), at: "train/a/img1b-truncated.jpg")
        let empty = try folder.write(Data(), at: "train/b/empty.jpg")
        let text = try folder.write(Data("not a picture\n".utf8), at: "train/b/notes.JPG")
        let index = try ImageFolder(directory: split)
        #expect(index.count == 11)
        for workers in [1, 2] {
            let loader = source(index, transform: Self.evaluation, workers: workers, batchSize: 11, shuffle: false)
            let batch = try loader.batch(0, epoch: 0)
            #expect(batch.count == 11)
            let skipped = loader.skippedFiles
            #expect(skipped.count == 3)
            for path in [truncated, empty, text] {
                #expect(skipped.examples.contains { $0.hasPrefix(path + ": ") }, "\(path) in \(skipped.examples)")
            }
            // Listing order: a/img0, a/img1, a/img1b-truncated, a/img2, a/img3, b/empty, b/img0 …, b/notes.
            let paths = (0..<index.count).map { index.path($0) }
            let bad = Set([truncated, empty, text])
            let plane = 3 * 24 * 24
            for position in 0..<11 {
                var replacement = position
                while bad.contains(paths[replacement % 11]) { replacement += 1 }
                let expected = try ImageDecoder.decode(paths[replacement % 11], channels: 3)
                var random = ImageFolderBatchSource.random(seed: 5, epoch: 0, position: position)
                var pixels = [Float](repeating: 0, count: plane)
                pixels.withUnsafeMutableBufferPointer { Self.evaluation.apply(expected, random: &random, into: $0.baseAddress!) }
                #expect(Array(batch.images.scalars[position * plane..<(position + 1) * plane]) == pixels, "position \(position)")
                #expect(batch.labels[position] == index.labels[replacement % 11])
            }
            _ = try loader.batch(0, epoch: 1)
            #expect(loader.skippedFiles.count == 3, "a bad file counts once")
        }
    }

    @Test func decodingOnlyTheRegionGivesTheFullDecodesPixels() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let path = try folder.write(try TestImages.jpeg(height: 93, width: 131, seed: 4), at: "odd.jpg")
        let full = try ImageDecoder.decode(path, channels: 3)
        var exact = Self.train
        exact.allowsReducedDecoding = false
        let decoder = SampleDecoder()
        let count = 3 * 24 * 24
        for seed in UInt64(0)..<12 {
            var a = RandomGenerator(seed: seed), b = RandomGenerator(seed: seed)
            var fromRegion = [Float](repeating: 0, count: count), fromFull = fromRegion
            try fromRegion.withUnsafeMutableBufferPointer {
                try decoder.decode(path, channels: 3, transform: exact, random: &a, into: $0.baseAddress!)
            }
            fromFull.withUnsafeMutableBufferPointer { exact.apply(full, random: &b, into: $0.baseAddress!) }
            #expect(fromRegion == fromFull, "draw \(seed)")
            #expect(a == b)
        }
    }

    /// At 1/8, 1/4 and 1/2 scale the sample differs from the full decode's by about a level on
    /// the 0–255 scale (the DCT's own downscale in place of part of Pillow's), in training crops
    /// and in the evaluation crop, whose box reaches past the decoded rows.
    @Test func reducedScaleDecodingStaysCloseToFullSize() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let path = try folder.write(try TestImages.jpeg(height: 300, width: 400, seed: 8), at: "large.jpg")
        let full = try ImageDecoder.decode(path, channels: 3)
        var scales = Set<Int>()
        for size in [32, 64, 128] {
            for training in [false, true] {
                var transform = training
                    ? ImageTransform.training(size: size, scale: 0.5...1, ratio: 0.75...1.33, horizontalFlip: 0, verticalFlip: 0,
                                              mean: [0], std: [1], outputChannels: 3)
                    : ImageTransform.evaluation(size: size, cropFraction: 0.875, mean: [0], std: [1], outputChannels: 3)
                transform.allowsReducedDecoding = true
                var random = RandomGenerator(seed: 3), again = random, planned = random
                let m = SampleDecoder.scaleNumerator(transform.plan(sourceHeight: 300, sourceWidth: 400, random: &planned).resize)
                scales.insert(m)
                var reduced = [Float](repeating: 0, count: 3 * size * size), exact = reduced
                try reduced.withUnsafeMutableBufferPointer {
                    try SampleDecoder().decode(path, channels: 3, transform: transform, random: &random, into: $0.baseAddress!)
                }
                exact.withUnsafeMutableBufferPointer { transform.apply(full, random: &again, into: $0.baseAddress!) }
                let meanDifference = zip(reduced, exact).map { abs($0 - $1) }.reduce(0, +) / Float(reduced.count)
                #expect(meanDifference < 2, "size \(size), training \(training), M \(m): mean |reduced − full| \(meanDifference)")
                #expect(m == 8 || reduced != exact, "a reduced-scale decode was used")
            }
        }
        #expect(scales == [1, 2, 4], "the sizes reach each reduced scale")
    }

    @Test func aTruncatedJPEGIsRefusedEvenWhenTheRegionIsAboveTheCut() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let jpeg = try TestImages.jpeg(height: 200, width: 200, seed: 3)
        let path = try folder.write(jpeg.prefix(jpeg.count * 3 / 4), at: "cut.jpg")
        let top = ImageTransform.training(size: 16, scale: 0.01...0.01, ratio: 1...1, horizontalFlip: 0, verticalFlip: 0,
                                 mean: [0], std: [1], outputChannels: 3)
        var random = RandomGenerator(seed: 1)
        var out = [Float](repeating: 0, count: 3 * 16 * 16)
        let error = #expect(throws: ImageDecoder.DecodeError.self) {
            try out.withUnsafeMutableBufferPointer {
                try SampleDecoder().decode(path, channels: 3, transform: top, random: &random, into: $0.baseAddress!)
            }
        }
        #expect(error?.description.hasPrefix(path + ": is truncated") == true, "\(String(describing: error))")
    }

    @Test func greyNetworksGetPillowsLuma() throws {
        let folder = try TestFolder("loader")
        defer { folder.remove() }
        let index = try ImageFolder(directory: TestImages.folder(in: folder, classes: ["a"], perClass: 3))
        var grey = Self.evaluation
        grey.outputChannels = 1
        let loader = ImageFolderBatchSource(folder: index, transform: grey, batchSize: 3, shuffle: false, dropRemainder: false,
                                           seed: 0, workers: 1)
        let batch = try loader.batch(0, epoch: 0)
        #expect(batch.images.shape == [3, 1, 24, 24])
        var random = RandomGenerator(seed: 0)
        var expected = [Float](repeating: 0, count: 24 * 24)
        expected.withUnsafeMutableBufferPointer {
            grey.apply(try! ImageDecoder.decode(index.path(1), channels: 1), random: &random, into: $0.baseAddress!)
        }
        #expect(Array(batch.images.scalars[576..<1152]) == expected)
    }
}
