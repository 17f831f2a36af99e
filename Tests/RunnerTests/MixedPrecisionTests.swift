import Foundation
import Testing
import Results
import TensorEngine

/// `runner train --amp` end to end: bfloat16 products where the processor has AVX512-BF16 (the
/// run's record and `runner report` say so, and the losses differ from float32's by rounding
/// only), and float32 with a note where it has not (`RUNNER_DISABLE_BF16=1` stands in for such a
/// processor, so both paths are tested on any machine).
@Suite(.serialized) struct MixedPrecisionTests {
    /// The tiny recipe with products deep and wide enough for the bfloat16 kernel (depth ≥ 32).
    static let recipe = TrainValidateReportTests.recipe
        .replacingOccurrences(of: "embed_dim: 16", with: "embed_dim: 32")

    static func trainLosses(_ scratch: RunnerProcess, run: Int64) throws -> [Double] {
        try ResultsStore(path: scratch.path("runs/results.sqlite")).epochs(run: RunID(run)).compactMap(\.trainLoss)
    }

    @Test func ampTrainsInBFloat16WhereTheProcessorHasIt() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("tiny.yaml", Self.recipe)
        let float32 = try scratch.run(["train", "-c", "tiny.yaml"])
        #expect(float32.status == 0, "\(float32.combined)")
        let amp = try scratch.run(["train", "-c", "tiny.yaml", "--amp"])
        #expect(amp.status == 0, "\(amp.combined)")

        let store = try ResultsStore(path: scratch.path("runs/results.sqlite"))
        let runs = try store.runs().sorted { $0.run.id.rawValue < $1.run.id.rawValue }
        #expect(runs.map(\.run.precisionLabel).first == "float32")
        let report = try scratch.run(["report", "--run", "2"])
        let reference = try Self.trainLosses(scratch, run: 1), mixed = try Self.trainLosses(scratch, run: 2)
        #expect(reference.count == 3 && mixed.count == 3)
        if ProductPrecision.bfloat16Available {
            #expect(runs.last?.run.precision == "bfloat16 (amp_level O2)")
            #expect(amp.standardError.contains("note: amp_level O2 and val_amp_level O2: every linear and convolution product"))
            #expect(report.standardOutput.contains("precision: bfloat16 (amp_level O2)"), "\(report.standardOutput)")
            // runner validate --amp records the evaluation's precision beside it.
            let validate = try scratch.run(["validate", "--ckpt", "\(try scratch.runFolder(2))/best.safetensors", "--amp"])
            #expect(validate.status == 0, "\(validate.combined)")
            #expect(try store.evaluations().last?.precision == "bfloat16 (val_amp_level O2)")
            // Rounded operands: not the float32 losses, but within rounding of them.
            #expect(mixed != reference)
            for (a, b) in zip(mixed, reference) { #expect(abs(a - b) <= 0.02 * abs(b), "\(mixed) vs \(reference)") }
        } else {
            #expect(runs.last?.run.precisionLabel == "float32")
            #expect(amp.standardError.contains("no AVX512-BF16 instructions: products run in float32"))
        }
    }

    @Test func withoutBFloat16InstructionsAmpRunsFloat32WithANote() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try scratch.write("tiny.yaml", Self.recipe)
        let environment = ["RUNNER_DISABLE_BF16": "1"]
        let amp = try scratch.run(["train", "-c", "tiny.yaml", "--set", "amp_level=O1"], environment: environment)
        #expect(amp.status == 0, "\(amp.combined)")
        #expect(amp.standardError.contains("note: amp_level O1 asks for bfloat16, but this processor has no AVX512-BF16 instructions: products run in float32 (no emulation)"),
                "\(amp.standardError)")
        let store = try ResultsStore(path: scratch.path("runs/results.sqlite"))
        let run = try #require(try store.runs().first)
        #expect(run.run.precisionLabel == "float32")
        #expect(run.run.notes?.contains("no AVX512-BF16 instructions") == true)
        let float32 = try scratch.run(["train", "-c", "tiny.yaml"], environment: environment)
        #expect(float32.status == 0)
        // The same float32 arithmetic as a run that never asked for bfloat16.
        #expect(try Self.trainLosses(scratch, run: 1) == Self.trainLosses(scratch, run: 2))
        let report = try scratch.run(["report", "--format", "csv"])
        #expect(report.standardOutput.contains("precision"))
    }
}
