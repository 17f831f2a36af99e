import Foundation
import Testing
import Models
import Recipes
import Trainer

/// Every recipe in `configs/` loads with its model registered and no key refused; the small ones
/// (`configs/small/`, Fashion-MNIST) assemble into a run — data, network, optimizer, schedule and
/// averages — as `runner train` would start it.
@Suite struct ConfigsTests {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs")

    static func recipes(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    static func load(_ url: URL) throws -> Experiment {
        let experiment = try Experiment.load(yaml: String(contentsOf: url, encoding: .utf8), path: url.path)
        try experiment.validate(modelNames: ModelRegistry.standard.allNames)
        if let refused = experiment.unsupportedSettings() { throw refused }
        return experiment
    }

    @Test func everyRecipeLoads() throws {
        let all = Self.recipes(in: Self.configs) + Self.recipes(in: Self.configs.appendingPathComponent("small"))
        #expect(all.count >= 13, "\(all.map(\.lastPathComponent))")
        for url in all { #expect(throws: Never.self, "\(url.lastPathComponent)") { _ = try Self.load(url) } }
    }

    @Test func theSmallRecipesAssemble() throws {
        let small = Self.recipes(in: Self.configs.appendingPathComponent("small"))
        #expect(small.count == 5)
        for url in small {
            let experiment = try Self.load(url)
            let assembly = try TrainingAssembly(experiment)
            #expect(assembly.train.sampleCount == 60_000 && assembly.validation?.sampleCount == 10_000, "\(url.lastPathComponent)")
            #expect(assembly.step.averagers.map(\.name) == (experiment.training.ema ? ["ema"] : []) + (experiment.swa.enabled ? ["swa"] : []),
                    "\(url.lastPathComponent)")
        }
    }
}
