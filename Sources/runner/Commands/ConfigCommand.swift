import ArgumentParser
import Foundation
import Recipes

/// `runner config -c FILE`: the resolved experiment — every key, defaults included, overrides
/// applied — as YAML that loads back to the same experiment, each key that is compatibility-only
/// or limited to some values commented with its status.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the resolved experiment of a recipe (defaults and overrides applied).")

    @Option(name: [.short, .customLong("config")], help: "The recipe (YAML, MindCV's keys).")
    var config: String?

    @Option(name: .customLong("set"), help: "Override a key: --set lr=0.01 (repeatable).")
    var overrides: [String] = []

    @Flag(help: "Leave out the comments that give each key's support status.")
    var plain = false

    func run() throws {
        let experiment = try ExperimentLoading.load(config: config, overrides: overrides)
        print(plain ? experiment.resolvedYAML() : experiment.annotatedYAML(), terminator: "")
        for note in experiment.compatibilityNotes + experiment.settingNotes {
            FileHandle.standardError.write(Data("note: \(note)\n".utf8))
        }
        if let refused = experiment.unsupportedSettings() {
            FileHandle.standardError.write(Data("this recipe would be refused by runner train:\n\(refused)\n".utf8))
        }
    }
}
