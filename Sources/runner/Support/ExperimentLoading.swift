import ArgumentParser
import Recipes
import Models

/// Loads the experiment a command runs: the recipe (or MindCV's defaults when there is none) with
/// `--set` overrides applied, its model checked against the registry.
enum ExperimentLoading {
    static func load(config: String?, overrides: [String]) throws -> Experiment {
        let experiment: Experiment
        if let config {
            experiment = try Experiment.load(path: config, overrides: overrides)
        } else {
            experiment = try Experiment.resolve(overrides: overrides)
        }
        try experiment.validate(modelNames: ModelRegistry.standard.allNames)
        return experiment
    }
}
