import Foundation
import Testing
@testable import Datasets

/// CIFAR's binary batches, written small by the tests.
@Suite struct CIFARDatasetsTests {
    /// Records with `labels` (one or two bytes each); image `i`'s red plane holds `i`, green `i + 100`
    /// and blue its pixel index modulo 256.
    static func records(_ labels: [[UInt8]], first: Int = 0) -> Data {
        var data = Data()
        for (i, label) in labels.enumerated() {
            data.append(contentsOf: label)
            data.append(contentsOf: [UInt8](repeating: UInt8(first + i), count: 1024))
            data.append(contentsOf: [UInt8](repeating: UInt8(first + i + 100), count: 1024))
            data.append(contentsOf: (0..<1024).map { UInt8($0 % 256) })
        }
        return data
    }

    @Test func cifar10TrainAndTestBatches() throws {
        let folder = try TestFolder("cifar")
        defer { folder.remove() }
        for batch in 1...5 {
            try folder.write(Self.records([[UInt8(batch)], [UInt8(batch + 4)]], first: 2 * (batch - 1)),
                             at: "cifar-10-batches-bin/data_batch_\(batch).bin")
        }
        try folder.write(Self.records([[9], [0], [3]], first: 50), at: "cifar-10-batches-bin/test_batch.bin")
        let names = CIFARDatasets.cifar10Classes.joined(separator: "\n") + "\n\n"
        try folder.write(Data(names.utf8), at: "cifar-10-batches-bin/batches.meta.txt")

        let train = try CIFARDatasets.load(directory: folder.path, kind: .cifar10, split: "train")
        #expect(train.count == 10 && train.height == 32 && train.width == 32 && train.channels == 3)
        #expect(train.labels == [1, 5, 2, 6, 3, 7, 4, 8, 5, 9])
        #expect(train.classNames == CIFARDatasets.cifar10Classes)
        // Image 3, pixel (0, 5): planes to interleaved RGB.
        let pixel = 3 * 3072 + 5 * 3
        #expect(Array(train.images[pixel..<pixel + 3]) == [3, 103, 5])
        let test = try CIFARDatasets.load(directory: folder.path, kind: .cifar10, split: "val")
        #expect(test.labels == [9, 0, 3])
        #expect(try CIFARDatasets.load(directory: folder.path, kind: .cifar10, split: "all").count == 13)
    }

    @Test func cifar100FineLabelsWithTheFilesInDataDir() throws {
        let folder = try TestFolder("cifar")
        defer { folder.remove() }
        try folder.write(Self.records([[3, 57], [19, 99]]), at: "train.bin")
        try folder.write(Self.records([[0, 1]]), at: "test.bin")
        try folder.write(Data((0..<100).map { "class\($0)" }.joined(separator: "\n").utf8), at: "fine_label_names.txt")
        let train = try CIFARDatasets.load(directory: folder.path, kind: .cifar100, split: "train")
        #expect(train.labels == [57, 99])
        #expect(train.classCount == 100 && train.classNames[57] == "class57")
        #expect(try CIFARDatasets.load(directory: folder.path, kind: .cifar100, split: "test").labels == [1])
    }

    @Test func damagedOrMissingFilesAreNamed() throws {
        let folder = try TestFolder("cifar")
        defer { folder.remove() }
        let missing = #expect(throws: CIFARDatasets.FormatError.self) {
            try CIFARDatasets.load(directory: folder.path, kind: .cifar10, split: "train")
        }
        #expect(missing?.description.contains("cifar-10-batches-bin/data_batch_1.bin") == true)
        for batch in 1...5 { try folder.write(Self.records([[1]]), at: "data_batch_\(batch).bin") }
        try folder.write(Self.records([[1]]) + Data([7, 7]), at: "data_batch_3.bin")
        let damaged = #expect(throws: CIFARDatasets.FormatError.self) {
            try CIFARDatasets.load(directory: folder.path, kind: .cifar10, split: "train")
        }
        #expect(damaged?.description.hasPrefix(folder.path + "/data_batch_3.bin: is 3075 bytes") == true, "\(String(describing: damaged))")
        try folder.write(Self.records([[12]]), at: "data_batch_2.bin")
        let label = #expect(throws: CIFARDatasets.FormatError.self) {
            try CIFARDatasets.load(directory: folder.path, kind: .cifar10, split: "train")
        }
        #expect(label?.description.contains("data_batch_2.bin: record 0 has label 12") == true)
        #expect(throws: CIFARDatasets.FormatError.self) { try CIFARDatasets.load(directory: folder.path, kind: .cifar10, split: "holdout") }
    }
}
