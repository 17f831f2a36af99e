import Foundation
import Testing
import TensorEngine
@testable import Datasets

@Suite struct IDXDatasetsTests {
    static let directory = IDXDatasets.fashionMNISTDirectory

    @Test func readsDebiansFashionMNIST() throws {
        let train = try IDXDatasets.load(directory: Self.directory, dataset: "fashion_mnist", split: "train",
                                         classNames: IDXDatasets.fashionMNISTClasses)
        let test = try IDXDatasets.load(directory: Self.directory, dataset: "fashion_mnist", split: "test",
                                        classNames: IDXDatasets.fashionMNISTClasses)
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.height == 28 && train.width == 28 && train.channels == 1)
        // The published first labels: Ankle boot, T-shirt/top, T-shirt/top, Dress; test: Ankle boot, Pullover.
        #expect(Array(train.labels.prefix(4)) == [9, 0, 0, 3])
        #expect(Array(test.labels.prefix(2)) == [9, 2])
        // Every class appears 6000 times in the training split.
        var counts = [Int](repeating: 0, count: 10)
        for label in train.labels { counts[Int(label)] += 1 }
        #expect(counts == Array(repeating: 6000, count: 10))
    }

    @Test func plainAndGzipFilesReadTheSame() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("idx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Two 2×3 images and their labels, written plain.
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 1, 0]
        try Data(images).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        try Data(labels).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        let set = try IDXDatasets.load(directory: folder.path, dataset: "mnist", split: "train", classNames: IDXDatasets.mnistClasses)
        #expect(set.count == 2 && set.height == 2 && set.width == 3)
        #expect(set.images == Array(1...12))
        #expect(set.labels == [1, 0])
        // A truncated image file is refused with its name.
        try Data(images.dropLast(3)).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        let error = #expect(throws: IDXFile.FormatError.self) {
            try IDXDatasets.load(directory: folder.path, dataset: "mnist", split: "train", classNames: IDXDatasets.mnistClasses)
        }
        #expect(error?.description.contains("train-images-idx3-ubyte: is truncated") == true)
    }

    @Test func missingDirectorySaysHowToGetTheData() {
        let error = #expect(throws: IDXDatasets.MissingData.self) {
            try IDXDatasets.load(directory: "/nonexistent/fashion", dataset: "fashion_mnist", split: "train",
                                 classNames: IDXDatasets.fashionMNISTClasses)
        }
        #expect(error?.description.contains("apt-get install dataset-fashion-mnist") == true)
        #expect(error?.description.contains("/nonexistent/fashion") == true)
    }
}

@Suite struct ImageBatchSourceTests {
    static func tinySet() -> ImageClassificationSet {
        // Eight 4×4 images whose pixels encode their index, labels = index % 3.
        let images = (0..<8).flatMap { i in (0..<16).map { UInt8(i * 16 + $0) } }
        return ImageClassificationSet(images: images, labels: (0..<8).map { Int32($0 % 3) }, height: 4, width: 4,
                                      channels: 1, classNames: ["a", "b", "c"])
    }

    @Test func evaluationTransformIsIdentityAtFullCropAndSameSize() throws {
        let transform = ImageTransform.evaluation(size: 4, cropFraction: 1, mean: [0], std: [1])
        let source = ImageBatchSource(dataset: Self.tinySet(), transform: transform, batchSize: 3, shuffle: false,
                                      dropRemainder: false, seed: 1)
        #expect(source.batchesPerEpoch == 3)
        let batch = try source.batch(0, epoch: 0)
        #expect(batch.images.shape == [3, 1, 4, 4])
        #expect(batch.labels == [0, 1, 2])
        #expect(batch.images.scalars == (0..<48).map(Float.init))
        #expect(try source.batch(2, epoch: 0).labels == [0, 1])
    }

    @Test func normalisationAndFlip() throws {
        let transform = ImageTransform.training(size: 4, scale: 1...1, ratio: 1...1, horizontalFlip: 1, verticalFlip: 0,
                                       mean: [8], std: [2])
        let source = ImageBatchSource(dataset: Self.tinySet(), transform: transform, batchSize: 1, shuffle: false,
                                      dropRemainder: true, seed: 1)
        let row = Array(try source.batch(0, epoch: 0).images.scalars.prefix(4))
        #expect(row == [3, 2, 1, 0].map { (Float($0) - 8) / 2 })
    }

    @Test func shuffledEpochsAreReproducibleAndDiffer() throws {
        let transform = ImageTransform.training(size: 4, scale: 0.5...1, ratio: 0.75...1.33, horizontalFlip: 0.5, verticalFlip: 0,
                                       mean: [0], std: [1])
        func source() -> ImageBatchSource {
            ImageBatchSource(dataset: Self.tinySet(), transform: transform, batchSize: 4, shuffle: true, dropRemainder: true, seed: 7)
        }
        let a = source(), b = source()
        #expect(try a.batch(1, epoch: 3).images.scalars == b.batch(1, epoch: 3).images.scalars)
        #expect(try a.batch(1, epoch: 3).labels == b.batch(1, epoch: 3).labels)
        let epochs = try (0..<4).map { try a.batch(0, epoch: $0).labels }
        #expect(Set(epochs.map { $0.description }).count > 1, "\(epochs)")
        // Every sample appears once per epoch.
        let all = try (0..<2).flatMap { try a.batch($0, epoch: 5).labels }
        #expect(all.sorted() == Self.tinySet().labels.sorted())
    }
}
