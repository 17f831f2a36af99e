import Testing
import TensorEngine

@Suite struct LayerNormTests {
    /// Naive layer norm over the last axis in Double: output, and gradients for an upstream `g`.
    static func reference(_ x: [Float], channels c: Int, weight: [Float]?, bias: [Float]?, epsilon: Double = 1e-5,
                          upstream g: [Float]? = nil) -> (output: [Float], dx: [Float], dw: [Float], db: [Float]) {
        let rows = x.count / c
        var y = [Float](repeating: 0, count: x.count), dx = y
        var dw = [Double](repeating: 0, count: c), db = dw
        for r in 0..<rows {
            let row = (0..<c).map { Double(x[r * c + $0]) }
            let mean = row.reduce(0, +) / Double(c)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(c)
            let rstd = 1 / (variance + epsilon).squareRoot()
            let xhat = row.map { ($0 - mean) * rstd }
            for j in 0..<c {
                y[r * c + j] = Float(xhat[j] * Double(weight?[j] ?? 1) + Double(bias?[j] ?? 0))
            }
            guard let g else { continue }
            let gr = (0..<c).map { Double(g[r * c + $0]) }
            let ghat = (0..<c).map { gr[$0] * Double(weight?[$0] ?? 1) }
            let meanG = ghat.reduce(0, +) / Double(c)
            let meanGX = zip(ghat, xhat).map(*).reduce(0, +) / Double(c)
            for j in 0..<c {
                dx[r * c + j] = Float(rstd * (ghat[j] - meanG - xhat[j] * meanGX))
                dw[j] += gr[j] * xhat[j]
                db[j] += gr[j]
            }
        }
        return (y, dx, dw.map { Float($0) }, db.map { Float($0) })
    }

    @Test(arguments: [[2, 5, 12], [3, 96], [4, 7], [2, 1000], [37, 768], [5, 1]])
    func valuesMatchNaiveReference(shape: [Int]) {
        var data = TestData(seed: 11)
        let c = shape.last!
        let x = data.normal(shape, std: 3) + 5, w = data.normal([c]), b = data.normal([c])
        expectClose(x.layerNorm(weight: w, bias: b).scalars,
                    Self.reference(x.scalars, channels: c, weight: w.scalars, bias: b.scalars).output, tolerance: 1e-5)
        expectClose(x.layerNorm(weight: nil, bias: nil).scalars,
                    Self.reference(x.scalars, channels: c, weight: nil, bias: nil).output, tolerance: 1e-5)
        expectClose(x.layerNorm(weight: w, bias: nil, epsilon: 0.1).scalars,
                    Self.reference(x.scalars, channels: c, weight: w.scalars, bias: nil, epsilon: 0.1).output, tolerance: 1e-5)
        expectClose(x.layerNorm(weight: nil, bias: b).scalars,
                    Self.reference(x.scalars, channels: c, weight: nil, bias: b.scalars).output, tolerance: 1e-5)
    }

    /// Many rows, so the parameter gradients are summed across several chunks and threads.
    @Test(arguments: [[64, 96], [1000, 13], [9, 768]])
    func backwardMatchesNaiveReference(shape: [Int]) {
        var data = TestData(seed: 12)
        let c = shape.last!
        let x = data.normal(shape).requiringGrad(), w = data.normal([c]).requiringGrad(), b = data.normal([c]).requiringGrad()
        let g = data.normal(shape)
        x.layerNorm(weight: w, bias: b).backward(gradient: g)
        let expected = Self.reference(x.scalars, channels: c, weight: w.scalars, bias: b.scalars, upstream: g.scalars)
        expectClose(x.grad?.scalars ?? [], expected.dx, tolerance: 1e-4)
        expectClose(w.grad?.scalars ?? [], expected.dw, tolerance: 1e-4)
        expectClose(b.grad?.scalars ?? [], expected.db, tolerance: 1e-4)
    }

    @Test(arguments: [[3, 4, 13], [2, 8], [5, 24]])
    func gradients(shape: [Int]) {
        var data = TestData(seed: 13)
        let c = shape.last!
        let x = data.normal(shape), w = data.normal([c]), b = data.normal([c])
        expectGradientsMatch([x, w, b]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        expectGradientsMatch([x]) { $0[0].layerNorm(weight: nil, bias: nil) }
        expectGradientsMatch([x, w]) { $0[0].layerNorm(weight: $0[1], bias: nil) }
        expectGradientsMatch([x, b]) { $0[0].layerNorm(weight: nil, bias: $0[1]) }
    }

    @Test func gradientsOfParametersOnly() {
        var data = TestData(seed: 14)
        let x = data.normal([6, 10]), w = data.normal([10]), b = data.normal([10])
        expectGradientsMatch([w, b]) { x.layerNorm(weight: $0[0], bias: $0[1]) }
    }

    @Test(arguments: ["rows_c12", "rows_c96", "odd_c7"])
    func matchesPyTorch(caseName: String) throws {
        let fixture = try GoldenFixture.load("layer_norm")
        let golden = try #require(fixture.cases[caseName])
        let epsilon = Float(golden.number("epsilon") ?? 1e-5)
        expectMatchesGolden(golden, inputs: ["x", "weight", "bias"]) {
            $0[0].layerNorm(weight: $0[1], bias: $0[2], epsilon: epsilon)
        }
    }

    @Test func mismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).layerNorm(weight: Tensor.ones([4]), bias: nil)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("layerNorm: shape mismatch between [2, 3] and [4]"), "\(message)")
        }
    }
}
