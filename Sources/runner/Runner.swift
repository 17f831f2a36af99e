import ArgumentParser

/// `runner`: the command line of the experiment runner. Each subcommand lives in `Commands/`.
@main
struct Runner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Train, validate and compare image-classification experiments on the CPU.",
        subcommands: [TrainCommand.self, ValidateCommand.self, PredictCommand.self, ConfigCommand.self, ReportCommand.self, ModelsCommand.self, BenchCommand.self]
    )
}
