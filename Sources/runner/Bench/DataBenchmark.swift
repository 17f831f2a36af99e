import Foundation
import Datasets
import Recipes
import Trainer

/// Images per second through a recipe's training data path: the image folder of its train
/// split, decoded and transformed as training transforms it (random resized crop, flips, colour
/// jitter, normalisation) by the loader's threads, batch after batch across epochs.
///
/// Timing starts once the first batch is out (threads started, caches warm) and covers whole
/// batches until the budget is spent, the same rule as `tools/torchvision_data_bench.py`.
struct DataBenchmark {
    var experiment: Experiment
    var workers: Int
    var seconds: Double
    var priority: LoaderPriority
    /// Decode JPEGs at full size even where the crop would allow a DCT-scaled decode.
    var fullDecode: Bool

    struct Result: Encodable {
        var imagesPerSecond: Double
        var images: Int
        var seconds: Double
        var workers: Int
        var batchSize: Int
        var imageSize: Int
        var files: Int
        var skipped: Int
        var priority: String
        var fullDecode: Bool

        enum CodingKeys: String, CodingKey {
            case imagesPerSecond = "img_s", images, seconds, workers, batchSize = "batch_size", imageSize = "image_size",
                 files, skipped, priority, fullDecode = "full_decode"
        }
    }

    func run() throws -> Result {
        guard experiment.dataset.name.isImageFolder else {
            throw TrainingError.unsupported("runner bench data measures image folders; dataset '\(experiment.dataset.name.rawValue)' is \(experiment.dataset.name == .synthetic ? "generated" : "held in memory"). Use dataset: imagenet or folder with data_dir")
        }
        let folder = try ImageFolder(directory: DatasetAssembly.splitDirectory(experiment, split: .train))
        var transform = try DatasetAssembly.transform(experiment, split: .train)
        transform.allowsReducedDecoding = !fullDecode
        let d = experiment.dataset
        let source = ImageFolderBatchSource(folder: folder, transform: transform, batchSize: d.batchSize, shuffle: d.shuffle,
                                            dropRemainder: d.dropRemainder, seed: UInt64(truncatingIfNeeded: experiment.system.seed),
                                            sampleLimit: d.numSamples, workers: workers, priority: priority)
        var epoch = 0, index = 0
        func next() throws -> Int {
            let batch = try source.batch(index, epoch: epoch)
            index += 1
            if index == source.batchesPerEpoch { (epoch, index) = (epoch + 1, 0) }
            return batch.count
        }
        _ = try next()
        let start = Stopwatch.now()
        var images = 0, elapsed = 0.0
        while elapsed < seconds {
            images += try next()
            elapsed = Stopwatch.now() - start
        }
        return Result(imagesPerSecond: Double(images) / elapsed, images: images, seconds: elapsed, workers: workers,
                      batchSize: d.batchSize, imageSize: transform.size, files: source.sampleCount,
                      skipped: source.skippedFiles.count, priority: priority.argument, fullDecode: fullDecode)
    }
}
