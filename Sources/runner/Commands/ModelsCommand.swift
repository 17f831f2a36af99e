import ArgumentParser
import Foundation
import TensorEngine
import Layers
import Models

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
        var table = TextTable(header: ["model", "aliases", "params", "resolution", "GFLOPs", "GMACs", "description"])
        for entry in entries {
            let model = try ModelRegistry.standard.build(entry.name, options: ModelOptions(classes: classes))
            var gflops = "-", gmacs = "-"
            if !noFlops {
                let image = Tensor.zeros([1, model.inChannels, model.imageSize, model.imageSize])
                let flops = Tape.withoutRecording { FlopCounter.measure { model(image, .evaluation()) }.flops }
                gflops = format(Double(flops) / 1e9, 2)
                gmacs = format(Double(flops) / 2e9, 2)
            }
            table.add([entry.name, entry.aliases.joined(separator: ", "), grouped(model.parameterCount),
                       "\(entry.defaultImageSize)", gflops, gmacs, entry.summary])
        }
        print(table.render())
    }

    private func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
