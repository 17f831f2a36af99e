import Recipes

/// Which periodic checkpoints (`epoch-N`) a run keeps: `keep_checkpoint_max` of them, the most
/// recent (`latest_k`) or the best by validation top-1 (`top_k`, ties to the later epoch).
public struct CheckpointRetention: Sendable {
    public let keep: Int
    public let policy: CheckpointPolicy

    public init(keep: Int, policy: CheckpointPolicy) {
        self.keep = max(1, keep)
        self.policy = policy
    }

    /// The list after adding `new`, in epoch order, and the entries it no longer keeps.
    public func adding(_ new: TrainingState.KeptCheckpoint, to kept: [TrainingState.KeptCheckpoint])
        -> (kept: [TrainingState.KeptCheckpoint], dropped: [TrainingState.KeptCheckpoint]) {
        let all = kept + [new]
        guard all.count > keep else { return (all, []) }
        let ranked = policy == .topK
            ? all.sorted { ($0.top1 ?? -1, $0.epoch) > ($1.top1 ?? -1, $1.epoch) }
            : all.sorted { $0.epoch > $1.epoch }
        return (Array(ranked.prefix(keep)).sorted { $0.epoch < $1.epoch }, Array(ranked.dropFirst(keep)))
    }
}
