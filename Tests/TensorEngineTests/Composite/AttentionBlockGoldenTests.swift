import Testing
import TensorEngine

/// A multi-head self-attention block composed from engine ops — qkv projection, head split,
/// softmax(q·kᵀ/√d + gathered relative-position bias)·v, head merge, output projection — against
/// PyTorch's values and gradients for the input and every parameter (`Fixtures/attention.json`).
@Suite struct AttentionBlockGoldenTests {
    static func block(_ inputs: [Tensor], heads: Int, index: [Int32]) -> Tensor {
        let (x, qkvWeight, qkvBias, projWeight, projBias, table) = (inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5])
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        let d = c / heads
        let parts = x.linear(weight: qkvWeight, bias: qkvBias)
            .reshaped([b, l, 3, heads, d])
            .permuted([2, 0, 3, 1, 4])
            .split(sizes: [1, 1, 1], axis: 0)
            .map { $0.reshaped([b, heads, l, d]) }
        let bias = table.gatherRows(index, indexShape: [l, l]).permuted([2, 0, 1])   // [heads, L, L]
        let scores = parts[0].reshaped([b * heads, l, d]).matmul(parts[1].reshaped([b * heads, l, d]), transposeOther: true)
            .reshaped([b, heads, l, l]) * (1 / Float(d).squareRoot()) + bias
        let attended = scores.softmax(axis: -1).reshaped([b * heads, l, l]).matmul(parts[2].reshaped([b * heads, l, d]))
        let merged = attended.reshaped([b, heads, l, d]).permuted([0, 2, 1, 3]).reshaped([b, l, c])
        return merged.linear(weight: projWeight, bias: projBias)
    }

    @Test func matchesPyTorch() throws {
        let fixture = try GoldenFixture.load("attention")
        let golden = try #require(fixture.cases["window_block"])
        let heads = golden.integers("heads")[0]
        let index = golden.integers("index").map(Int32.init)
        expectMatchesGolden(golden, inputs: ["x", "qkv_weight", "qkv_bias", "proj_weight", "proj_bias", "bias_table"],
                            tolerance: 1e-5) { Self.block($0, heads: heads, index: index) }
    }

    @Test func gradientsMatchFiniteDifferences() {
        var data = TestData(seed: 21)
        let index: [Int32] = (0..<16).map { Int32(($0 * 7) % 5) }
        let inputs = [data.normal([2, 4, 6]), data.normal([18, 6], std: 0.3), data.normal([18], std: 0.1),
                      data.normal([6, 6], std: 0.3), data.normal([6], std: 0.1), data.normal([5, 2], std: 0.5)]
        expectGradientsMatch(inputs) { Self.block($0, heads: 2, index: index) }
    }
}
