import Foundation
import Testing
import TensorEngine

/// PyTorch golden values written by `tools/make_golden.py`: per case, float32 inputs and
/// parameters, the output, an upstream gradient and the gradient of every input.
struct GoldenFixture: Decodable {
    struct StoredTensor: Decodable {
        let shape: [Int]
        let values: [Float]
        var tensor: Tensor { Tensor(shape: shape, values: values) }
    }

    struct Case: Decodable {
        let attrs: [String: AttributeValue]
        let tensors: [String: StoredTensor]

        /// A stored tensor by name; records an issue (and returns an empty tensor) when missing.
        func tensor(_ name: String) -> Tensor {
            guard let stored = tensors[name] else {
                Issue.record("fixture case has no tensor \(name)")
                return Tensor.zeros([0])
            }
            return stored.tensor
        }

        func values(_ name: String) -> [Float] { tensors[name]?.values ?? [] }

        func integers(_ name: String) -> [Int] {
            if case .numbers(let values) = attrs[name] { return values.map { Int($0) } }
            if case .number(let value) = attrs[name] { return [Int(value)] }
            return []
        }

        func number(_ name: String) -> Double? {
            if case .number(let value) = attrs[name] { return value }
            return nil
        }
    }

    /// A case attribute: a number or a list of numbers.
    enum AttributeValue: Decodable {
        case number(Double)
        case numbers([Double])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else {
                self = .numbers(try container.decode([Double].self))
            }
        }
    }

    let generator: String
    let torch: String
    let cases: [String: Case]

    /// Loads `Fixtures/<family>.json` from the test bundle.
    static func load(_ family: String) throws -> GoldenFixture {
        guard let url = Bundle.module.url(forResource: family, withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureError.missing(family)
        }
        return try JSONDecoder().decode(GoldenFixture.self, from: Data(contentsOf: url))
    }

    enum FixtureError: Error, CustomStringConvertible {
        case missing(String)
        var description: String {
            switch self {
            case .missing(let family): "Fixtures/\(family).json is missing; run tools/make_golden.py"
            }
        }
    }
}

/// Runs `function` on the case's named inputs (as leaves needing gradients), compares the output
/// with PyTorch's and, after backward from the stored upstream gradient, every input's gradient.
func expectMatchesGolden(_ golden: GoldenFixture.Case, inputs names: [String], tolerance: Float = 1e-4,
                         sourceLocation: SourceLocation = #_sourceLocation,
                         _ function: ([Tensor]) -> Tensor) {
    let inputs = names.map { golden.tensor($0).requiringGrad() }
    Tape.discard()
    let output = function(inputs)
    #expect(output.shape == golden.tensors["output"]?.shape, "output shape", sourceLocation: sourceLocation)
    expectClose(output.scalars, golden.values("output"), tolerance: tolerance, sourceLocation: sourceLocation)
    output.backward(gradient: golden.tensor("upstream"))
    for (name, input) in zip(names, inputs) {
        #expect(input.grad != nil, "no gradient for \(name)", sourceLocation: sourceLocation)
        expectClose(input.grad?.scalars ?? [], golden.values("grad_" + name), tolerance: tolerance,
                    sourceLocation: sourceLocation)
    }
}
