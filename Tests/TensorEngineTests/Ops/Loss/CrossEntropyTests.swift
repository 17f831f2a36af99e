import Foundation
import Testing
import TensorEngine

@Suite struct CrossEntropyTests {
    /// log softmax of each row, in double precision.
    static func logProbabilities(_ logits: Tensor) -> [[Double]] {
        let classes = logits.shape[1]
        return (0..<logits.shape[0]).map { row in
            let x = (0..<classes).map { Double(logits.data[row * classes + $0]) }
            let maximum = x.max()!
            let logSum = maximum + Foundation.log(x.map { Foundation.exp($0 - maximum) }.reduce(0, +))
            return x.map { $0 - logSum }
        }
    }

    /// mean over rows of −Σ_c target_c · log p_c.
    static func reference(_ logits: Tensor, targets: [[Double]]) -> Float {
        let logP = logProbabilities(logits)
        var total = 0.0
        for (rowLogP, rowTarget) in zip(logP, targets) {
            for (l, t) in zip(rowLogP, rowTarget) { total -= l * t }
        }
        return Float(total / Double(logP.count))
    }

    static func smoothedOneHot(_ labels: [Int32], classes: Int, smoothing: Double) -> [[Double]] {
        labels.map { label in (0..<classes).map { (1 - smoothing) * ($0 == Int(label) ? 1 : 0) + smoothing / Double(classes) } }
    }

    @Test func handComputedValue() {
        // Row 0: log(e⁰ + e¹ + e²) − 2 = 0.407606; row 1: log 3 − 0 = 1.098612.
        let logits = Tensor(shape: [2, 3], values: [0, 1, 2, 5, 5, 5])
        let loss = Tensor.crossEntropy(logits: logits, labels: [2, 1])
        #expect(abs(loss.item - (0.407_605_96 + 1.098_612_3) / 2) < 1e-6)
        // With ε = 0.3 the target of row 0 is (0.1, 0.1, 0.8).
        let smoothed = Tensor.crossEntropy(logits: logits, labels: [2, 1], labelSmoothing: 0.3)
        let row0 = 0.1 * 2.407_606 + 0.1 * 1.407_606 + 0.8 * 0.407_606
        #expect(abs(smoothed.item - Float((row0 + 1.098_612_3) / 2)) < 1e-6)
    }

    @Test(arguments: [(4, 1), (5, 3), (3, 10), (7, 17), (64, 1000)])
    func valuesMatchReference(rows: Int, classes: Int) {
        var data = TestData(seed: 91)
        let logits = data.normal([rows, classes], std: 3)
        let labels = (0..<rows).map { Int32(($0 * 7 + 3) % classes) }
        for smoothing in [0.0, 0.1, 1.0] {
            let loss = Tensor.crossEntropy(logits: logits, labels: labels, labelSmoothing: Float(smoothing))
            let expected = Self.reference(logits, targets: Self.smoothedOneHot(labels, classes: classes, smoothing: smoothing))
            #expect(abs(loss.item - expected) <= 2e-6 * max(1, abs(expected)), "ε = \(smoothing): \(loss.item) vs \(expected)")
        }
        let soft = data.uniform([rows, classes], 0, 1)
        let loss = Tensor.crossEntropy(logits: logits, softTargets: soft)
        let expected = Self.reference(logits, targets: (0..<rows).map { r in (0..<classes).map { Double(soft.data[r * classes + $0]) } })
        #expect(abs(loss.item - expected) <= 2e-6 * max(1, abs(expected)), "soft: \(loss.item) vs \(expected)")
    }

    @Test func backwardIsSoftmaxMinusTargetOverN() {
        var data = TestData(seed: 92)
        let logits = data.normal([6, 11]).requiringGrad()
        let labels: [Int32] = [0, 10, 3, 3, 7, 5]
        Tensor.crossEntropy(logits: logits, labels: labels, labelSmoothing: 0.2).backward()
        let target = Self.smoothedOneHot(labels, classes: 11, smoothing: 0.2)
        let expected = Self.logProbabilities(logits).enumerated().flatMap { row, logP in
            logP.enumerated().map { Float((Foundation.exp($0.element) - target[row][$0.offset]) / 6) }
        }
        expectClose(logits.grad?.scalars ?? [], expected, tolerance: 1e-7)
    }

    @Test(arguments: [(3, 1), (4, 5), (2, 17)])
    func gradients(rows: Int, classes: Int) {
        var data = TestData(seed: 93)
        let logits = data.normal([rows, classes], std: 2)
        let labels = (0..<rows).map { Int32(($0 * 5 + 1) % classes) }
        for smoothing: Float in [0, 0.1] {
            expectGradientsMatch([logits]) { Tensor.crossEntropy(logits: $0[0], labels: labels, labelSmoothing: smoothing) }
        }
        // Mixup-like targets (rows sum to 1) and unnormalised ones; both inputs differentiable.
        let mixed = data.uniform([rows, classes], 0, 1)
        expectGradientsMatch([logits, mixed]) { Tensor.crossEntropy(logits: $0[0], softTargets: $0[1]) }
        let oneHot = Tensor(shape: [rows, classes],
                            values: (0..<rows * classes).map { $0 % classes == Int(labels[$0 / classes]) ? 1 : 0 })
        #expect(abs(Tensor.crossEntropy(logits: logits, softTargets: oneHot).item
                    - Tensor.crossEntropy(logits: logits, labels: labels).item) < 1e-6)
    }

    @Test func labelOutOfRangeNamesLabelAndClassCount() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.crossEntropy(logits: Tensor.zeros([2, 5]), labels: [1, 5])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("crossEntropy: label 5 of row 1 is outside 0..<5 (C = 5 classes)"), "\(message)")
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.crossEntropy(logits: Tensor.zeros([2, 5]), labels: [-1, 0])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("crossEntropy: label -1 of row 0 is outside 0..<5"), "\(message)")
        }
    }

    @Test func mismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.crossEntropy(logits: Tensor.zeros([2, 5]), labels: [1, 2, 3])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("crossEntropy: shape mismatch between [2, 5] and [3]"), "\(message)")
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.crossEntropy(logits: Tensor.zeros([2, 5]), softTargets: Tensor.zeros([2, 4]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("crossEntropy: shape mismatch between [2, 5] and [2, 4]"), "\(message)")
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.crossEntropy(logits: Tensor.zeros([2, 5, 1]), labels: [1, 2])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("crossEntropy: logits must be [N, C] with C ≥ 1, got [2, 5, 1]"), "\(message)")
        }
    }
}
