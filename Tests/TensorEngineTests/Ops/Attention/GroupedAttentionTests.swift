import Foundation
import Testing
@testable import TensorEngine

@Suite struct GroupedAttentionTests {
    /// One attention layout: where query, key and value rows and columns are, and the groups.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let heads: Int, d: Int
        let queryShape: [Int], keyShape: [Int]
        /// Query, key and value in one tensor (columns 0, C, 2C), or query alone and key/value
        /// together (columns 0 and C of the second tensor).
        let fusedProjection: Bool
        let queryGroups: TokenGroups, keyGroups: TokenGroups
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Twins' locally grouped attention: 7 × 7 windows of a 14 × 14 map, straight from qkv.
        Case(name: "windows of a token map", heads: 2, d: 32, queryShape: [2 * 196, 3 * 64], keyShape: [2 * 196, 3 * 64],
             fusedProjection: true, queryGroups: .windows(batch: 2, height: 14, width: 14, window: 7),
             keyGroups: .windows(batch: 2, height: 14, width: 14, window: 7)),
        // SwinV2's partitioned windows of 16 tokens.
        Case(name: "consecutive windows", heads: 3, d: 16, queryShape: [6 * 16, 3 * 48], keyShape: [6 * 16, 3 * 48],
             fusedProjection: true, queryGroups: .consecutive(groups: 6, tokens: 16), keyGroups: .consecutive(groups: 6, tokens: 16)),
        // Twins' global sub-sampled attention: 130 queries per image (three blocks, the last of 2) over 49 keys.
        Case(name: "global over reduced keys", heads: 2, d: 16, queryShape: [2 * 130, 32], keyShape: [2 * 49, 64],
             fusedProjection: false, queryGroups: .consecutive(groups: 2, tokens: 130), keyGroups: .consecutive(groups: 2, tokens: 49)),
        // Rows in no group: their output and gradients are zero.
        Case(name: "rows outside every group", heads: 1, d: 64, queryShape: [40, 64], keyShape: [30, 128],
             fusedProjection: false, queryGroups: TokenGroups(groupStarts: [0, 20], tokenOffsets: [0, 2, 4, 6, 8, 10, 12]),
             keyGroups: TokenGroups(groupStarts: [3, 17], tokenOffsets: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])),
    ]

    struct Operands {
        let query: Tensor, keyValue: Tensor
        let fusedProjection: Bool, width: Int

        func attention(_ c: Case, fused: Bool, query q: Tensor? = nil, keyValue kv: Tensor? = nil) -> Tensor {
            let q = q ?? query, kv = kv ?? keyValue
            let scale = 1 / Float(c.d).squareRoot()
            if fusedProjection {
                return Tensor.groupedAttention(query: .init(q), key: .init(q, column: width), value: .init(q, column: 2 * width),
                                               heads: c.heads, headDimension: c.d, queryGroups: c.queryGroups,
                                               keyGroups: c.keyGroups, scale: scale, allowFused: fused)
            }
            return Tensor.groupedAttention(query: .init(q), key: .init(kv), value: .init(kv, column: width),
                                           heads: c.heads, headDimension: c.d, queryGroups: c.queryGroups,
                                           keyGroups: c.keyGroups, scale: scale, allowFused: fused)
        }
    }

    static func operands(_ c: Case, seed: UInt64) -> Operands {
        var data = TestData(seed: seed)
        let query = data.normal(c.queryShape)
        return Operands(query: query, keyValue: c.fusedProjection ? query : data.normal(c.keyShape),
                        fusedProjection: c.fusedProjection, width: c.heads * c.d)
    }

    /// The attention from its definition, in Double.
    static func reference(_ c: Case, _ x: Operands) -> [Float] {
        let width = c.heads * c.d, scale = 1 / Double(c.d).squareRoot()
        let q = x.query.scalars, kv = x.keyValue.scalars
        let qStride = x.query.shape[1], kvStride = x.keyValue.shape[1]
        let (keyColumn, valueColumn) = c.fusedProjection ? (width, 2 * width) : (0, width)
        var out = [Float](repeating: 0, count: x.query.shape[0] * width)
        for g in 0..<c.queryGroups.groups {
            for h in 0..<c.heads {
                let keyRows = (0..<c.keyGroups.tokens).map { c.keyGroups.row(g, $0) }
                for token in 0..<c.queryGroups.tokens {
                    let row = c.queryGroups.row(g, token)
                    let scores = keyRows.map { keyRow in
                        (0..<c.d).reduce(0.0) { $0 + Double(q[row * qStride + h * c.d + $1]) * Double(kv[keyRow * kvStride + keyColumn + h * c.d + $1]) } * scale
                    }
                    let top = scores.max()!
                    let weights = scores.map { Foundation.exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for e in 0..<c.d {
                        var sum = 0.0
                        for (j, keyRow) in keyRows.enumerated() { sum += weights[j] / total * Double(kv[keyRow * kvStride + valueColumn + h * c.d + e]) }
                        out[row * width + h * c.d + e] = Float(sum)
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: cases)
    func fusedAndComposedMatchTheDefinition(_ c: Case) {
        let x = Self.operands(c, seed: 51)
        let reference = Self.reference(c, x)
        expectClose(x.attention(c, fused: true).scalars, reference, tolerance: 2e-5)
        expectClose(x.attention(c, fused: false).scalars, reference, tolerance: 2e-5)
    }

    @Test(arguments: cases)
    func fusedGradientsEqualComposedGradients(_ c: Case) {
        let x = Self.operands(c, seed: 52)
        var data = TestData(seed: 53)
        let upstream = data.normal([x.query.shape[0], c.heads * c.d])
        func gradients(fused: Bool) -> [[Float]] {
            let q = x.query.copy().requiringGrad()
            let kv = c.fusedProjection ? q : x.keyValue.copy().requiringGrad()
            x.attention(c, fused: fused, query: q, keyValue: kv).backward(gradient: upstream)
            return c.fusedProjection ? [q.grad!.scalars] : [q.grad!.scalars, kv.grad!.scalars]
        }
        for (fused, composed) in zip(gradients(fused: true), gradients(fused: false)) {
            expectClose(fused, composed, tolerance: 2e-5)
        }
    }

    /// Both paths count Q·Kᵀ and P·V forward and the four products of the backward pass, at the
    /// groups' real sizes (the fused tile's padding and recomputed probabilities not counted), so a
    /// model's FLOPs do not depend on the path its attention takes.
    @Test(arguments: cases)
    func fusedAndComposedCountTheSameFLOPs(_ c: Case) {
        let x = Self.operands(c, seed: 54)
        let product = 2 * c.queryGroups.groups * c.heads * c.queryGroups.tokens * c.keyGroups.tokens * c.d
        for fused in [true, false] {
            let q = x.query.copy().requiringGrad()
            let kv = c.fusedProjection ? q : x.keyValue.copy().requiringGrad()
            let (out, forward) = FlopCounter.measure { x.attention(c, fused: fused, query: q, keyValue: kv) }
            #expect(forward == 2 * product, "fused: \(fused)")
            let backward = FlopCounter.measure { out.backward(gradient: Tensor.full(out.shape, 0.5)) }.flops
            #expect(backward == 4 * product, "fused: \(fused)")
        }
    }

    @Test func fusedGradientsMatchFiniteDifferences() {
        let c = Case(name: "small", heads: 2, d: 16, queryShape: [2 * 5, 32], keyShape: [2 * 7, 64], fusedProjection: false,
                     queryGroups: .consecutive(groups: 2, tokens: 5), keyGroups: .consecutive(groups: 2, tokens: 7))
        let x = Self.operands(c, seed: 54)
        expectGradientsMatch([x.query, x.keyValue], maxElementsPerInput: 96) {
            x.attention(c, fused: true, query: $0[0], keyValue: $0[1])
        }
    }

    /// SwinV2's logits: cosine similarity times a per-head temperature, a position bias per head,
    /// and a mask per window (group g uses window g % windows).
    struct CosineCase: CustomTestStringConvertible, Sendable {
        let heads: Int, d: Int, windows: Int, groups: Int, tokens: Int, masked: Bool
        var testDescription: String { "\(groups) groups of \(tokens), \(heads) heads of \(d)\(masked ? ", masked" : "")" }
    }

    static let cosineCases: [CosineCase] = [
        CosineCase(heads: 2, d: 32, windows: 4, groups: 8, tokens: 16, masked: true),
        CosineCase(heads: 3, d: 16, windows: 1, groups: 3, tokens: 64, masked: false),
        CosineCase(heads: 1, d: 16, windows: 2, groups: 4, tokens: 9, masked: true),
    ]

    static func cosineAttention(_ c: CosineCase, _ qkv: Tensor, _ temperature: Tensor, _ bias: Tensor, _ mask: Tensor?,
                                fused: Bool) -> Tensor {
        let width = c.heads * c.d
        let groups = TokenGroups.consecutive(groups: c.groups, tokens: c.tokens)
        return Tensor.groupedAttention(query: .init(qkv), key: .init(qkv, column: width), value: .init(qkv, column: 2 * width),
                                       heads: c.heads, headDimension: c.d, queryGroups: groups, keyGroups: groups, scale: 1,
                                       logits: .init(temperature: temperature, bias: bias, mask: mask), allowFused: fused)
    }

    @Test(arguments: cosineCases)
    func cosineAttentionWithBiasAndMaskMatchesComposed(_ c: CosineCase) {
        var data = TestData(seed: 55)
        let qkv = data.normal([c.groups * c.tokens, 3 * c.heads * c.d])
        let temperature = Tensor(shape: [c.heads, 1, 1], values: (0..<c.heads).map { 3 + Float($0) * 2.5 })
        let bias = data.normal([c.heads, c.tokens, c.tokens])
        let mask: Tensor? = c.masked
            ? Tensor(shape: [c.windows, c.tokens, c.tokens], values: (0..<(c.windows * c.tokens * c.tokens)).map { $0 % 7 == 3 ? -100 : 0 })
            : nil
        expectClose(Self.cosineAttention(c, qkv, temperature, bias, mask, fused: true).scalars,
                    Self.cosineAttention(c, qkv, temperature, bias, mask, fused: false).scalars, tolerance: 2e-5)

        let upstream = data.normal([c.groups * c.tokens, c.heads * c.d])
        func gradients(fused: Bool) -> [[Float]] {
            let (x, t, b) = (qkv.copy().requiringGrad(), temperature.copy().requiringGrad(), bias.copy().requiringGrad())
            Self.cosineAttention(c, x, t, b, mask, fused: fused).backward(gradient: upstream)
            return [x.grad!.scalars, t.grad!.scalars, b.grad!.scalars]
        }
        for (fused, composed) in zip(gradients(fused: true), gradients(fused: false)) {
            expectClose(fused, composed, tolerance: 5e-5)
        }
    }

    @Test func cosineGradientsMatchFiniteDifferences() {
        let c = CosineCase(heads: 2, d: 16, windows: 2, groups: 2, tokens: 5, masked: true)
        var data = TestData(seed: 56)
        let qkv = data.normal([c.groups * c.tokens, 3 * c.heads * c.d])
        let temperature = Tensor(shape: [2], values: [2, 4])
        let bias = data.normal([c.heads, c.tokens, c.tokens])
        let mask = Tensor(shape: [2, 5, 5], values: (0..<50).map { $0 % 6 == 1 ? -100 : 0 })
        expectGradientsMatch([qkv, temperature, bias], maxElementsPerInput: 96) {
            Self.cosineAttention(c, $0[0], $0[1], $0[2], mask, fused: true)
        }
    }

    @Test func windowGroupsListTheWindowsTokens() {
        let groups = TokenGroups.windows(batch: 2, height: 4, width: 6, window: 2)
        #expect(groups.groups == 12 && Array(groups.rows.prefix(8)) == [0, 1, 6, 7, 2, 3, 8, 9])
        #expect(groups.row(3, 0) == 12 && groups.row(6, 3) == 31)
        // Shifted by one: the first window starts at (1, 1) and the last column wraps to column 0.
        let shifted = TokenGroups.windows(batch: 1, height: 4, width: 6, window: 2, shift: 1)
        #expect(Array(shifted.rows.prefix(4)) == [7, 8, 13, 14] && Array(shifted.rows[8..<12]) == [11, 6, 17, 12])
        #expect(shifted.row(5, 3) == 0)
    }

    @Test func overlappingGroupsAreRefused() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.zeros([8, 48])
            _ = Tensor.groupedAttention(query: .init(x), key: .init(x, column: 16), value: .init(x, column: 32), heads: 1,
                                        headDimension: 16, queryGroups: TokenGroups(groupStarts: [0, 2], tokenOffsets: [0, 1, 2]),
                                        keyGroups: .consecutive(groups: 2, tokens: 3), scale: 1)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("groupedAttention") && message.contains("two groups"), "\(message)")
        }
    }
}
