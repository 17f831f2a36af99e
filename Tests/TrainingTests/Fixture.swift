import Foundation
import Testing
import TensorEngine

/// The reference values written by tools/make_training_fixtures.py (PyTorch, timm, MindCV).
enum Fixture {
    nonisolated(unsafe) static let root: [String: Any] = {
        let url = Bundle.module.url(forResource: "training", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func section(_ name: String) -> [String: Any] { root[name] as! [String: Any] }
}

func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map(\.floatValue) }
func doubles(_ value: Any?) -> [Double] { (value as! [NSNumber]).map(\.doubleValue) }

/// Checks `actual` against `expected` element-wise within `absolute + relative·|expected|`.
func expectClose(_ actual: [Float], _ expected: [Float], absolute: Float = 1e-6, relative: Float = 1e-5,
                 _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(context): \(actual.count) vs \(expected.count) values", sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= absolute + relative * abs(e)) {
        Issue.record("\(context)[\(index)]: \(a) vs expected \(e)", sourceLocation: sourceLocation)
        return
    }
}

func expectClose(_ actual: [Double], _ expected: [Double], absolute: Double = 1e-12, relative: Double = 1e-9,
                 _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(context): \(actual.count) vs \(expected.count) values", sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= absolute + relative * abs(e)) {
        Issue.record("\(context)[\(index)]: \(a) vs expected \(e)", sourceLocation: sourceLocation)
        return
    }
}
