import Foundation
import TensorEngine
import Datasets
import Models
import Recipes
import Results
import Trainer

/// A small, fast, seeded training run for the trainer's tests: a two-stage SwinV2 of width 8 on
/// 8×8 grey images in IDX files written to a temporary folder (64 to train on, 32 to validate),
/// two epochs, everything under that folder (store, run folders) so tests never share files.
/// `images/` holds the same kind of pictures as an image folder (``imageFolderKeys``).
struct TinyExperiment {
    let folder: URL

    /// A new temporary folder holding the IDX data (`data/`, and `other-data/` drawn differently)
    /// and the image folder `images/`.
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-tests-\(UUID().uuidString)")
        try Self.writeIDX(to: folder.appendingPathComponent("data"), seed: 1)
        try Self.writeIDX(to: folder.appendingPathComponent("other-data"), seed: 2)
        try Self.writeImageFolder(to: folder.appendingPathComponent("images"), seed: 3)
    }

    /// The keys that switch the recipe to the image folder `images/` (`train/`, `test/`).
    var imageFolderKeys: [(String, String)] {
        [("dataset", "folder"), ("data_dir", "'\(folder.path)/images'")]
    }

    /// The recipe's keys and YAML values, in file order.
    var baseKeys: [(String, String)] {
        [
            ("dataset", "fashion_mnist"), ("data_dir", "'\(folder.path)/data'"), ("train_split", "train"),
            ("val_split", "test"), ("batch_size", "16"), ("image_resize", "8"),
            ("model", "swinv2_tiny_window8_256"),
            ("model_kwargs", "{patch_size: 2, embed_dim: 8, depths: [2, 2], num_heads: [1, 2], window_size: 2}"),
            ("in_channels", "1"), ("mean", "[127.0]"), ("std", "[64.0]"), ("epoch_size", "2"),
            ("val_while_train", "True"), ("db", "'\(folder.path)/results.sqlite'"),
            ("ckpt_save_dir", "'\(folder.path)/runs'"), ("lr", "0.01"), ("warmup_epochs", "0"),
        ]
    }

    /// The recipe text with `changes` applied (a changed key keeps its line; a new one is appended).
    func recipe(_ changes: [(String, String)] = []) -> String {
        var keys = baseKeys
        for (key, value) in changes {
            if let index = keys.firstIndex(where: { $0.0 == key }) { keys[index].1 = value } else { keys.append((key, value)) }
        }
        return keys.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
    }

    /// The experiment of ``recipe(_:)``, loaded from a file so messages name its path and lines.
    func experiment(_ changes: [(String, String)] = []) throws -> Experiment {
        let path = folder.appendingPathComponent("recipe.yaml").path
        let text = recipe(changes)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try Experiment.load(path: path)
    }

    /// What a run computed and left behind, without timings.
    struct Observation: Equatable {
        var epochs: [[Double?]]
        var averaged: [[String]]
        var weights: [Float]
        var name: String
        var folderParent: String
        var store: String
        var files: [String]
        var classNames: [String]?
        var notes: String?
        var progressLines: Int
        var trainBatches: Int
        var validationBatches: Int?
        var threads: Int
        /// What the run's summary line reports beside the engine's threads.
        var loaderThreads: Int
    }

    /// Resumes the run of `stopped` from its `last` checkpoint with `epoch_size` raised to `epochs`.
    func resume(_ stopped: TrainingSession, epochs: Int) throws -> (Observation, TrainingSession) {
        let last = stopped.runDirectory.appendingPathComponent("last.safetensors")
        let state = try CheckpointFiles.loadState(for: last)
        let experiment = try Experiment.load(yaml: state.experimentYAML, path: "saved", overrides: ["epoch_size=\(epochs)"])
        return try run(experiment, resume: .init(weights: last, state: state))
    }

    /// Trains `experiment` to the end and observes the run.
    func run(_ experiment: Experiment, resume: TrainingSession.ResumePoint? = nil) throws -> (Observation, TrainingSession) {
        let threadsBefore = ThreadPool.shared.activeThreads
        defer { ThreadPool.shared.setActiveThreads(threadsBefore) }
        var log: [String] = []
        let assembly = try TrainingAssembly(experiment, log: { log.append($0) })
        let threads = ThreadPool.shared.activeThreads
        let store = try ResultsStore(path: experiment.system.resultsStorePath)
        let session = try TrainingSession(assembly, store: store, resume: resume, log: { log.append($0) })
        var progressLines = 0
        _ = try session.run(progress: ProgressReporter(interval: experiment.system.logInterval, isTerminal: false,
                                                       write: { _ in progressLines += 1 }))
        let record = try store.run(session.runID)!
        let weights = assembly.model.namedParameters().flatMap { Array(UnsafeBufferPointer(start: $0.tensor.data, count: $0.tensor.count)) }
        let files = try FileManager.default.contentsOfDirectory(atPath: session.runDirectory.path).sorted()
        let observation = Observation(
            epochs: record.epochs.map { [Double($0.epoch), $0.trainLoss, $0.valLoss, $0.top1, $0.top5, $0.lr] },
            averaged: try store.averagedEpochs(run: session.runID).map {
                ["\($0.epoch)", $0.weights, "\($0.valLoss ?? -1)", "\($0.top1 ?? -1)", "\($0.top5 ?? -1)"]
            },
            weights: weights, name: record.run.name,
            folderParent: session.runDirectory.deletingLastPathComponent().path, store: store.path, files: files,
            classNames: assembly.train.classNames, notes: record.run.notes, progressLines: progressLines,
            trainBatches: assembly.train.batchesPerEpoch, validationBatches: assembly.validation?.batchesPerEpoch,
            threads: threads, loaderThreads: assembly.train.loaderThreads)
        return (observation, session)
    }

    /// Writes Fashion-MNIST-named IDX files of 8×8 images: class `c` is a bright bar at row `c % 8`
    /// (or column, for c ≥ 8) over seeded noise, 64 training and 32 test images.
    static func writeIDX(to directory: URL, seed: UInt64) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var random = RandomGenerator(seed: seed)
        for (prefix, count) in [("train", 64), ("t10k", 32)] {
            var images = [UInt8](), labels = [UInt8]()
            for _ in 0..<count {
                let label = Int(random.next() % 10)
                labels.append(UInt8(label))
                for y in 0..<8 {
                    for x in 0..<8 {
                        let onBar = label < 8 ? y == label : x == label - 6
                        images.append(UInt8(min(255, (onBar ? 180 : 20) + Int(random.next() % 60))))
                    }
                }
            }
            try idx(magic: 0x0803, dimensions: [count, 8, 8], bytes: images)
                .write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try idx(magic: 0x0801, dimensions: [count], bytes: labels)
                .write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    /// An image folder of the same kind of pictures as ``writeIDX(to:seed:)`` (a bright bar per
    /// class over noise), 12 × 10 JPEGs and PNGs in three classes: 24 to train, 12 to test.
    static func writeImageFolder(to directory: URL, seed: UInt64) throws {
        var random = RandomGenerator(seed: seed)
        for (split, perClass) in [("train", 8), ("test", 4)] {
            for label in 0..<3 {
                let classFolder = directory.appendingPathComponent("\(split)/class\(label)")
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                for i in 0..<perClass {
                    var pixels = [UInt8]()
                    for y in 0..<10 {
                        for _ in 0..<12 {
                            let value = UInt8(min(255, (y == 2 + 3 * label ? 190 : 30) + Int(random.next() % 50)))
                            pixels += [value, value, value]
                        }
                    }
                    let image = DecodedImage(height: 10, width: 12, channels: 3, pixels: pixels)
                    let data = i % 2 == 0 ? try ImageEncoder.png(image) : try ImageEncoder.jpeg(image, quality: 95)
                    try data.write(to: classFolder.appendingPathComponent("image\(i).\(i % 2 == 0 ? "png" : "jpg")"))
                }
            }
        }
    }

    private static func idx(magic: UInt32, dimensions: [Int], bytes: [UInt8]) -> Data {
        var data = Data()
        for word in [magic] + dimensions.map(UInt32.init) { withUnsafeBytes(of: word.bigEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: bytes)
        return data
    }
}
