import Foundation
import TensorEngine
import Layers
import Models

/// Everything besides the weights that a run needs to continue exactly where it stopped.
public struct TrainingState {
    public var runID: Int64
    public var model: String
    /// Epochs finished (the next epoch to run is this number, 0-based).
    public var completedEpochs: Int
    public var globalStep: Int
    public var bestTop1: Double?
    public var bestEpoch: Int?
    /// The stream that dropout and drop-path draw from, as it stood at the end of the last epoch.
    public var random: RandomGenerator
    public var experimentYAML: String
    public var configHash: String
    /// Optimizer moments and step counts by name.
    public var optimizer: [(String, Tensor)]
    /// The averages of the weights the run keeps (``WeightAverager``), by average name (`ema`),
    /// each as tensors by parameter name.
    public var averages: [String: [(String, Tensor)]]
    /// Periodic checkpoints kept so far: epoch, top-1 (if validated), file name.
    public var keptCheckpoints: [KeptCheckpoint]
    /// The best validation top-1 of each average so far, by average name.
    public var bestAveragedTop1: [String: Double] = [:]

    public struct KeptCheckpoint: Codable, Sendable, Equatable {
        public var epoch: Int
        public var top1: Double?
        public var file: String

        public init(epoch: Int, top1: Double?, file: String) {
            self.epoch = epoch
            self.top1 = top1
            self.file = file
        }
    }
}

/// A checkpoint is two files written together: `NAME.safetensors` holds the model's state dict
/// under timm's names — nothing else, so `timm.create_model(...).load_state_dict(load_file(...),
/// strict=True)` takes it as it is — and `NAME.state.safetensors` holds the training state. Both
/// carry the same token, and a state is only ever read beside weights with its token. Each file is
/// written atomically, and while a checkpoint is overwritten the state it replaces is kept as
/// `NAME.state.previous.safetensors` until the new weights are in place: a run killed between the
/// two files resumes from the previous pair whole, never from mismatched halves. The weights' metadata
/// names the model, the epoch and, when the dataset has them, the class names (`class_names`, a JSON
/// array in class-index order, which `runner predict` prints).
public enum CheckpointFiles {
    static let stateFormat = "runner-training-state-1"
    /// The weights' metadata key holding the class names.
    public static let classNamesKey = "class_names"

    /// `…/last.safetensors` → `…/last.state.safetensors`.
    public static func statePath(for weights: URL) -> URL {
        let base = weights.deletingPathExtension()
        return base.appendingPathExtension("state").appendingPathExtension("safetensors")
    }

    /// `…/last.safetensors` → `…/last.state.previous.safetensors`: the state of the pair being replaced.
    public static func previousStatePath(for weights: URL) -> URL {
        let base = weights.deletingPathExtension()
        return base.appendingPathExtension("state").appendingPathExtension("previous").appendingPathExtension("safetensors")
    }

    /// Writes the training state, then the weights (see the type's discussion for the order).
    public static func save(_ model: any ClassificationModel, state: TrainingState?, classNames: [String]? = nil, to url: URL) throws {
        let token = UUID().uuidString
        var weightsMetadata = ["format": "pt", "runner_checkpoint": token]
        if let classNames {
            weightsMetadata[classNamesKey] = String(decoding: try JSONEncoder().encode(classNames), as: UTF8.self)
        }
        if let state {
            weightsMetadata["runner_model"] = state.model
            weightsMetadata["runner_epoch"] = String(state.completedEpochs)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let metadata: [String: String] = [
                "format": stateFormat,
                "runner_checkpoint": token,
                "run_id": String(state.runID),
                "model": state.model,
                "completed_epochs": String(state.completedEpochs),
                "global_step": String(state.globalStep),
                "best_top1": state.bestTop1.map { String($0) } ?? "",
                "best_epoch": state.bestEpoch.map { String($0) } ?? "",
                "random": String(decoding: try encoder.encode(state.random), as: UTF8.self),
                "experiment_yaml": state.experimentYAML,
                "config_hash": state.configHash,
                "kept_checkpoints": String(decoding: try encoder.encode(state.keptCheckpoints), as: UTF8.self),
                "best_averaged_top1": String(decoding: try encoder.encode(state.bestAveragedTop1), as: UTF8.self),
            ]
            let tensors = state.optimizer.map { (name: "optimizer." + $0.0, tensor: $0.1) }
                + state.averages.keys.sorted().flatMap { average in
                    state.averages[average]!.map { (name: average + "." + $0.0, tensor: $0.1) }
                }
            let stateURL = statePath(for: url), previousURL = previousStatePath(for: url)
            if FileManager.default.fileExists(atPath: stateURL.path) {
                guard rename(stateURL.path, previousURL.path) == 0 else {
                    throw TrainingError.checkpoint("cannot keep \(stateURL.path) while it is replaced: \(String(cString: strerror(errno)))")
                }
            }
            try Safetensors.write(tensors, metadata: metadata, to: stateURL)
            try Safetensors.write(model.stateDict(), metadata: weightsMetadata, to: url)
            try? FileManager.default.removeItem(at: previousURL)
            return
        }
        try Safetensors.write(model.stateDict(), metadata: weightsMetadata, to: url)
    }

    /// Reads the training state that belongs to the weights at `url`.
    public static func loadState(for url: URL) throws -> TrainingState {
        let weights = try Safetensors.read(url)
        // The state written with these weights: the current one, or the one kept while a save
        // that did not finish was replacing the pair.
        let candidates = [statePath(for: url), previousStatePath(for: url)].filter { FileManager.default.fileExists(atPath: $0.path) }
        guard !candidates.isEmpty else {
            throw TrainingError.checkpoint("\(url.path) has no training state beside it (\(statePath(for: url).lastPathComponent)); it holds weights only — load it with `pretrained:`/`ckpt_path` to start a new run from it")
        }
        var matching: (url: URL, file: Safetensors.File)?
        for candidate in candidates {
            let file = try Safetensors.read(candidate)
            guard file.metadata["format"] == stateFormat else {
                throw TrainingError.checkpoint("\(candidate.path) is not a runner training state (format \(file.metadata["format"] ?? "missing"))")
            }
            if file.metadata["runner_checkpoint"] == weights.metadata["runner_checkpoint"] {
                matching = (candidate, file)
                break
            }
        }
        guard let (stateURL, file) = matching else {
            throw TrainingError.checkpoint("\(url.lastPathComponent) and \(statePath(for: url).lastPathComponent) come from different saves; resume from another checkpoint of the run")
        }
        let metadata = file.metadata
        func int(_ key: String) throws -> Int {
            guard let value = metadata[key].flatMap({ Int($0) }) else {
                throw TrainingError.checkpoint("\(stateURL.path) lacks \(key)")
            }
            return value
        }
        let decoder = JSONDecoder()
        let random = try decoder.decode(RandomGenerator.self, from: Data((metadata["random"] ?? "").utf8))
        let kept = try decoder.decode([TrainingState.KeptCheckpoint].self, from: Data((metadata["kept_checkpoints"] ?? "[]").utf8))
        var optimizer: [(String, Tensor)] = [], averages: [String: [(String, Tensor)]] = [:]
        for entry in file.entries {
            guard let dot = entry.name.firstIndex(of: ".") else { continue }
            let owner = String(entry.name[..<dot]), name = String(entry.name[entry.name.index(after: dot)...])
            if owner == "optimizer" { optimizer.append((name, entry.tensor())) } else { averages[owner, default: []].append((name, entry.tensor())) }
        }
        return TrainingState(runID: Int64(try int("run_id")), model: metadata["model"] ?? "",
                             completedEpochs: try int("completed_epochs"), globalStep: try int("global_step"),
                             bestTop1: metadata["best_top1"].flatMap { Double($0) }, bestEpoch: metadata["best_epoch"].flatMap { Int($0) },
                             random: random, experimentYAML: metadata["experiment_yaml"] ?? "",
                             configHash: metadata["config_hash"] ?? "", optimizer: optimizer, averages: averages, keptCheckpoints: kept,
                             bestAveragedTop1: try decoder.decode([String: Double].self, from: Data((metadata["best_averaged_top1"] ?? "{}").utf8)))
    }
}
