import Foundation

/// CIFAR-10 and CIFAR-100 from their binary distributions, read whole into memory.
///
/// CIFAR-10 (`cifar-10-batches-bin/`): `data_batch_1.bin` … `data_batch_5.bin` to train,
/// `test_batch.bin` to test, records of one label byte and 3 072 pixel bytes (the red, green and
/// blue 32 × 32 planes), class names in `batches.meta.txt`. CIFAR-100 (`cifar-100-binary/`):
/// `train.bin` and `test.bin`, records of a coarse and a fine label byte then the pixels; the fine
/// labels are used, named by `fine_label_names.txt`. The files may also sit directly in the data
/// folder. Images become `[N, 32, 32, 3]` bytes.
public enum CIFARDatasets {
    /// CIFAR-10's classes, as its `batches.meta.txt` lists them.
    public static let cifar10Classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    public enum Kind: Sendable {
        case cifar10, cifar100

        var folder: String { self == .cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary" }
        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        var classCount: Int { self == .cifar10 ? 10 : 100 }
        var namesFile: String { self == .cifar10 ? "batches.meta.txt" : "fine_label_names.txt" }
        func files(training: Bool) -> [String] {
            switch self {
            case .cifar10: training ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
            case .cifar100: [training ? "train.bin" : "test.bin"]
            }
        }
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// The recipe's split names: `train`; `val` or `test`; `all` (both, training files first).
    public static func load(directory: String, kind: Kind, split: String) throws -> ImageClassificationSet {
        let parts: [Bool]
        switch split.lowercased() {
        case "train": parts = [true]
        case "val", "test": parts = [false]
        case "all": parts = [true, false]
        default:
            throw FormatError(path: directory, problem: "split '\(split)' of CIFAR: use train, val (the test batch), test or all")
        }
        let folder = try locate(directory: directory, kind: kind)
        var images: [UInt8] = [], labels: [Int32] = []
        for training in parts {
            for name in kind.files(training: training) {
                try read(folder + "/" + name, kind: kind, images: &images, labels: &labels)
            }
        }
        let names = classNames(folder: folder, kind: kind)
        return ImageClassificationSet(images: images, labels: labels, height: 32, width: 32, channels: 3, classNames: names)
    }

    /// `directory/<distribution folder>` when it holds the files, else `directory` itself.
    static func locate(directory: String, kind: Kind) throws -> String {
        let first = kind.files(training: true)[0]
        for candidate in [directory + "/" + kind.folder, directory]
        where FileManager.default.fileExists(atPath: candidate + "/" + first) {
            return candidate
        }
        throw FormatError(path: directory, problem: "holds neither \(kind.folder)/\(first) nor \(first); download the binary version of \(kind == .cifar10 ? "CIFAR-10" : "CIFAR-100") (\(kind == .cifar10 ? "cifar-10-binary.tar.gz" : "cifar-100-binary.tar.gz")) and unpack it there")
    }

    static func read(_ path: String, kind: Kind, images: inout [UInt8], labels: inout [Int32]) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(path: path, problem: "cannot be read (missing?)")
        }
        let record = kind.labelBytes + 3072
        guard !data.isEmpty, data.count % record == 0 else {
            throw FormatError(path: path, problem: "is \(data.count) bytes, not a whole number of \(record)-byte records")
        }
        let count = data.count / record
        images.reserveCapacity(images.count + count * 3072)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            for i in 0..<count {
                let base = i * record
                let label = Int(bytes[base + kind.labelBytes - 1])
                guard label < kind.classCount else {
                    throw FormatError(path: path, problem: "record \(i) has label \(label), outside the \(kind.classCount) classes")
                }
                labels.append(Int32(label))
                // Planes (R, G, B) of 1 024 bytes to interleaved pixels.
                let pixels = base + kind.labelBytes
                for p in 0..<1024 {
                    images.append(bytes[pixels + p])
                    images.append(bytes[pixels + 1024 + p])
                    images.append(bytes[pixels + 2048 + p])
                }
            }
        }
    }

    /// The names file's non-empty lines; when it is missing or short, CIFAR-10's known names or
    /// CIFAR-100's class numbers.
    static func classNames(folder: String, kind: Kind) -> [String] {
        let text = (try? String(contentsOfFile: folder + "/" + kind.namesFile, encoding: .utf8)) ?? ""
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if names.count == kind.classCount { return names }
        return kind == .cifar10 ? cifar10Classes : (0..<kind.classCount).map(String.init)
    }
}
