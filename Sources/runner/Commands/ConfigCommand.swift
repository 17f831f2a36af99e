import ArgumentParser
import Recipes

/// `runner config -c FILE`: the resolved experiment — every key, defaults included, overrides
/// applied — as YAML that loads back to the same experiment.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the resolved experiment of a recipe (defaults and overrides applied).")

    @Option(name: [.short, .customLong("config")], help: "The recipe (YAML, MindCV's keys).")
    var config: String?

    @Option(name: .customLong("set"), help: "Override a key: --set lr=0.01 (repeatable).")
    var overrides: [String] = []

    func run() throws {
        let experiment = try ExperimentLoading.load(config: config, overrides: overrides)
        print(experiment.resolvedYAML(), terminator: "")
    }
}
