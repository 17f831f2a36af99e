import Testing
import TensorEngine

@Suite struct MatMulTests {
    /// Naive product for reference, `[M, K] · [K, N]`.
    static func reference(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    @Test func valuesMatchNaiveProduct() {
        var data = TestData(seed: 5)
        for (m, k, n) in [(3, 4, 5), (130, 70, 33), (8, 300, 200)] {
            let a = data.normal([m, k]), b = data.normal([k, n])
            expectClose(a.matmul(b).scalars, Self.reference(a.scalars, b.scalars, m: m, k: k, n: n), tolerance: 1e-4)
            expectClose(a.transposedLastTwo().matmul(b, transposeSelf: true).scalars, a.matmul(b).scalars, tolerance: 1e-4)
            expectClose(a.matmul(b.transposedLastTwo(), transposeOther: true).scalars, a.matmul(b).scalars, tolerance: 1e-4)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gradients(transposeSelf: Bool, transposeOther: Bool) {
        var data = TestData(seed: 6)
        let a = data.normal(transposeSelf ? [2, 4, 3] : [2, 3, 4])
        let b = data.normal(transposeOther ? [2, 5, 4] : [2, 4, 5])
        expectGradientsMatch([a, b]) { $0[0].matmul($0[1], transposeSelf: transposeSelf, transposeOther: transposeOther) }
        let shared = data.normal(transposeOther ? [5, 4] : [4, 5])
        expectGradientsMatch([a, shared]) { $0[0].matmul($0[1], transposeSelf: transposeSelf, transposeOther: transposeOther) }
        // The scale folded into the GEMM: the same values as scaling afterwards, and its gradients.
        let scaled = a.matmul(b, transposeSelf: transposeSelf, transposeOther: transposeOther, scale: 0.37)
        let reference = a.matmul(b, transposeSelf: transposeSelf, transposeOther: transposeOther) * 0.37
        expectClose(scaled.scalars, reference.scalars, tolerance: 1e-6)
        expectGradientsMatch([a, b]) { $0[0].matmul($0[1], transposeSelf: transposeSelf, transposeOther: transposeOther, scale: 0.37) }
        expectGradientsMatch([a, shared]) { $0[0].matmul($0[1], transposeSelf: transposeSelf, transposeOther: transposeOther, scale: -1.5) }
    }

    @Test func linearGradients() {
        var data = TestData(seed: 8)
        let x = data.normal([2, 3, 6]), w = data.normal([4, 6]), b = data.normal([4])
        expectGradientsMatch([x, w, b]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        expectGradientsMatch([x, w]) { $0[0].linear(weight: $0[1]) }
    }

    @Test func mismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("matmul: shape mismatch between [2, 3] and [4, 5]"), "\(message)")
        }
    }
}
