import Foundation
import Testing
import TensorEngine

@Suite struct SoftmaxTests {
    /// Softmax of each row of `width`, in double precision.
    static func reference(_ x: [Float], width: Int, log: Bool) -> [Float] {
        var out = [Float]()
        for start in stride(from: 0, to: x.count, by: width) {
            let row = x[start..<start + width].map(Double.init)
            let maximum = row.max()!
            let logSum = maximum + Foundation.log(row.map { Foundation.exp($0 - maximum) }.reduce(0, +))
            out += row.map { log ? Float($0 - logSum) : Float(Foundation.exp($0 - logSum)) }
        }
        return out
    }

    /// Widths below, at and above a vector, with and without a tail, and wide rows; widths of
    /// whole sixteen-lane vectors (the AVX-512 kernel's rows, in blocks of 16 rows and a rest).
    @Test(arguments: [[4, 1], [3, 5], [2, 8], [3, 2, 17], [5, 64], [2, 1000], [300, 77],
                      [37, 16], [20, 32], [3, 48], [2, 20, 64]])
    func valuesMatchReference(shape: [Int]) {
        var data = TestData(seed: 61)
        let x = data.normal(shape, std: 4)
        let width = shape.last!
        expectClose(x.softmax().scalars, Self.reference(x.scalars, width: width, log: false), tolerance: 3e-7)
        expectClose(x.logSoftmax().scalars, Self.reference(x.scalars, width: width, log: true), tolerance: 1e-6)
    }

    @Test func largeLogitsDoNotOverflow() {
        let x = Tensor(shape: [2, 3], values: [1000, 1001, 1002, -1000, -1000, -1000])
        expectClose(x.softmax().scalars, [0.090_030_57, 0.244_728_47, 0.665_240_96, 1 / 3, 1 / 3, 1 / 3], tolerance: 1e-6)
        expectClose(x.logSoftmax().scalars, [-2.407_606, -1.407_606, -0.407_606, -1.098_612_3, -1.098_612_3, -1.098_612_3],
                    tolerance: 1e-6)
        // A fully masked row (−∞ everywhere) gives NaN, as in PyTorch.
        #expect(Tensor(shape: [1, 2], values: [-.infinity, -.infinity]).softmax().scalars.allSatisfy { $0.isNaN })
        #expect(Tensor(shape: [1, 3], values: [-.infinity, 0, 0]).softmax().scalars == [0, 0.5, 0.5])
    }

    /// Masked positions (−∞, or a large negative bias as in shifted-window attention) come out as
    /// exact zeros on the four-row path and its tail alike.
    @Test(arguments: [13, 16, 64])
    func maskedPositionsAreExactZeros(width: Int) {
        var data = TestData(seed: 63)
        var values = data.normal([6, width], std: 2).scalars
        for i in stride(from: 0, to: values.count, by: 5) { values[i] = i % 2 == 0 ? -.infinity : -1000 }
        let y = Tensor(shape: [6, width], values: values).softmax().scalars
        for i in stride(from: 0, to: values.count, by: 5) { #expect(y[i] == 0, "element \(i)") }
        for row in 0..<6 {
            let total = y[row * width..<(row + 1) * width].reduce(0, +)
            #expect(abs(total - 1) <= 1e-6, "row \(row) sums to \(total)")
        }
    }

    /// A NaN anywhere in a row, or +∞ in it, or −∞ everywhere, makes that row NaN (as in
    /// PyTorch) and leaves the other rows alone, on every path (rows of 16 and 64 go through the
    /// sixteen-lane kernel on AVX-512 processors).
    @Test(arguments: [13, 16, 64])
    func nonFiniteRowsComeOutNaN(width: Int) {
        var data = TestData(seed: 64)
        var values = data.normal([20, width], std: 2).scalars
        values[1 * width + width / 2] = .nan
        values[3 * width + width - 1] = .infinity
        for j in 0..<width { values[5 * width + j] = -.infinity }
        values[17 * width] = -.nan
        let y = Tensor(shape: [20, width], values: values).softmax().scalars
        for row in 0..<20 {
            let slice = y[row * width..<(row + 1) * width]
            if [1, 3, 5, 17].contains(row) {
                #expect(slice.allSatisfy { $0.isNaN }, "row \(row) should be NaN")
            } else {
                #expect(abs(slice.reduce(0, +) - 1) <= 1e-6, "row \(row) sums to \(slice.reduce(0, +))")
            }
        }
    }

    @Test(arguments: [[3, 1], [2, 5], [2, 3, 9], [2, 33]])
    func gradients(shape: [Int]) {
        var data = TestData(seed: 62)
        let x = data.normal(shape, std: 2)
        expectGradientsMatch([x]) { $0[0].softmax() }
        expectGradientsMatch([x]) { $0[0].logSoftmax(axis: shape.count - 1) }
    }

    @Test func matchesPyTorch() throws {
        let golden = try GoldenFixture.load("softmax")
        for width in [1, 10, 64] {
            expectMatchesGolden(try #require(golden.cases["rows_\(width)"]), inputs: ["x"], tolerance: 1e-6) { $0[0].softmax() }
            expectMatchesGolden(try #require(golden.cases["log_rows_\(width)"]), inputs: ["x"], tolerance: 1e-6) { $0[0].logSoftmax() }
        }
    }

    @Test func onlyTheLastAxis() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).softmax(axis: 0)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("softmax: works along the last axis only; axis 0 of [2, 3] is not the last"), "\(message)")
        }
    }
}
