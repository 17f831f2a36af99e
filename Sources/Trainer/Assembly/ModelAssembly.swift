import Foundation
import Models
import Recipes

/// Builds the recipe's network: the registry's defaults, then the recipe's classes, channels, input
/// size, drop rates and `model_kwargs`, then the initial weights of `pretrained` and `ckpt_path`.
public enum ModelAssembly {
    /// The network for `experiment` with `classes` outputs (the recipe's `num_classes`, else the
    /// dataset's). Weight-loading notices (a re-initialised classifier, summed input channels) go
    /// to `log`.
    public static func build(_ experiment: Experiment, classes: Int?, log: (String) -> Void = { _ in }) throws
        -> any ClassificationModel {
        let m = experiment.model
        var overrides: [String: ModelArgument] = [:]
        for (key, value) in m.kwargs {
            guard let argument = ModelArgument(value) else {
                throw ModelError("model_kwargs.\(key): \(value) is not a number, a list of integers or a word")
            }
            overrides[key] = argument
        }
        let options = ModelOptions(classes: m.numClasses ?? classes, inChannels: m.inChannels,
                                   imageSize: experiment.augmentation.imageResize,
                                   dropRate: m.dropRate.map(Float.init), dropPathRate: m.dropPathRate.map(Float.init),
                                   seed: UInt64(truncatingIfNeeded: experiment.system.seed), overrides: overrides)
        let model = try ModelRegistry.standard.build(m.name, options: options)
        // MindCV's order: the pretrained weights first, then a checkpoint over them.
        if case .file(let path) = m.pretrained { try load(path, key: "pretrained", into: model, log: log) }
        if !experiment.checkpoint.path.isEmpty { try load(experiment.checkpoint.path, key: "ckpt_path", into: model, log: log) }
        return model
    }

    private static func load(_ path: String, key: String, into model: any ClassificationModel, log: (String) -> Void) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.checkpoint("\(key): \(path) does not exist; give a .safetensors file of weights (timm, torchvision or Hugging Face names)")
        }
        let report = try WeightLoading.load(into: model, from: URL(fileURLWithPath: path))
        log("\(key): loaded \(path)")
        for notice in report.notices { log("note: \(notice)") }
    }
}

extension ModelArgument {
    init?(_ value: ConfigValue) {
        if let list = value.intList { self = .integers(list); return }
        if let integer = value.intValue { self = .integer(integer); return }
        if let number = value.doubleValue { self = .number(number); return }
        if let flag = value.boolValue { self = .flag(flag); return }
        if let text = value.stringValue { self = .text(text); return }
        return nil
    }
}
