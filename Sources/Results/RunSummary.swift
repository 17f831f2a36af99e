/// A run with its epochs and its effective status: everything a report row or a plot needs.
///
/// Returned by ``ResultsStore/runs(filter:sort:)``. The derived figures (best epoch, last loss,
/// throughput) are computed from ``epochs`` so reports stay pure functions of the queried rows.
public struct RunSummary: Sendable, Equatable {
    /// The stored row.
    public var run: RunRecord
    /// The status to show: the stored one, or ``RunStatus/died`` (see ``LivenessPolicy``).
    public var status: RunStatus
    /// The run's epochs in ascending epoch order.
    public var epochs: [EpochRecord]

    /// Bundles a run with its epochs; `status` defaults to the stored status.
    public init(run: RunRecord, status: RunStatus? = nil, epochs: [EpochRecord]) {
        self.run = run
        self.status = status ?? run.status
        self.epochs = epochs.sorted { $0.epoch < $1.epoch }
    }

    /// The epoch with the highest top-1 (the earliest among ties), if any epoch was evaluated.
    public var bestEpoch: EpochRecord? {
        epochs.reduce(nil as EpochRecord?) { best, e in
            guard let top1 = e.top1 else { return best }
            guard let current = best?.top1 else { return e }
            return top1 > current ? e : best
        }
    }

    /// The last recorded epoch.
    public var lastEpoch: EpochRecord? { epochs.last }

    /// Mean training throughput over the epochs that report it.
    public var meanTrainImagesPerSecond: Double? {
        let values = epochs.compactMap(\.trainImagesPerSecond)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// `"#id name"`, the label used in compare tables and plot legends.
    public var label: String { "#\(run.id) \(run.name)" }
}
