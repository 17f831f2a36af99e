import Foundation
@testable import Results

/// Hand-made rows for the pure report, filter, sort and plot tests.
enum Fixtures {
    static let start = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15 15:06:40 UTC

    static func run(_ id: Int64, name: String, model: String, dataset: String = "fashion-mnist",
                    status: RunStatus = .finished, parameters: Int? = 11_689_512, startOffset: TimeInterval = 0,
                    epochsPlanned: Int? = nil) -> RunRecord
    {
        RunRecord(id: RunID(id), name: name, model: model, dataset: dataset, configYAML: "model: \(model)\n",
                  configHash: "", parameters: parameters, worldSize: 1, host: "h",
                  pid: 1, startedAt: start.addingTimeInterval(startOffset), finishedAt: nil,
                  heartbeatAt: start, status: status, error: nil, epochsPlanned: epochsPlanned, imageSize: 28,
                  batchSize: 64, notes: nil)
    }

    /// `count` epochs whose loss falls and top-1 rises at a run-specific rate.
    static func epochs(_ id: Int64, count: Int, rate: Double) -> [EpochRecord] {
        (1...max(count, 1)).prefix(count).map { e in
            let x = Double(e)
            return EpochRecord(runID: RunID(id), epoch: e, trainLoss: 2.3 * exp(-rate * x) + 0.2,
                               valLoss: 2.4 * exp(-rate * x * 0.9) + 0.3, top1: 95 - 85 * exp(-rate * x),
                               top5: 99.5 - 40 * exp(-rate * x), trainImagesPerSecond: 1000 + 10 * x,
                               evalImagesPerSecond: 3000, lr: 0.1 * cos(x / Double(count) * .pi / 2), seconds: 60,
                               recordedAt: start.addingTimeInterval(60 * x))
        }
    }

    static let summaries: [RunSummary] = [
        RunSummary(run: run(1, name: "resnet18 baseline", model: "resnet18", epochsPlanned: 20), epochs: epochs(1, count: 20, rate: 0.25)),
        RunSummary(run: run(2, name: "swinv2 tiny, \"w8\"", model: "swinv2_tiny_window8", parameters: 28_347_154,
                            startOffset: 3600), epochs: epochs(2, count: 15, rate: 0.35)),
        RunSummary(run: run(3, name: "twins_svt_small", model: "twins_svt_small", dataset: "cifar10",
                            status: .running, parameters: 24_060_776, startOffset: 7200),
                   status: .died, epochs: epochs(3, count: 6, rate: 0.3)),
        RunSummary(run: run(4, name: "empty", model: "swinv2_small_window8", dataset: "cifar10", status: .failed,
                            parameters: nil, startOffset: 1800), epochs: []),
    ]
}
