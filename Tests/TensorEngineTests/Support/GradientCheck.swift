import Testing
import TensorEngine

/// The outcome of comparing analytic gradients with central finite differences.
struct GradientCheckReport: CustomStringConvertible {
    struct Mismatch {
        let input: Int
        let element: Int
        let analytic: Double
        let numeric: Double
    }
    var checked = 0
    var mismatches: [Mismatch] = []
    var passed: Bool { mismatches.isEmpty }
    var description: String {
        let worst = mismatches.prefix(5).map {
            "input \($0.input)[\($0.element)]: analytic \($0.analytic), numeric \($0.numeric)"
        }
        return "\(mismatches.count) of \(checked) elements differ" + (worst.isEmpty ? "" : ": " + worst.joined(separator: "; "))
    }
}

/// Compares the gradients the tape computes for `function` with central finite differences.
///
/// The scalar checked is `Σ function(inputs) ⊙ R` for a fixed random `R`, so every output
/// element contributes with its own weight. At most `maxElementsPerInput` elements of each input
/// are perturbed (spread evenly). Tolerances suit Float32 with `epsilon` ≈ 1e-2 on smooth functions.
func gradientCheck(_ inputs: [Tensor], epsilon: Float = 1e-2, relativeTolerance: Double = 2e-2,
                   absoluteTolerance: Double = 2e-3, maxElementsPerInput: Int = 64, seed: UInt64 = 7,
                   _ function: ([Tensor]) -> Tensor) -> GradientCheckReport {
    for input in inputs { input.requiringGrad(); input.zeroGrad() }
    Tape.discard()
    let output = function(inputs)
    var generator = RandomGenerator(seed: seed)
    let projection = Tensor.normal(output.shape, using: &generator)
    (output * projection).sum().backward()
    let analytic = inputs.map { $0.grad?.scalars ?? [Float](repeating: 0, count: $0.count) }

    func objective() -> Double {
        Tape.withoutRecording {
            let value = function(inputs)
            var total = 0.0
            for i in 0..<value.count { total += Double(value.data[i]) * Double(projection.data[i]) }
            return total
        }
    }

    var report = GradientCheckReport()
    for (inputIndex, input) in inputs.enumerated() {
        let stepCount = max(1, input.count / maxElementsPerInput)
        for element in stride(from: 0, to: input.count, by: stepCount) {
            let saved = input.data[element]
            input.data[element] = saved + epsilon
            let plus = objective()
            input.data[element] = saved - epsilon
            let minus = objective()
            input.data[element] = saved
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let value = Double(analytic[inputIndex][element])
            report.checked += 1
            if abs(value - numeric) > absoluteTolerance + relativeTolerance * max(abs(value), abs(numeric)) {
                report.mismatches.append(.init(input: inputIndex, element: element, analytic: value, numeric: numeric))
            }
        }
    }
    for input in inputs { input.zeroGrad() }
    return report
}

/// Asserts that `function`'s gradients match finite differences.
func expectGradientsMatch(_ inputs: [Tensor], epsilon: Float = 1e-2, relativeTolerance: Double = 2e-2,
                          absoluteTolerance: Double = 2e-3, maxElementsPerInput: Int = 64,
                          sourceLocation: SourceLocation = #_sourceLocation,
                          _ function: ([Tensor]) -> Tensor) {
    let report = gradientCheck(inputs, epsilon: epsilon, relativeTolerance: relativeTolerance,
                               absoluteTolerance: absoluteTolerance, maxElementsPerInput: maxElementsPerInput,
                               function)
    #expect(report.passed, "\(report)", sourceLocation: sourceLocation)
}

/// Seeded random tensors for tests.
struct TestData {
    var generator: RandomGenerator
    init(seed: UInt64 = 1) { generator = RandomGenerator(seed: seed) }

    mutating func normal(_ shape: [Int], std: Float = 1) -> Tensor {
        Tensor.normal(shape, std: std, using: &generator)
    }

    mutating func uniform(_ shape: [Int], _ low: Float, _ high: Float) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, using: &generator)
    }

    /// Values at least `gap` away from zero (for kinks such as ReLU's and |x|'s).
    mutating func awayFromZero(_ shape: [Int], gap: Float = 0.05) -> Tensor {
        let t = normal(shape)
        for i in 0..<t.count where abs(t.data[i]) < gap { t.data[i] = t.data[i] < 0 ? -gap - 0.1 : gap + 0.1 }
        return t
    }
}

/// Asserts two float arrays agree within `tolerance` (absolute, plus the same relative).
func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    var worst: (index: Int, error: Float) = (-1, 0)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let error = abs(a - e) / (1 + abs(e))
        if !(error <= worst.error) || error.isNaN { worst = (i, error.isNaN ? .infinity : error) }
    }
    #expect(worst.error <= tolerance,
            "worst element \(worst.index): \(worst.index >= 0 ? actual[worst.index] : 0) vs \(worst.index >= 0 ? expected[worst.index] : 0)",
            sourceLocation: sourceLocation)
}
