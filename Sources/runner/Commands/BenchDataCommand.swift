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
            prints images per second after the first batch. Takes runner bench's -c RECIPE, \
            --set KEY=VALUE, --seconds (default 10) and --json (key img_s).
            """)

    /// `-c`, `--set`, `--seconds` and `--json` are `runner bench`'s own options, which the parser
    /// gives to the parent wherever they stand on the command line.
    @ParentCommand var bench: BenchCommand

    @Option(help: "Loader threads (default: the recipe's num_parallel_workers).")
    var workers: Int?

    @Option(help: "Loader thread priority: normal (as the peer's worker processes), background (as in training) or a nice value 1-19.")
    var priority = "normal"

    @Flag(help: "Decode every JPEG at full size (no DCT scaling of large crops).")
    var fullDecode = false

    func run() throws {
        guard let config = bench.config else {
            throw ValidationError("runner bench data needs a recipe: -c RECIPE (dataset imagenet or folder)")
        }
        var experiment = try ExperimentLoading.load(config: config, overrides: bench.recipeOverrides)
        // A transform the runner cannot apply would make the figure another recipe's.
        if let refused = experiment.unsupportedSettings() { throw refused }
        if let workers {
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
            experiment.dataset.numParallelWorkers = workers
        }
        guard let loaderPriority = LoaderPriority(argument: priority) else {
            throw ValidationError("--priority takes normal, background or a nice value 1-19, not '\(priority)'")
        }
        let result = try DataBenchmark(experiment: experiment, workers: experiment.dataset.numParallelWorkers, seconds: bench.seconds ?? 10,
                                       priority: loaderPriority, fullDecode: fullDecode).run()
        if bench.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("runner loader: \(format(result.imagesPerSecond, 1)) img/s (\(result.images) images in \(format(result.seconds, 2)) s, \(result.workers) \(result.workers == 1 ? "thread" : "threads") at \(result.priority) priority, batch \(result.batchSize), \(result.imageSize) px, \(result.files) files\(result.fullDecode ? ", full-size decoding" : ""))")
        if result.skipped > 0 { print("\(result.skipped) unreadable files skipped") }
    }
}
