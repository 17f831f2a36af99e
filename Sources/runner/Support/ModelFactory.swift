import Foundation
import Models
import Recipes

/// Builds the recipe's network: registry defaults, then the recipe's classes, channels, input size,
/// drop rates and `model_kwargs`, then pretrained weights (`ckpt_path`) when it names them.
enum ModelFactory {
    static func build(_ experiment: Experiment) throws -> any ClassificationModel {
        let m = experiment.model
        var overrides: [String: ModelArgument] = [:]
        for (key, value) in m.kwargs {
            guard let argument = ModelArgument(value) else {
                throw ModelError("model_kwargs.\(key): \(value) is not a number, a list of integers or a word")
            }
            overrides[key] = argument
        }
        let options = ModelOptions(classes: m.numClasses, inChannels: m.inChannels, imageSize: experiment.augmentation.imageResize,
                                   dropRate: m.dropRate.map(Float.init), dropPathRate: m.dropPathRate.map(Float.init),
                                   seed: UInt64(experiment.system.seed), overrides: overrides)
        let model = try ModelRegistry.standard.build(m.name, options: options)
        if !experiment.checkpoint.path.isEmpty {
            let report = try WeightLoading.load(into: model, from: URL(fileURLWithPath: experiment.checkpoint.path))
            for notice in report.notices { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
        }
        return model
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
