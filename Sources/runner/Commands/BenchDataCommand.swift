import ArgumentParser
import Foundation
import Datasets

/// `runner bench data -c RECIPE`: how fast the loader decodes and transforms a recipe's image
/// folder (``DataBenchmark``); `tools/torchvision_data_bench.py` measures torchvision's
/// ImageFolder with timm's transforms for the same recipe.
struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Measure data loading: decode + a recipe's training transforms, images per second.",
        discussion: """
            Reads data_dir/train_split of an image-folder recipe (dataset imagenet or folder) with \
            the recipe's batch size and training transforms, on --workers loader threads, and \
            prints images per second after the first batch. JSON key img_s.
            """)

    @Option(name: [.short, .customLong("config")], help: "The recipe (dataset imagenet or folder).")
    var config: String

    @Option(name: .customLong("set"), help: "Override a recipe key: --set data_dir=/data/imagenet (repeatable).")
    var recipeOverrides: [String] = []

    @Option(help: "Loader threads (default: the recipe's num_parallel_workers).")
    var workers: Int?

    @Option(help: "Seconds to measure after the first batch.")
    var seconds: Double = 10

    @Option(help: "Loader thread priority: normal (as the peer's worker processes), background (as in training) or a nice value 1-19.")
    var priority = "normal"

    @Flag(help: "Decode every JPEG at full size (no DCT scaling of large crops).")
    var fullDecode = false

    @Flag(help: "Print the figures as one JSON object.")
    var json = false

    func run() throws {
        var experiment = try ExperimentLoading.load(config: config, overrides: recipeOverrides)
        // A transform the runner cannot apply would make the figure another recipe's.
        if let refused = experiment.unsupportedSettings() { throw refused }
        if let workers {
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
            experiment.dataset.numParallelWorkers = workers
        }
        guard let loaderPriority = LoaderPriority(argument: priority) else {
            throw ValidationError("--priority takes normal, background or a nice value 1-19, not '\(priority)'")
        }
        let result = try DataBenchmark(experiment: experiment, workers: experiment.dataset.numParallelWorkers, seconds: seconds,
                                       priority: loaderPriority, fullDecode: fullDecode).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("runner loader: \(format(result.imagesPerSecond, 1)) img/s (\(result.images) images in \(format(result.seconds, 2)) s, \(result.workers) \(result.workers == 1 ? "thread" : "threads") at \(result.priority) priority, batch \(result.batchSize), \(result.imageSize) px, \(result.files) files\(result.fullDecode ? ", full-size decoding" : ""))")
        if result.skipped > 0 { print("\(result.skipped) unreadable files skipped") }
    }
}
