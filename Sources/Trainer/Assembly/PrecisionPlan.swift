import TensorEngine
import Recipes

/// The precision a run's products use in training and in evaluation, decided once from the
/// recipe's `amp_level` / `val_amp_level` and the processor, with the notes that say what the
/// levels mean here (``AMPLevel``) and when the processor lacks bfloat16 instructions.
public struct PrecisionPlan: Sendable, Equatable {
    /// Products of training steps (forward, backward, the SWA batch-norm epoch).
    public let training: ProductPrecision
    /// Products of evaluation (validation during training).
    public let evaluation: ProductPrecision
    /// Logged and stored with the run.
    public let notes: [String]
    /// What the run records as its precision: `float32`, or `bfloat16 (amp_level O2)`.
    public let label: String
    /// What an evaluation records as its precision: `float32`, or `bfloat16 (val_amp_level O2)`.
    public let evaluationLabel: String

    /// The plan of `precision` on a processor with (`bfloat16Available`) or without the
    /// AVX512-BF16 instructions: a mixed level runs bfloat16 products there and float32 here,
    /// never an emulation.
    public init(_ precision: Experiment.Precision, bfloat16Available: Bool = ProductPrecision.bfloat16Available) {
        let training = precision.ampLevel.isMixed && bfloat16Available ? ProductPrecision.bfloat16 : .float32
        let evaluation = precision.valAmpLevel.isMixed && bfloat16Available ? ProductPrecision.bfloat16 : .float32
        var notes: [String] = []
        let levels = [("amp_level", precision.ampLevel), ("val_amp_level", precision.valAmpLevel)].filter { $0.1.isMixed }
        if !levels.isEmpty {
            let set = levels.map { "\($0.0) \($0.1.rawValue)" }.joined(separator: " and ")
            if bfloat16Available {
                notes.append("\(set): every linear and convolution product (forward and both gradients; all but the thinnest, of depth below 32 or fewer than 16 rows or columns) takes bfloat16 operands with float32 accumulation; norms, softmax, window attention's fused products, GELU, losses, the optimizer and the master weights stay float32, and no loss scaling is needed")
                let wider = levels.filter { $0.1 == .o2 || $0.1 == .o3 }
                if !wider.isEmpty {
                    notes.append("\(wider.map { "\($0.0) \($0.1.rawValue)" }.joined(separator: " and ")) casts more of the network in MindSpore (O2 all but batch norm, O3 everything); here it runs the same bfloat16 products as O1")
                }
            } else {
                notes.append("\(set) \(levels.count == 1 ? "asks" : "ask") for bfloat16, but this processor has no AVX512-BF16 instructions: products run in float32 (no emulation)")
            }
        }
        self.training = training
        self.evaluation = evaluation
        self.notes = notes
        evaluationLabel = evaluation == .bfloat16 ? "bfloat16 (val_amp_level \(precision.valAmpLevel.rawValue))" : "float32"
        switch (training, evaluation) {
        case (.float32, .float32): label = "float32"
        case (.bfloat16, .bfloat16) where precision.ampLevel == precision.valAmpLevel:
            label = "bfloat16 (amp_level \(precision.ampLevel.rawValue))"
        default:
            label = "training \(training.rawValue)" + (training == .bfloat16 ? " (amp_level \(precision.ampLevel.rawValue))" : "")
                + ", evaluation \(evaluation.rawValue)" + (evaluation == .bfloat16 ? " (val_amp_level \(precision.valAmpLevel.rawValue))" : "")
        }
    }
}
