import ArgumentParser
import Foundation
import TensorEngine
import Models
import Recipes
import Trainer
import Results
import Distributed

/// `runner bench`: throughput of the engine's kernels on this machine, each figure beside the
/// machine's own yardstick measured in the same run (large-square GEMM rate, copy bandwidth).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the engine's kernels: SwinV2-T GEMM shapes, convolutions, layer norm, softmax, activations, layout.",
        discussion: """
            GEMM and convolution figures are GFLOP/s and a percentage of the large-square (2048³) \
            rate of the same thread count (a convolution's backward pass is its forward plus backward \
            less the forward); memory-bound kernels are GB/s (bytes read + written) and a percentage \
            of a plain copy. Every figure is the best of repeated runs. RUNNER_THREADS sets the pool size. \
            `runner bench data -c RECIPE` measures data loading instead.
            """,
        subcommands: [BenchDataCommand.self])

    @Option(help: "Seconds to spend on each measurement (best run kept; default 0.5, `bench data`: 10).")
    var seconds: Double?

    @Flag(help: "Print the figures as one JSON object instead of tables.")
    var json = false

    @Option(help: "Benchmark this registered model instead of the kernels.")
    var model: String?

    @Option(name: [.short, .customLong("config")],
            help: "Benchmark a recipe's network at its batch size and input (synthetic data) instead of --model.")
    var config: String?

    @Option(name: .customLong("set"), help: "Override a recipe key (with -c): --set batch_size=64 (repeatable).")
    var recipeOverrides: [String] = []

    @Option(help: "Batch size of the model benchmark (default 8, or the recipe's).")
    var batch: Int?

    @Option(help: "Input side of the model benchmark (default: the model's own).")
    var imageSize: Int?

    @Option(help: "Number of classes of the model benchmark.")
    var classes: Int?

    @Option(help: "Input channels of the model benchmark.")
    var inChannels: Int?

    @Option(name: .customLong("model-arg"), help: "Architecture override KEY=VALUE (e.g. depths=2,4 or window_size=4); repeatable.")
    var modelArguments: [String] = []

    @Flag(help: "With a model: also print the time per op family (GEMM, softmax, norms, elementwise, layout, loss, optimizer).")
    var profile = false

    @Flag(help: "Model benchmark in bfloat16 mixed precision (as amp_level O2: bfloat16 products, float32 accumulation and weights); float32, with a notice, on a processor without AVX512-BF16. With -c, the recipe's amp_level also selects it.")
    var amp = false

    @Option(help: "Timed steps of the model benchmark (after two warm-up steps).")
    var steps = 5

    @Flag(help: "Kernel benchmark: evict the GEMM operands from the caches before every timed run, as inside a model.")
    var cold = false

    @Option(help: "Kernel benchmark: only the GEMM shapes, convolutions and memory-bound kernels whose name contains this text (e.g. \"fc2\", \"depthwise\"); the square GEMM and the copy are always measured.")
    var only: String?

    func run() throws {
        if config != nil || model != nil {
            try runModel()
            return
        }
        if amp && ProductPrecision.current == .float32 {
            if ProductPrecision.bfloat16Available {
                try ProductPrecision.run(.bfloat16) { try run() }
                return
            }
            FileHandle.standardError.write(Data("runner bench: this processor has no AVX512-BF16 instructions; measuring float32\n".utf8))
        }
        let pool = ThreadPool.shared
        let threadCounts = pool.threadCount > 1 ? [1, pool.threadCount] : [1]
        let bench = KernelBenchmark(stopwatch: Stopwatch(budget: seconds ?? 0.5), threadCounts: threadCounts, cold: cold)
        let all = threadCounts.last!

        let peak = ProcessorPeak.float32(threads: pool.threadCount)
        let bf16 = ProcessorPeak.bfloat16(threads: pool.threadCount)
        if !json {
            print("runner bench — \(pool.threadCount) threads in the pool, \(Self.openBLASDescription)")
            if let peak {
                print("FMA peak (\(Self.peakDescription), registers only): \(format(peak.oneThread, 1)) GFLOP/s on 1 thread, \(format(peak.allThreads, 1)) on \(peak.threads)")
            }
            if ProductPrecision.current == .bfloat16 {
                print("products in bfloat16 (--amp): operands rounded to bfloat16, float32 accumulation")
            }
            print(bf16.map { "bfloat16 dot-product peak (vdpbf16ps): \(format($0.oneThread, 1)) GFLOP/s on 1 thread, \(format($0.allThreads, 1)) on \($0.threads)" }
                  ?? "bfloat16: this processor has no AVX512-BF16 instructions")
            print()
        }
        let square = bench.acrossThreads { bench.measure(KernelBenchmark.square) }
        var gemms: [KernelBenchmark.GemmResult] = []
        for shape in KernelBenchmark.swinShapes + [KernelBenchmark.convolutionAsGemm] where selected(shape.name) {
            gemms.append(.init(name: shape.name, shape: shape.label, gflops: bench.acrossThreads { bench.measure(shape) }))
        }
        for convolution in KernelBenchmark.convolutions where selected(convolution.name) {
            let rates = bench.acrossThreads { bench.measure(convolution) }
            gemms.append(.init(name: convolution.name + " forward", shape: convolution.label, gflops: rates.mapValues(\.forward)))
            gemms.append(.init(name: convolution.name + " backward (dX, dW, db)", shape: convolution.label,
                               gflops: rates.mapValues(\.backward)))
        }
        let streams = KernelBenchmark.streamKernels().filter { $0.name == "copy" || selected($0.name) }.map { kernel in
            KernelBenchmark.StreamResult(name: kernel.name, gigabytesPerSecond: bench.acrossThreads { bench.measure(kernel) })
        }

        if json {
            try printJSON(square: square, gemms: gemms, streams: streams, threadCounts: threadCounts, peak: peak, bf16: bf16)
            return
        }
        let gemmColumns = ["GEMM", "shape"] + threadCounts.map { "\($0)T GFLOP/s" } + threadCounts.map { "\($0)T % square" }
            + (threadCounts.count > 1 ? ["\(all)T/1T"] : [])
        func gemmRow(_ name: String, _ shape: String, _ rates: [Int: Double]) -> [TableCell] {
            [.text(name), .text(shape)] + threadCounts.map { TableCell.number(rates[$0]!, decimals: 1) }
                + threadCounts.map { TableCell.quantity(100 * rates[$0]! / square[$0]!, decimals: 0, unit: "%") }
                + (threadCounts.count > 1 ? [TableCell.quantity(rates[all]! / rates[1]!, decimals: 2, unit: "×")] : [])
        }
        let gemmRows = [gemmRow(KernelBenchmark.square.name, KernelBenchmark.square.label, square)]
            + gemms.map { gemmRow($0.name, $0.shape, $0.gflops) }
        Self.printTable(gemmColumns, gemmRows)
        print()

        let copy = streams.first { $0.name == "copy" }!.gigabytesPerSecond
        let streamColumns = ["kernel (about 8M floats)"] + threadCounts.map { "\($0)T GB/s" } + threadCounts.map { "\($0)T % copy" }
        Self.printTable(streamColumns, streams.map { stream -> [TableCell] in
            [.text(stream.name)] + threadCounts.map { TableCell.number(stream.gigabytesPerSecond[$0]!, decimals: 1) }
                + threadCounts.map { TableCell.quantity(100 * stream.gigabytesPerSecond[$0]! / copy[$0]!, decimals: 0, unit: "%") }
        })
    }

    /// Prints an aligned text table with these column titles.
    private static func printTable(_ titles: [String], _ rows: [[TableCell]]) {
        print(ReportTable(columns: titles.map { TableColumn($0) }, rows: rows).render(.text), terminator: "")
    }

    /// Whether a kernel named `name` is measured under `--only`.
    private func selected(_ name: String) -> Bool {
        guard let only else { return true }
        return name.localizedCaseInsensitiveContains(only)
    }

    private func runModel() throws {
        let benchmark: ModelBenchmark
        var mixedPrecisionRecipe = false
        if let config {
            guard model == nil else { throw ValidationError("give either -c RECIPE or --model NAME, not both") }
            let experiment = try ExperimentLoading.load(config: config, overrides: recipeOverrides)
            mixedPrecisionRecipe = experiment.precision.ampLevel.isMixed
            benchmark = ModelBenchmark(name: experiment.model.name, build: { try ModelAssembly.build(experiment, classes: DatasetAssembly.classNames(experiment)?.count) },
                                       batch: batch ?? experiment.dataset.batchSize, steps: steps, warmup: 2)
        } else {
            let name = model!
            var overrides: [String: ModelArgument] = [:]
            for argument in modelArguments {
                let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--model-arg expects KEY=VALUE, got '\(argument)'") }
                overrides[parts[0]] = ModelArgument.parse(parts[1])
            }
            let options = ModelOptions(classes: classes, inChannels: inChannels, imageSize: imageSize, dropPathRate: 0,
                                       overrides: overrides)
            benchmark = ModelBenchmark(name: name, build: { try ModelRegistry.standard.build(name, options: options) },
                                       batch: batch ?? 8, steps: steps, warmup: 2)
        }
        var configured = benchmark
        configured.profile = profile
        configured.precision = .float32
        if amp || mixedPrecisionRecipe {
            if ProductPrecision.bfloat16Available {
                configured.precision = .bfloat16
            } else {
                FileHandle.standardError.write(Data("runner bench: this processor has no AVX512-BF16 instructions; measuring float32\n".utf8))
            }
        }
        // Under mpirun every rank steps with its own batch and rank 0 reports for the job.
        let decision = try ProcessGroupAssembly.make(numThreads: nil)
        guard let group = decision.group else { return }
        configured.group = group
        let result = try configured.run()
        group.finish()
        guard group.isRecorder else { return }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("\(result.model): \(result.parameters) parameters, \(format(result.forwardGFLOPs, 3)) forward GFLOPs per image at \(result.imageSize) px, batch \(result.batch), \(result.threads) threads")
        if let allReduce = result.allReduceMilliseconds {
            print("\(result.ranks) ranks (mpirun) of \(result.threads) threads each, batch \(result.batch) per rank: all-reduce \(format(allReduce, 2)) ms per step")
        }
        print("train \(format(result.trainImagesPerSecond, 1)) img/s (forward, loss, backward, AdamW step), eval \(format(result.evalImagesPerSecond, 1)) img/s, peak RSS \(format(result.peakResidentMiB, 0)) MiB (tensors at most \(format(result.peakTensorMiB, 0)) MiB at once)")
        print("FMA peak \(format(result.fmaPeakGFLOPs, 1)) GFLOP/s on \(result.threads) threads (\(format(result.fmaPeakOneThreadGFLOPs, 1)) on one; \(Self.peakDescription)); model FLOP utilisation train \(format(100 * result.trainUtilisation, 1))%, eval \(format(100 * result.evalUtilisation, 1))%")
        if result.precision != "float32" {
            print("precision: \(result.precision) products (float32 accumulation, weights and norms)" + (result.bfloat16PeakGFLOPs.map { "; vdpbf16ps peak \(format($0, 1)) GFLOP/s" } ?? ""))
        }
        print("reference: SGEMM 2048³ \(format(result.gemmGFLOPs, 1)) GFLOP/s (this run, \(Self.openBLASDescription))")
        if let train = result.trainProfile, let eval = result.evalProfile {
            let trainTotal = train.values.reduce(0, +), evalTotal = eval.values.reduce(0, +)
            var rows = (OpFamily.allCases.map(\.label) + ["other (untracked)"]).map { label -> [TableCell] in
                let t = train[label] ?? 0, e = eval[label] ?? 0
                return [.text(label), .number(t, decimals: 2), .quantity(100 * t / trainTotal, decimals: 1, unit: "%"),
                        .number(e, decimals: 2), .quantity(100 * e / evalTotal, decimals: 1, unit: "%")]
            }
            rows.append([.text("step"), .number(trainTotal, decimals: 2), .quantity(100, decimals: 0, unit: "%"),
                         .number(evalTotal, decimals: 2), .quantity(100, decimals: 0, unit: "%")])
            print()
            Self.printTable(["op family", "train ms/step", "train %", "eval ms/step", "eval %"], rows)
        }
    }

    /// Which loop measured the peak.
    static var peakDescription: String {
        ProcessorFeatures.hasAVX512 ? "16-lane AVX-512 FMAs" : "8-lane AVX2 FMAs"
    }

    /// "OpenBLAS at 1 thread, SkylakeX kernels", saying so when the engine replaced OpenBLAS's
    /// own fallback choice.
    static var openBLASDescription: String {
        let configuration = OpenBLASRuntime.configuration
        var text = "OpenBLAS at 1 thread, \(configuration.coreName) kernels"
        if let replaced = configuration.replacedCoreName {
            text += " (OpenBLAS did not recognise this processor and chose \(replaced))"
        }
        return text
    }

    private func printJSON(square: [Int: Double], gemms: [KernelBenchmark.GemmResult],
                           streams: [KernelBenchmark.StreamResult], threadCounts: [Int],
                           peak: ProcessorPeak.Rate?, bf16: ProcessorPeak.Rate?) throws {
        func byThreads(_ values: [Int: Double]) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: values.map { (String($0.key), ($0.value * 10).rounded() / 10) })
        }
        var object: [String: Any] = ["threads": threadCounts, "square_gflops": byThreads(square),
                                     "openblas_core": OpenBLASRuntime.configuration.coreName]
        object["gemm_gflops"] = Dictionary(uniqueKeysWithValues: gemms.map { ("\($0.name) \($0.shape)", byThreads($0.gflops)) })
        object["stream_gb_s"] = Dictionary(uniqueKeysWithValues: streams.map { ($0.name, byThreads($0.gigabytesPerSecond)) })
        if let peak {
            object["fma_peak_gflops"] = byThreads([1: peak.oneThread, peak.threads: peak.allThreads])
            object["fma_peak_instructions"] = peak.instructions
        }
        if let bf16 { object["bf16_peak_gflops"] = byThreads([1: bf16.oneThread, bf16.threads: bf16.allThreads]) }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

func format(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}
