import Testing
import Recipes
import TensorEngine
@testable import Trainer

/// `amp_level` / `val_amp_level` → the precision of training and evaluation products, on a
/// processor with and without AVX512-BF16, with the notes and the label the run records.
@Suite struct PrecisionPlanTests {
    static func precision(_ training: AMPLevel, _ evaluation: AMPLevel = .o0) -> Experiment.Precision {
        var precision = Experiment.Precision()
        precision.ampLevel = training
        precision.valAmpLevel = evaluation
        return precision
    }

    @Test func levelZeroIsFloat32Throughout() {
        let plan = PrecisionPlan(Self.precision(.o0), bfloat16Available: true)
        #expect(plan.training == .float32 && plan.evaluation == .float32)
        #expect(plan.notes.isEmpty)
        #expect(plan.label == "float32")
    }

    @Test(arguments: [AMPLevel.o1, .o2, .o3])
    func mixedLevelsRunBFloat16ProductsWhereTheProcessorHasThem(_ level: AMPLevel) {
        let plan = PrecisionPlan(Self.precision(level), bfloat16Available: true)
        #expect(plan.training == .bfloat16)
        #expect(plan.evaluation == .float32)
        #expect(plan.label == "training bfloat16 (amp_level \(level.rawValue)), evaluation float32")
        #expect(plan.notes.first?.hasPrefix("amp_level \(level.rawValue): every linear and convolution product") == true)
        // O2 and O3 say what they do not cast here.
        #expect(plan.notes.contains { $0.contains("casts more of the network in MindSpore") } == (level != .o1))
    }

    @Test func bothLevelsGiveOneLabel() {
        let plan = PrecisionPlan(Self.precision(.o2, .o2), bfloat16Available: true)
        #expect(plan.training == .bfloat16 && plan.evaluation == .bfloat16)
        #expect(plan.label == "bfloat16 (amp_level O2)")
        let evaluationOnly = PrecisionPlan(Self.precision(.o0, .o1), bfloat16Available: true)
        #expect(evaluationOnly.training == .float32 && evaluationOnly.evaluation == .bfloat16)
        #expect(evaluationOnly.label == "training float32, evaluation bfloat16 (val_amp_level O1)")
        #expect(evaluationOnly.evaluationLabel == "bfloat16 (val_amp_level O1)")
        #expect(plan.evaluationLabel == "bfloat16 (val_amp_level O2)")
    }

    @Test func withoutTheInstructionsARecipeRunsFloat32AndSaysSo() {
        let plan = PrecisionPlan(Self.precision(.o2, .o2), bfloat16Available: false)
        #expect(plan.training == .float32 && plan.evaluation == .float32)
        #expect(plan.label == "float32")
        #expect(plan.notes == ["amp_level O2 and val_amp_level O2 ask for bfloat16, but this processor has no AVX512-BF16 instructions: products run in float32 (no emulation)"])
    }
}
