import ArgumentParser
import Foundation
import TensorEngine
import Layers
import Models
import Results

/// `runner models [PATTERN]`: the registered networks with their parameters, default resolution and
/// forward GFLOPs (measured by running one image through the network).
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the registered models: parameters, default resolution, forward GFLOPs.")

    @Argument(help: "Shell-style filter on names and aliases, e.g. 'swinv2*' or '*window16*'.")
    var pattern: String?

    @Option(help: "Number of classes the counts are given for.")
    var classes = 1000

    @Flag(help: "Skip the FLOP measurement (a forward pass per model), which takes a while for big models.")
    var noFlops = false

    func run() throws {
        let entries = ModelRegistry.standard.entries(matching: pattern)
        guard !entries.isEmpty else {
            throw ValidationError("no registered model matches '\(pattern ?? "")'; `runner models` lists them all")
        }
        var rows: [[TableCell]] = []
        for entry in entries {
            let model = try ModelRegistry.standard.build(entry.name, options: ModelOptions(classes: classes))
            var gflops = TableCell.text("-"), gmacs = TableCell.text("-")
            if !noFlops {
                let image = Tensor.zeros([1, model.inChannels, model.imageSize, model.imageSize])
                let flops = Tape.withoutRecording { FlopCounter.measure { model(image, .evaluation()) }.flops }
                gflops = .number(Double(flops) / 1e9, decimals: 2)
                gmacs = .number(Double(flops) / 2e9, decimals: 2)
            }
            rows.append([.text(entry.name), .text(entry.aliases.joined(separator: ", ")), .groupedInteger(model.parameterCount),
                         .integer(entry.defaultImageSize), gflops, gmacs, .text(entry.summary)])
        }
        let columns = ["model", "aliases", "params", "resolution", "GFLOPs", "GMACs", "description"].map { TableColumn($0) }
        print(ReportTable(columns: columns, rows: rows).render(.text), terminator: "")
    }
}
