import Foundation
import TensorEngine
import Layers
import Models
import Training
import Datasets
import Trainer
import Distributed

/// Model throughput on synthetic data: training steps (forward, loss, backward, parameter update)
/// and evaluation forwards per second, the forward FLOPs, and peak resident memory.
struct ModelBenchmark {
    struct Result: Codable {
        var model: String
        var batch: Int
        var imageSize: Int
        var parameters: Int
        var threads: Int
        /// OpenBLAS's kernel family for this run, e.g. `SkylakeX`.
        var openBLASCore: String
        /// Forward GFLOPs per image (multiply-adds of products counted twice, as timm and fvcore do).
        var forwardGFLOPs: Double
        var trainImagesPerSecond: Double
        var evalImagesPerSecond: Double
        var peakResidentMiB: Double
        /// The most memory live tensors held at once (the engine's buffer pool), part of the peak RSS.
        var peakTensorMiB: Double
        /// The large-square SGEMM rate measured at the start of the same run, all threads: how fast
        /// OpenBLAS's kernels in use are, a reference beside the peak.
        var gemmGFLOPs: Double
        /// The processor's float32 FMA peak (``ProcessorPeak``), all threads, and on one.
        var fmaPeakGFLOPs: Double
        var fmaPeakOneThreadGFLOPs: Double
        /// Model FLOP utilisation: 3 × forward FLOPs × train img/s ÷ the FMA peak (of all ranks).
        var trainUtilisation: Double
        /// forward FLOPs × eval img/s ÷ the FMA peak.
        var evalUtilisation: Double
        /// Milliseconds per step by op family (plus "other", the rest of the step), when profiled.
        var trainProfile: [String: Double]?
        var evalProfile: [String: Double]?
        /// Processes training together (under `mpirun`); img/s are over all of them.
        var ranks: Int
        /// Milliseconds per training step spent averaging gradients across the ranks (rank 0's).
        var allReduceMilliseconds: Double?
        /// The precision of the products (`float32`, or `bfloat16` under `--amp` / `amp_level`).
        var precision: String
        /// The processor's `vdpbf16ps` peak, all threads, where it has AVX512-BF16: the yardstick of
        /// a bfloat16 run's utilisation (which still divides by the float32 peak, so the two
        /// precisions compare on one scale).
        var bfloat16PeakGFLOPs: Double?

        enum CodingKeys: String, CodingKey {
            case model, batch, parameters, threads, ranks
            case allReduceMilliseconds = "allreduce_ms_per_step"
            case precision
            case bfloat16PeakGFLOPs = "bf16_peak_gflops"
            case imageSize = "image_size"
            case openBLASCore = "openblas_core"
            case forwardGFLOPs = "forward_gflops"
            case trainImagesPerSecond = "train_img_s"
            case evalImagesPerSecond = "eval_img_s"
            case peakResidentMiB = "peak_rss_mib"
            case peakTensorMiB = "peak_tensor_mib"
            case gemmGFLOPs = "gemm_gflops"
            case fmaPeakGFLOPs = "fma_peak_gflops"
            case fmaPeakOneThreadGFLOPs = "fma_peak_1t_gflops"
            case trainUtilisation = "mfu_train"
            case evalUtilisation = "mfu_eval"
            case trainProfile = "profile_train_ms"
            case evalProfile = "profile_eval_ms"
        }
    }

    /// The name shown in the results.
    let name: String
    /// Builds the network (from the registry, or from a recipe).
    let build: () throws -> any ClassificationModel
    let batch: Int
    let steps: Int
    let warmup: Int
    /// Whether to time the op families during the timed steps (``OpProfiler``).
    var profile = false
    /// The processes stepping together: each trains its own batch of `batch` images, the
    /// gradients averaged by all-reduce as in training.
    var group: any ProcessGroup = SingleProcess()
    /// The precision of the model's products in both timed phases.
    var precision: ProductPrecision = .float32

    func run() throws -> Result {
        // The yardstick first, on the full pool, before the model's buffers exist (the peaks are
        // measured again after the model has run, see `measure`).
        let gemm = KernelBenchmark(stopwatch: Stopwatch(budget: 0.5), threadCounts: [ThreadPool.shared.activeThreads])
            .measure(KernelBenchmark.square)
        let peak = ProcessorPeak.float32()
        let bfloat16Peak = ProcessorPeak.bfloat16()
        return try ProductPrecision.run(precision) { try measure(gemm: gemm, peak: peak, bfloat16Peak: bfloat16Peak) }
    }

    private func measure(gemm: Double, peak: ProcessorPeak.Rate?, bfloat16Peak: ProcessorPeak.Rate?) throws -> Result {
        let model = try build()
        let size = model.imageSize, channels = model.inChannels
        var generator = RandomGenerator(seed: 3)
        let images = Tensor.normal([batch, channels, size, size], using: &generator)
        let classes = Tape.withoutRecording { model(images.sliced(axis: 0, range: 0..<1), .evaluation()) }.shape[1]
        let labels = (0..<batch).map { Int32($0 % classes) }
        let flops = Tape.withoutRecording {
            FlopCounter.measure { model(Tensor.zeros([1, channels, size, size]), .evaluation()) }.flops
        }

        model.prepareForTraining()
        TrainingAssembly.broadcastState(of: model, in: group)
        let reducer = group.worldSize > 1 ? AllReduceGradientReducer(group: group) : nil
        // The trainer's own step: forward, label-smoothed cross-entropy, backward, then AdamW
        // (lr 1e-3, weight decay 0.05 on every parameter) as the PyTorch peer `torch_reference.py` does.
        let optimizer = Optimizer(groups: [ParameterGroup(name: "all", parameters: model.namedParameters(), weightDecay: 0.05)],
                                  algorithm: .adam(.adamW()), learningRate: 1e-3)
        let step = TrainingStep(model: model, objective: ClassificationObjective(labelSmoothing: 0.1), optimizer: optimizer,
                                reducer: reducer ?? LocalGradientReducer())
        let inputs = Batch(images: images, labels: labels)
        let context = ForwardContext(training: true, random: RandomGenerator(seed: 4))
        var stepNumber = 0
        func trainStep() throws {
            stepNumber += 1
            _ = try step(inputs, learningRate: 1e-3, step: stepNumber, context: context)
        }
        for _ in 0..<warmup { try trainStep() }
        _ = reducer?.takeSeconds()
        if profile { OpProfiler.start() }
        var start = Stopwatch.now()
        for _ in 0..<steps { try trainStep() }
        let trainSeconds = Stopwatch.now() - start
        let allReduce = reducer.map { 1000 * $0.takeSeconds() / Double(steps) }
        let trainProfile = profile ? Self.perStep(OpProfiler.stop(), total: trainSeconds, steps: steps) : nil

        func evalStep() { _ = Tape.withoutRecording { model(images, .evaluation()) } }
        for _ in 0..<warmup { evalStep() }
        if profile { OpProfiler.start() }
        start = Stopwatch.now()
        for _ in 0..<steps { evalStep() }
        let evalSeconds = Stopwatch.now() - start
        let evalProfile = profile ? Self.perStep(OpProfiler.stop(), total: evalSeconds, steps: steps) : nil
        // The peaks again, after the model: the higher of the two measurements of each is kept.
        let peak = peak.map { $0.higher(ProcessorPeak.float32()) }
        let bfloat16Peak = bfloat16Peak.map { $0.higher(ProcessorPeak.bfloat16()) }

        let forward = Double(flops) / 1e9
        // Every rank steps in lockstep (the all-reduce), so the job's rate is the ranks' images over
        // this rank's time; evaluation needs no exchange and each rank runs its own.
        let ranks = Double(group.worldSize)
        let trainRate = ranks * Double(batch * steps) / trainSeconds, evalRate = ranks * Double(batch * steps) / evalSeconds
        return Result(model: name, batch: batch, imageSize: size, parameters: model.parameterCount,
                      threads: ThreadPool.shared.activeThreads,
                      openBLASCore: OpenBLASRuntime.configuration.coreName, forwardGFLOPs: forward,
                      trainImagesPerSecond: trainRate, evalImagesPerSecond: evalRate,
                      peakResidentMiB: ProcessMemory.peakResidentMiB(),
                      peakTensorMiB: Double(BufferPool.shared.statistics.peakLiveBytes) / 1_048_576, gemmGFLOPs: gemm,
                      fmaPeakGFLOPs: peak?.allThreads ?? gemm, fmaPeakOneThreadGFLOPs: peak?.oneThread ?? gemm,
                      trainUtilisation: 3 * forward * trainRate / ((peak?.allThreads ?? gemm) * ranks),
                      evalUtilisation: forward * evalRate / ((peak?.allThreads ?? gemm) * ranks),
                      trainProfile: trainProfile, evalProfile: evalProfile, ranks: group.worldSize,
                      allReduceMilliseconds: allReduce, precision: precision.rawValue,
                      bfloat16PeakGFLOPs: bfloat16Peak?.allThreads)
    }

    /// Milliseconds per step by family name, with "other" for the untracked rest of the step.
    static func perStep(_ seconds: [OpFamily: Double], total: Double, steps: Int) -> [String: Double] {
        var result: [String: Double] = [:]
        for (family, value) in seconds { result[family.label] = 1000 * value / Double(steps) }
        result["other (untracked)"] = 1000 * max(0, total - seconds.values.reduce(0, +)) / Double(steps)
        return result
    }
}

/// The process's memory as the kernel reports it.
enum ProcessMemory {
    /// Peak resident set size (VmHWM) in MiB, or 0 where /proc is unavailable.
    static func peakResidentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kib / 1024
        }
        return 0
    }
}
