#if arch(x86_64)
import TensorEngineAVX512
import CKernelIntrinsics
#endif

/// Copies a head's `count` floats (a multiple of 8) as vectors: a `memmove` call per 32-float
/// row cost more than the row's share of the attention arithmetic.
@inline(__always)
func copyHeadRow(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int,
                 scale: Float = 1) {
    var c = 0
    let factor = SIMD8<Float>(repeating: scale)
    while c < count {
        let value = UnsafeRawPointer(source + c).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(destination + c).storeBytes(of: scale == 1 ? value : value * factor, as: SIMD8<Float>.self)
        c += 8
    }
}

/// The sizes of one fused grouped attention (``Tensor/groupedAttention(query:key:value:heads:headDimension:queryGroups:keyGroups:scale:logits:)``
/// on AVX-512 processors) and whether it applies. The passes are in GroupedAttentionForward.swift
/// and GroupedAttentionBackward.swift; this file holds what both use: the per-head factors and
/// additive logits, the gathers of a tile's rows into its buffers, and the cache-line lists the
/// tiles prefetch.
struct GroupedAttentionPlan {
    typealias Operand = Tensor.AttentionOperand
    let query: Operand, key: Operand, value: Operand
    let heads: Int, d: Int
    let queryGroups: TokenGroups, keyGroups: TokenGroups
    let scale: Float
    let logits: Tensor.AttentionLogits
    let queryRowsCovered: Bool, keyRowsCovered: Bool

    /// Query rows per tile: one block of the probabilities is at most 64 × 64.
    static let blockQueries = 64
    /// `F.normalize`'s floor on a norm.
    static let normFloor: Float = 1e-12

    var queries: Int { queryGroups.tokens }
    var keys: Int { keyGroups.tokens }
    /// Keys padded to whole vectors.
    var keyWidth: Int { (keys + 15) / 16 * 16 }
    var blocks: Int { (queries + Self.blockQueries - 1) / Self.blockQueries }
    var cosine: Bool { logits.temperature != nil }
    /// Windows of the mask (1 without one): group `g` adds window `g % windows`.
    var windows: Int { logits.mask?.shape[0] ?? 1 }
    /// Query rows of `block` and the same padded to a multiple of 8.
    func blockRows(_ block: Int) -> (real: Int, padded: Int) {
        let real = min(Self.blockQueries, queries - block * Self.blockQueries)
        return (real, (real + 7) / 8 * 8)
    }

    var fuses: Bool {
        #if arch(x86_64)
        guard ProcessorFeatures.hasAVX512, queries > 0, AttentionTileAVX512.supports(keys: keys, headDimension: d) else { return false }
        // Roles sharing a tensor must use disjoint columns (their gradients are written, not added).
        let roles = [query, key, value]
        for i in 0..<3 {
            for j in (i + 1)..<3 where roles[i].tensor === roles[j].tensor {
                if abs(roles[i].column - roles[j].column) < heads * d { return false }
            }
        }
        return true
        #else
        return false
        #endif
    }
}

#if arch(x86_64)
extension GroupedAttentionPlan {
    /// Per head, what the normalised (or raw) queries are multiplied by: the temperature, or the scale.
    func queryFactors() -> [Float] {
        guard let temperature = logits.temperature else { return [Float](repeating: scale, count: heads) }
        return temperature.scalars
    }

    /// Position bias plus mask per window and head, `[windows, heads, n, m]`, or nil without either.
    func additiveLogits() -> Tensor? {
        if logits.bias == nil && logits.mask == nil { return nil }
        let block = queries * keys
        let table = Tensor(uninitializedShape: [windows * heads * block])
        let tableData = table.data, biasData = logits.bias?.data, maskData = logits.mask?.data
        // SwinV2-T's shifted first stage: 64 windows × 3 heads × 64 × 64 (3 MiB), built on every pass.
        parallelFor(windows * heads, grain: max(1, (1 << 15) / block)) { pairs in
            for pair in pairs {
                let w = pair / heads, h = pair % heads
                let destination = tableData + pair * block
                if let biasData { destination.update(from: biasData + h * block, count: block) }
                else { destination.update(repeating: 0, count: block) }
                if let maskData {
                    let source = maskData + w * block
                    for i in 0..<block { destination[i] += source[i] }
                }
            }
        }
        return table
    }

    /// The additive logits of `group`'s head `head` from query row `first` on.
    func additive(_ table: Tensor?, group: Int, head: Int, first: Int) -> UnsafePointer<Float>? {
        table.map { UnsafePointer($0.data + ((group % windows) * heads + head) * queries * keys + first * keys) }
    }

    /// Multiply-adds × 2 of one `n × m × d` product for every group and head.
    var productFLOPs: Int { 2 * queryGroups.groups * heads * queries * keys * d }

    /// `1 / max(‖row‖, ε)` of a head's `d` floats (cosine attention's normalisation).
    @inline(__always)
    func inverseNorm(_ row: UnsafePointer<Float>) -> Float {
        var sum = SIMD8<Float>()
        var c = 0
        while c < d {
            let value = UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self)
            sum = sum.addingProduct(value, value)
            c += 8
        }
        return 1 / max(sum.sum().squareRoot(), Self.normFloor)
    }

    /// Head `head`'s rows of `operand` for `group`'s keys: `[keyWidth, d]`, padded rows zero;
    /// `normalized` divides each by its norm (keys in cosine attention), noted in `inverseNorms`.
    func gatherRows(of operand: Operand, group: Int, head: Int, normalized: Bool, into buffer: UnsafeMutablePointer<Float>,
                            inverseNorms: UnsafeMutablePointer<Float>) {
        let stride = operand.tensor.shape[1]
        let base = operand.tensor.data + operand.column + head * d
        for j in 0..<keys {
            let row = UnsafePointer(base + keyGroups.row(group, j) * stride)
            var factor: Float = 1
            if normalized {
                factor = inverseNorm(row)
                inverseNorms[j] = factor
            }
            copyHeadRow(buffer + j * d, row, count: d, scale: factor)
        }
        (buffer + keys * d).update(repeating: 0, count: (keyWidth - keys) * d)
    }

    /// `[keyWidth, d]` rows (padded rows zero) transposed into `[d, keyWidth]`, 8 × 8 blocks at a time.
    func transposeKeyRows(_ rows: UnsafePointer<Float>, into transposed: UnsafeMutablePointer<Float>) {
        for j in stride(from: 0, to: keyWidth, by: 8) {
            for c in stride(from: 0, to: d, by: 8) {
                #if arch(x86_64)
                runner_transpose8x8(rows + j * d + c, d, transposed + c * keyWidth + j, keyWidth)
                #endif
            }
        }
    }

    /// The block's query rows of head `head` times `factor` (after normalising them in cosine
    /// attention, inverse norms in `inverseNorms`), `[padded, d]`, padded rows zero.
    func gatherQueries(group: Int, head: Int, block: Int, factor: Float, into q: UnsafeMutablePointer<Float>,
                               inverseNorms: UnsafeMutablePointer<Float>) {
        let stride = query.tensor.shape[1]
        let base = query.tensor.data + query.column + head * d
        let first = block * Self.blockQueries
        let (real, padded) = blockRows(block)
        for r in 0..<real {
            let row = UnsafePointer(base + queryGroups.row(group, first + r) * stride)
            var rowFactor = factor
            if cosine {
                inverseNorms[r] = inverseNorm(row)
                rowFactor *= inverseNorms[r]
            }
            copyHeadRow(q + r * d, row, count: d, scale: rowFactor)
        }
        (q + real * d).update(repeating: 0, count: (padded - real) * d)
    }

    /// The most cache lines ``tileLines`` and ``gradientTileLines`` list: up to seven row sets (a
    /// tile's query, key and value rows; the output gradient's; the three input gradients'), each
    /// row's `d` floats on at most `d / 16 + 2` lines.
    var lineCapacity: Int { (4 * max(queries, keys) + 3 * keys) * (d / 16 + 2) }

    /// Appends the distinct cache lines holding the `d` floats from `base` of every row of
    /// `group` (rows `stride` floats apart), tagged for writing when `forWriting`.
    @inline(__always)
    private func appendLines(_ base: UnsafePointer<Float>, stride: Int, rowsOf groups: TokenGroups, group: Int,
                             forWriting: Bool, into lines: UnsafeMutablePointer<UnsafeRawPointer>, count: inout Int) {
        let tag = forWriting ? 1 : 0
        let lastByte = d * MemoryLayout<Float>.stride - 1
        for token in 0..<groups.tokens {
            let start = Int(bitPattern: base + groups.row(group, token) * stride)
            var line = start & ~63
            let end = (start + lastByte) & ~63
            while line <= end {
                lines[count] = UnsafeRawPointer(bitPattern: line | tag)!
                count += 1
                line += 64
            }
        }
    }

    /// Tile `tile`'s query, key and value lines, for a ``AttentionTileAVX512/PrefetchQueue``
    /// (none past the last tile); returns how many. Window rows sit a map row apart, a pattern
    /// the hardware prefetchers do not follow. The queue hints them a few at a time over the
    /// tile's register blocks: all at once, they would fill every line-fill buffer and hold up
    /// the tile's own loads.
    func tileLines(_ tile: Int, into lines: UnsafeMutablePointer<UnsafeRawPointer>) -> Int {
        let group = tile / heads, head = tile % heads
        guard group < queryGroups.groups else { return 0 }
        var count = 0
        appendLines(query.tensor.data + query.column + head * d, stride: query.tensor.shape[1], rowsOf: queryGroups,
                    group: group, forWriting: false, into: lines, count: &count)
        appendLines(key.tensor.data + key.column + head * d, stride: key.tensor.shape[1], rowsOf: keyGroups,
                    group: group, forWriting: false, into: lines, count: &count)
        appendLines(value.tensor.data + value.column + head * d, stride: value.tensor.shape[1], rowsOf: keyGroups,
                    group: group, forWriting: false, into: lines, count: &count)
        return count
    }

    /// The backward pass's ``tileLines``: also the tile's output-gradient rows (read) and the
    /// gradient rows its results are written to.
    func gradientTileLines(_ tile: Int, gradient: UnsafePointer<Float>, gradQuery: UnsafeMutablePointer<Float>?,
                                   gradKey: UnsafeMutablePointer<Float>?, gradValue: UnsafeMutablePointer<Float>?,
                                   into lines: UnsafeMutablePointer<UnsafeRawPointer>) -> Int {
        let group = tile / heads, head = tile % heads
        guard group < queryGroups.groups else { return 0 }
        var count = tileLines(tile, into: lines)
        appendLines(gradient + head * d, stride: heads * d, rowsOf: queryGroups, group: group, forWriting: false,
                    into: lines, count: &count)
        if let gradQuery {
            appendLines(gradQuery + query.column + head * d, stride: query.tensor.shape[1], rowsOf: queryGroups,
                        group: group, forWriting: true, into: lines, count: &count)
        }
        if let gradKey {
            appendLines(gradKey + key.column + head * d, stride: key.tensor.shape[1], rowsOf: keyGroups,
                        group: group, forWriting: true, into: lines, count: &count)
        }
        if let gradValue {
            appendLines(gradValue + value.column + head * d, stride: value.tensor.shape[1], rowsOf: keyGroups,
                        group: group, forWriting: true, into: lines, count: &count)
        }
        return count
    }
}
#endif
