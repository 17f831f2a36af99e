import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// A model-parity case written by `tools/make_parity.py`: weights under the source's names, an
/// input, PyTorch's logits and the gradients of `Σ logits ⊙ upstream`.
struct ParityFixture {
    let file: Safetensors.File
    let config: [String: Any]

    init(_ name: String) throws {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"),
                               "Fixtures/\(name).safetensors is missing; run tools/make_parity.py")
        file = try Safetensors.read(url)
        let json = try #require(file.metadata["config"])
        config = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    func int(_ key: String) -> Int? { (config[key] as? NSNumber)?.intValue }

    /// An integer or a list of integers (timm accepts either for window sizes).
    func ints(_ key: String, count: Int) -> [Int]? {
        if let list = config[key] as? [NSNumber] { return list.map(\.intValue) }
        if let single = int(key) { return Array(repeating: single, count: count) }
        return nil
    }

    /// `weights.*` entries renamed by `rename` (nil drops the entry).
    func weights(_ rename: (String) -> String? = { $0 }) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for entry in file.entries where entry.name.hasPrefix("weights.") {
            if let name = rename(String(entry.name.dropFirst("weights.".count))) { result[name] = entry.tensor() }
        }
        return result
    }

    func tensor(_ name: String) throws -> Tensor { try #require(file[name]).tensor() }

    /// PyTorch's gradient for a parameter, by the source's name.
    func gradient(_ name: String) -> Tensor? { file["grad." + name]?.tensor() }
}

/// Largest `|a − e| / (scale + |e|)` over the elements, with `scale` the largest |e|·1e-2 floor,
/// so that elements near zero are judged against the tensor's own magnitude.
func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    guard actual.count == expected.count else { return .infinity }
    let magnitude = expected.map(abs).max() ?? 0
    let floor = max(magnitude * 1e-2, 1e-6)
    var worst: Float = 0
    for (a, e) in zip(actual, expected) {
        let error = abs(a - e) / (floor + abs(e))
        if error.isNaN { return .infinity }
        worst = max(worst, error)
    }
    return worst
}
