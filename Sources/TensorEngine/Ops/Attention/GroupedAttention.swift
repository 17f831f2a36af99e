#if arch(x86_64)
import TensorEngineAVX512
import CKernelIntrinsics
#endif

/// Multi-head softmax attention within groups of tokens, read straight from the projections'
/// outputs: window attention without partitioning windows or splitting heads into a separate
/// layout, and global attention over a reduced key set.
extension Tensor {
    /// Where one of query, key and value sits in its token matrix: columns
    /// `column ..< column + heads·d` of a `[rows, features]` tensor, head `h` at `column + h·d`.
    public struct AttentionOperand {
        public let tensor: Tensor
        public let column: Int

        public init(_ tensor: Tensor, column: Int = 0) {
            self.tensor = tensor
            self.column = column
        }
    }

    /// What shapes the attention logits beyond `scale · Q·Kᵀ`: SwinV2's cosine attention with a
    /// learned temperature per head, a position bias per head and the shifted windows' mask.
    public struct AttentionLogits {
        /// Cosine attention: queries and keys L2-normalised per head (`F.normalize`, ε = 1e-12)
        /// and their products times `temperature[h]` (`heads` elements, differentiable) instead
        /// of the scale.
        public var temperature: Tensor?
        /// `[heads, n, m]` added to every group's logits (differentiable).
        public var bias: Tensor?
        /// `[windows, n, m]` added to group `g`'s logits with `g % windows` (a constant: the
        /// −100 entries that keep shifted windows' regions apart).
        public var mask: Tensor?

        public init(temperature: Tensor? = nil, bias: Tensor? = nil, mask: Tensor? = nil) {
            self.temperature = temperature
            self.bias = bias
            self.mask = mask
        }
    }

    /// For every group `g` and head `h`: `softmax(scale · Q·Kᵀ) · V` with `Q` the query rows of
    /// `queryGroups`' group `g` (head `h`'s `d` columns) and `K`, `V` the rows of `keyGroups`'
    /// group `g`. The result is `[query rows, heads·d]`: each query token's row holds its heads
    /// side by side, as the attention's output projection wants them; rows in no group are 0.
    ///
    /// Query, key and value may be one tensor (a fused qkv projection `[rows, 3C]` with columns
    /// 0, C and 2C). No row may belong to two groups. On AVX-512 processors, for up to 64 keys
    /// per group and `d` a multiple of 16 up to 64, the whole attention of a group and head runs
    /// in L1 (``AttentionTileAVX512``), and the backward pass recomputes the probabilities rather
    /// than keeping them; otherwise it is composed from gathers, batched products and a softmax.
    /// `logits` adds cosine attention, a position bias and a mask (see ``AttentionLogits``).
    public static func groupedAttention(query: AttentionOperand, key: AttentionOperand, value: AttentionOperand,
                                        heads: Int, headDimension d: Int,
                                        queryGroups: TokenGroups, keyGroups: TokenGroups, scale: Float,
                                        logits: AttentionLogits = AttentionLogits()) -> Tensor {
        groupedAttention(query: query, key: key, value: value, heads: heads, headDimension: d,
                         queryGroups: queryGroups, keyGroups: keyGroups, scale: scale, logits: logits, allowFused: true)
    }

    /// ``groupedAttention(query:key:value:heads:headDimension:queryGroups:keyGroups:scale:logits:)``,
    /// optionally kept on the composed path (tests compare the two).
    static func groupedAttention(query: AttentionOperand, key: AttentionOperand, value: AttentionOperand,
                                 heads: Int, headDimension d: Int, queryGroups: TokenGroups, keyGroups: TokenGroups,
                                 scale: Float, logits: AttentionLogits = AttentionLogits(), allowFused: Bool) -> Tensor {
        let op = "groupedAttention"
        let width = heads * d
        for (name, operand) in [("query", query), ("key", key), ("value", value)] {
            guard operand.tensor.rank == 2, operand.column >= 0, operand.column + width <= operand.tensor.shape[1] else {
                EngineError.shapeMismatch(op, operand.tensor.shape, [heads, d],
                                          "the \(name) must be [rows, features] with columns \(operand.column)..<\(operand.column + width) for \(heads) heads of \(d)")
            }
        }
        guard queryGroups.groups == keyGroups.groups, key.tensor.shape[0] == value.tensor.shape[0] else {
            EngineError.fail(op, "needs as many key groups as query groups (\(keyGroups.groups) vs \(queryGroups.groups)) and keys and values of the same rows")
        }
        let (n, m) = (queryGroups.tokens, keyGroups.tokens)
        if let temperature = logits.temperature, temperature.count != heads {
            EngineError.shapeMismatch(op, temperature.shape, [heads], "the temperature needs one element per head")
        }
        if let bias = logits.bias, bias.shape != [heads, n, m] {
            EngineError.shapeMismatch(op, bias.shape, [heads, n, m], "the bias must be [heads, queries, keys]")
        }
        if let mask = logits.mask, mask.rank != 3 || mask.shape[1] != n || mask.shape[2] != m || mask.shape[0] < 1
            || queryGroups.groups % mask.shape[0] != 0 {
            EngineError.shapeMismatch(op, mask.shape, [queryGroups.groups, n, m],
                                      "the mask must be [windows, queries, keys] with windows dividing the \(queryGroups.groups) groups")
        }
        // Window and consecutive groups partition their rows by construction; anything else is
        // checked (and its row order is what the composed path gathers by).
        func order(_ groups: TokenGroups, rows: Int) -> [Int32] {
            guard let order = groups.rowOrder(rows: rows) else {
                EngineError.fail(op, "every group row must lie inside its tensor and no row may belong to two groups")
            }
            return order
        }
        let queryRows = query.tensor.shape[0], keyRows = key.tensor.shape[0]
        let knownPartitions = queryGroups.partitionedRows == queryRows && keyGroups.partitionedRows == keyRows
        var orders: (query: [Int32], key: [Int32])?
        if !knownPartitions { orders = (order(queryGroups, rows: queryRows), order(keyGroups, rows: keyRows)) }
        let plan = GroupedAttentionPlan(query: query, key: key, value: value, heads: heads, d: d,
                                        queryGroups: queryGroups, keyGroups: keyGroups, scale: scale, logits: logits,
                                        queryRowsCovered: orders.map { $0.query.count == queryRows } ?? true,
                                        keyRowsCovered: orders.map { $0.key.count == keyRows } ?? true)
        if allowFused, plan.fuses {
            return plan.fused()
        }
        let (queryOrder, keyOrder) = orders ?? (order(queryGroups, rows: queryRows), order(keyGroups, rows: keyRows))
        return composedGroupedAttention(query: query, key: key, value: value, heads: heads, headDimension: d,
                                        queryOrder: queryOrder, keyOrder: keyOrder, groups: queryGroups.groups,
                                        scale: scale, logits: logits)
    }

    /// The same attention from the engine's differentiable ops: gather each group's rows, split
    /// heads, batched products and softmax, then put rows back in place.
    private static func composedGroupedAttention(query: AttentionOperand, key: AttentionOperand, value: AttentionOperand,
                                                 heads: Int, headDimension d: Int, queryOrder: [Int32], keyOrder: [Int32],
                                                 groups: Int, scale: Float, logits: AttentionLogits) -> Tensor {
        let width = heads * d
        func split(_ operand: AttentionOperand, _ order: [Int32]) -> Tensor {
            let tokens = order.count / groups
            return operand.tensor.gatherRows(order).sliced(axis: 1, range: operand.column..<(operand.column + width))
                .reshaped([groups, tokens, heads, d]).permuted([0, 2, 1, 3]).reshaped([groups * heads, tokens, d])
        }
        var q = split(query, queryOrder), k = split(key, keyOrder)
        let v = split(value, keyOrder)
        let queriesPerGroup = queryOrder.count / groups, keysPerGroup = keyOrder.count / groups
        var scores: Tensor
        if let temperature = logits.temperature {
            q = q.l2Normalized(axis: -1)
            k = k.l2Normalized(axis: -1)
            scores = q.matmul(k, transposeOther: true).reshaped([groups, heads, queriesPerGroup, keysPerGroup])
                * temperature.reshaped([1, heads, 1, 1])
        } else {
            scores = q.matmul(k, transposeOther: true, scale: scale).reshaped([groups, heads, queriesPerGroup, keysPerGroup])
        }
        if let bias = logits.bias { scores = scores + bias.reshaped([1, heads, queriesPerGroup, keysPerGroup]) }
        if let mask = logits.mask {
            let windows = mask.shape[0]
            scores = scores.reshaped([groups / windows, windows, heads, queriesPerGroup, keysPerGroup])
                + mask.reshaped([1, windows, 1, queriesPerGroup, keysPerGroup])
        }
        let attended = scores.reshaped([groups * heads, queriesPerGroup, keysPerGroup]).softmax(axis: -1).matmul(v)
        let grouped = attended.reshaped([groups, heads, queriesPerGroup, d]).permuted([0, 2, 1, 3])
            .reshaped([queryOrder.count, width])                                                  // rows in group order
        let rows = query.tensor.shape[0]
        var position = [Int32](repeating: Int32(queryOrder.count), count: rows)                  // uncovered → zero row
        for (index, row) in queryOrder.enumerated() { position[Int(row)] = Int32(index) }
        let source = queryOrder.count == rows ? grouped : Tensor.concatenated([grouped, Tensor.zeros([1, width])], axis: 0)
        return source.gatherRows(position)
    }
}

/// Copies a head's `count` floats (a multiple of 8) as vectors: a `memmove` call per 32-float
/// row cost more than the row's share of the attention arithmetic.
@inline(__always)
private func copyHeadRow(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int,
                         scale: Float = 1) {
    var c = 0
    let factor = SIMD8<Float>(repeating: scale)
    while c < count {
        let value = UnsafeRawPointer(source + c).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(destination + c).storeBytes(of: scale == 1 ? value : value * factor, as: SIMD8<Float>.self)
        c += 8
    }
}

/// The sizes and buffers of one fused grouped attention, and its forward and backward passes.
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

    #if arch(x86_64)
    /// Per head, what the normalised (or raw) queries are multiplied by: the temperature, or the scale.
    private func queryFactors() -> [Float] {
        guard let temperature = logits.temperature else { return [Float](repeating: scale, count: heads) }
        return temperature.scalars
    }

    /// Position bias plus mask per window and head, `[windows, heads, n, m]`, or nil without either.
    private func additiveLogits() -> Tensor? {
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
    private func additive(_ table: Tensor?, group: Int, head: Int, first: Int) -> UnsafePointer<Float>? {
        table.map { UnsafePointer($0.data + ((group % windows) * heads + head) * queries * keys + first * keys) }
    }

    func fused() -> Tensor {
        let width = heads * d
        let rows = query.tensor.shape[0]
        let out = queryRowsCovered ? Tensor(uninitializedShape: [rows, width]) : Tensor.zeros([rows, width])
        let recording = Tape.needsRecording([query.tensor, key.tensor, value.tensor]
                                            + [logits.temperature, logits.bias].compactMap { $0 })
        let tiles = queryGroups.groups * heads
        let outData = out.data
        let factors = queryFactors()
        let table = additiveLogits()
        // Q·Kᵀ and P·V of every group and head at their real sizes (padding not counted), as the
        // composed path's batched products count them.
        FlopCounter.add(2 * productFLOPs)
        OpProfiler.measure(.attention) {
            parallelFor(tiles * blocks, grain: 1) { tasks in
                let q = UnsafeMutablePointer<Float>.allocate(capacity: Self.blockQueries * d)
                let kT = UnsafeMutablePointer<Float>.allocate(capacity: d * keyWidth)
                let v = UnsafeMutablePointer<Float>.allocate(capacity: keyWidth * d)
                // Also the keys' rows before they are transposed.
                let o = UnsafeMutablePointer<Float>.allocate(capacity: max(Self.blockQueries, keyWidth) * d)
                let p = UnsafeMutablePointer<Float>.allocate(capacity: Self.blockQueries * keyWidth)
                let norms = UnsafeMutablePointer<Float>.allocate(capacity: max(Self.blockQueries, keyWidth))
                let lines = UnsafeMutablePointer<UnsafeRawPointer>.allocate(capacity: lineCapacity)
                defer {
                    for buffer in [q, kT, v, o, p, norms] { buffer.deallocate() }
                    lines.deallocate()
                }
                var stagedTile = -1
                for task in tasks {
                    let tile = task / blocks, block = task % blocks
                    let group = tile / heads, head = tile % heads
                    if tile != stagedTile {
                        gatherRows(of: key, group: group, head: head, normalized: cosine, into: o, inverseNorms: norms)
                        transposeKeyRows(o, into: kT)
                        gatherRows(of: value, group: group, head: head, normalized: false, into: v, inverseNorms: norms)
                        stagedTile = tile
                    }
                    let (real, padded) = blockRows(block)
                    let first = block * Self.blockQueries
                    gatherQueries(group: group, head: head, block: block, factor: factors[head], into: q, inverseNorms: norms)
                    // With one block per tile, the next tile's rows are hinted in while this one computes.
                    var queue = AttentionTileAVX512.PrefetchQueue.none
                    if blocks == 1 {
                        queue = .init(lines: lines, count: tileLines(tile + 1, into: lines),
                                      blocks: AttentionTileAVX512.blocks(rows: padded, columns: keyWidth)
                                          + AttentionTileAVX512.blocks(rows: padded, columns: d))
                    }
                    AttentionTileAVX512.forward(q: q, kT: kT, v: v, rows: padded, keys: keys, width: keyWidth,
                                                headDimension: d, bias: additive(table, group: group, head: head, first: first),
                                                biasRows: real, p: p, o: o, prefetch: &queue)
                    for r in 0..<real {
                        let row = queryGroups.row(group, first + r)
                        copyHeadRow(outData + row * width + head * d, o + r * d, count: d)
                    }
                }
            }
        }
        if recording {
            Tape.record(out) { g in self.backward(gradient: g, factors: factors, table: table) }
        }
        return out
    }

    /// Multiply-adds × 2 of one `n × m × d` product for every group and head.
    private var productFLOPs: Int { 2 * queryGroups.groups * heads * queries * keys * d }

    /// `1 / max(‖row‖, ε)` of a head's `d` floats (cosine attention's normalisation).
    @inline(__always)
    private func inverseNorm(_ row: UnsafePointer<Float>) -> Float {
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
    private func gatherRows(of operand: Operand, group: Int, head: Int, normalized: Bool, into buffer: UnsafeMutablePointer<Float>,
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
    /// the hardware prefetchers do not follow; hinted all at once, the lines filled every
    /// line-fill buffer and held up the tile's own loads (spread over its register blocks, the
    /// attention of a SwinV2-T training step takes 111–112 ms instead of 115–119).
    private func tileLines(_ tile: Int, into lines: UnsafeMutablePointer<UnsafeRawPointer>) -> Int {
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
    private func gradientTileLines(_ tile: Int, gradient: UnsafePointer<Float>, gradQuery: UnsafeMutablePointer<Float>?,
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

    /// `[keyWidth, d]` rows (padded rows zero) transposed into `[d, keyWidth]`, 8 × 8 blocks at a time.
    private func transposeKeyRows(_ rows: UnsafePointer<Float>, into transposed: UnsafeMutablePointer<Float>) {
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
    private func gatherQueries(group: Int, head: Int, block: Int, factor: Float, into q: UnsafeMutablePointer<Float>,
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

    /// The output gradient's rows of head `head` for the block, `[padded, d]`, padded rows zero.
    private func gatherOutputGradient(_ gradient: UnsafePointer<Float>, group: Int, head: Int, block: Int,
                                      into buffer: UnsafeMutablePointer<Float>) {
        let width = heads * d
        let first = block * Self.blockQueries
        let (real, padded) = blockRows(block)
        for r in 0..<real {
            copyHeadRow(buffer + r * d, gradient + queryGroups.row(group, first + r) * width + head * d, count: d)
        }
        (buffer + real * d).update(repeating: 0, count: (padded - real) * d)
    }

    /// The gradient of `x / max(‖x‖, ε)` at `x̂ = x·inverseNorm` for the gradient `g` of the
    /// normalised row: `(g − x̂ (x̂·g)) · inverseNorm` (just `g · inverseNorm` where the floor held),
    /// written over `g`.
    @inline(__always)
    private func normalizationGradient(_ g: UnsafeMutablePointer<Float>, normalized: UnsafePointer<Float>, inverseNorm: Float) {
        var dot = SIMD8<Float>()
        var c = 0
        while c < d {
            dot = dot.addingProduct(UnsafeRawPointer(g + c).loadUnaligned(as: SIMD8<Float>.self),
                                    UnsafeRawPointer(normalized + c).loadUnaligned(as: SIMD8<Float>.self))
            c += 8
        }
        let projection = inverseNorm >= 1 / Self.normFloor ? 0 : dot.sum()
        c = 0
        while c < d {
            let gv = UnsafeRawPointer(g + c).loadUnaligned(as: SIMD8<Float>.self)
            let xv = UnsafeRawPointer(normalized + c).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(g + c).storeBytes(of: (gv - projection * xv) * inverseNorm, as: SIMD8<Float>.self)
            c += 8
        }
    }

    /// Writes `[keys, d]` gradient rows into head `head`'s columns of `operand`'s gradient
    /// `target` at `group`'s key rows (nothing when the operand wants no gradient).
    private func scatterKeyRows(_ rows: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>?, of operand: Operand,
                                group: Int, head: Int) {
        guard let target else { return }
        let stride = operand.tensor.shape[1]
        let base = target + operand.column + head * d
        for j in 0..<keys { copyHeadRow(base + keyGroups.row(group, j) * stride, rows + j * d, count: d) }
    }

    /// Gradient buffers, one per distinct tensor that wants one; zero-filled unless the roles
    /// that use the tensor write every element.
    private func gradientBuffers() -> [ObjectIdentifier: Tensor] {
        var buffers: [ObjectIdentifier: Tensor] = [:]
        let roles: [(Operand, Bool)] = [(query, queryRowsCovered), (key, keyRowsCovered), (value, keyRowsCovered)]
        for (operand, _) in roles where operand.tensor.requiresGrad {
            let id = ObjectIdentifier(operand.tensor)
            if buffers[id] != nil { continue }
            let users = roles.filter { $0.0.tensor === operand.tensor }
            let columns = users.map { $0.0.column }.sorted()
            var reach = 0
            for column in columns where column == reach { reach += heads * d }
            let complete = users.allSatisfy { $0.1 } && reach == operand.tensor.shape[1]
            buffers[id] = complete ? Tensor(uninitializedShape: operand.tensor.shape) : Tensor.zeros(operand.tensor.shape)
        }
        return buffers
    }

    private func backward(gradient: Tensor, factors: [Float], table: Tensor?) {
        let buffers = gradientBuffers()
        let wantBias = logits.bias?.requiresGrad ?? false
        let wantTemperature = logits.temperature?.requiresGrad ?? false
        if buffers.isEmpty && !wantBias && !wantTemperature { return }
        let gradQuery = buffers[ObjectIdentifier(query.tensor)].flatMap { query.tensor.requiresGrad ? $0.data : nil }
        let gradKey = buffers[ObjectIdentifier(key.tensor)].flatMap { key.tensor.requiresGrad ? $0.data : nil }
        let gradValue = buffers[ObjectIdentifier(value.tensor)].flatMap { value.tensor.requiresGrad ? $0.data : nil }
        let g = UnsafePointer(gradient.data)
        let tiles = queryGroups.groups * heads
        // The bias and temperature gradients sum over groups: per-chunk partial sums, a number of
        // chunks fixed by the sizes alone, added in order — the same result at any thread count.
        let chunks = min(tiles, 8)
        let biasCount = heads * queries * keys
        let biasPartials = wantBias ? Tensor.zeros([chunks * biasCount]) : nil
        let temperaturePartials = wantTemperature ? Tensor.zeros([chunks * heads]) : nil
        let biasData = biasPartials?.data, temperatureData = temperaturePartials?.data
        // dP = dO·Vᵀ, dQ, dK and dV: the composed path's four products (the recomputed
        // probabilities are this kernel's choice, not the model's arithmetic).
        FlopCounter.add(4 * productFLOPs)
        OpProfiler.measure(.attention) {
            parallelFor(chunks, grain: 1) { chunkRange in
                let block = Self.blockQueries
                let k = UnsafeMutablePointer<Float>.allocate(capacity: keyWidth * d)
                let kT = UnsafeMutablePointer<Float>.allocate(capacity: d * keyWidth)
                let p = UnsafeMutablePointer<Float>.allocate(capacity: block * keyWidth)
                let vT = UnsafeMutablePointer<Float>.allocate(capacity: d * keyWidth)
                let dK = UnsafeMutablePointer<Float>.allocate(capacity: keyWidth * d)
                let dV = UnsafeMutablePointer<Float>.allocate(capacity: keyWidth * d)
                let q = UnsafeMutablePointer<Float>.allocate(capacity: block * d)
                let dO = UnsafeMutablePointer<Float>.allocate(capacity: block * d)
                let dQ = UnsafeMutablePointer<Float>.allocate(capacity: block * d)
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: block * keyWidth)
                let keyNorms = UnsafeMutablePointer<Float>.allocate(capacity: keyWidth)
                let queryNorms = UnsafeMutablePointer<Float>.allocate(capacity: block)
                let lines = UnsafeMutablePointer<UnsafeRawPointer>.allocate(capacity: lineCapacity)
                defer {
                    for buffer in [k, kT, p, vT, dK, dV, q, dO, dQ, scores, keyNorms, queryNorms] { buffer.deallocate() }
                    lines.deallocate()
                }
                for chunk in chunkRange {
                    for tile in (tiles * chunk / chunks)..<(tiles * (chunk + 1) / chunks) {
                        let group = tile / heads, head = tile % heads
                        let factor = factors[head]
                        gatherRows(of: key, group: group, head: head, normalized: cosine, into: k, inverseNorms: keyNorms)
                        transposeKeyRows(k, into: kT)
                        gatherRows(of: value, group: group, head: head, normalized: false, into: dV, inverseNorms: keyNorms)
                        transposeKeyRows(dV, into: vT)
                        dK.update(repeating: 0, count: keyWidth * d)
                        dV.update(repeating: 0, count: keyWidth * d)
                        for b in 0..<blocks {
                            let (real, padded) = blockRows(b)
                            let first = b * block
                            gatherQueries(group: group, head: head, block: b, factor: factor, into: q, inverseNorms: queryNorms)
                            gatherOutputGradient(g, group: group, head: head, block: b, into: dO)
                            var queue = AttentionTileAVX512.PrefetchQueue.none
                            if blocks == 1 {
                                let count = gradientTileLines(tile + 1, gradient: g, gradQuery: gradQuery, gradKey: gradKey,
                                                              gradValue: gradValue, into: lines)
                                let keyRows = (keys + 7) / 8 * 8
                                queue = .init(lines: lines, count: count,
                                              blocks: 2 * AttentionTileAVX512.blocks(rows: padded, columns: keyWidth)
                                                  + AttentionTileAVX512.blocks(rows: padded, columns: d)
                                                  + 2 * AttentionTileAVX512.blocks(rows: keyRows, columns: d))
                            }
                            AttentionTileAVX512.probabilities(q: q, kT: kT, rows: padded, keys: keys, width: keyWidth, headDimension: d,
                                                              bias: additive(table, group: group, head: head, first: first),
                                                              biasRows: real, p: p, prefetch: &queue)
                            AttentionTileAVX512.backward(q: q, k: k, vT: vT, p: p, dO: dO, queries: real, rows: padded,
                                                         keys: keys, width: keyWidth, headDimension: d,
                                                         scores: scores, dQ: dQ, dK: dK, dV: dV, prefetch: &queue)
                            if let biasData {
                                let accumulator = biasData + chunk * biasCount + head * queries * keys + first * keys
                                for r in 0..<real {
                                    let row = accumulator + r * keys, dS = scores + r * keyWidth
                                    var j = 0
                                    while j + 8 <= keys {
                                        let sum = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                                            + UnsafeRawPointer(dS + j).loadUnaligned(as: SIMD8<Float>.self)
                                        UnsafeMutableRawPointer(row + j).storeBytes(of: sum, as: SIMD8<Float>.self)
                                        j += 8
                                    }
                                    while j < keys { row[j] += dS[j]; j += 1 }
                                }
                            }
                            // dQ holds the gradient of q·factor (normalised first in cosine attention).
                            if cosine {
                                // q holds t·q̂: ∂/∂t of (t·q̂)·k̂ᵀ is Σ dQ ⊙ q̂, and q̂'s own gradient is t·dQ.
                                let inverse = 1 / factor
                                var sum = SIMD8<Float>()
                                var i = 0
                                while i < real * d {
                                    let gradient = UnsafeRawPointer(dQ + i).loadUnaligned(as: SIMD8<Float>.self)
                                    let normalized = UnsafeRawPointer(q + i).loadUnaligned(as: SIMD8<Float>.self) * inverse
                                    sum = sum.addingProduct(gradient, normalized)
                                    UnsafeMutableRawPointer(q + i).storeBytes(of: normalized, as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(dQ + i).storeBytes(of: gradient * factor, as: SIMD8<Float>.self)
                                    i += 8
                                }
                                if let temperatureData { temperatureData[chunk * heads + head] += sum.sum() }
                                for r in 0..<real {
                                    normalizationGradient(dQ + r * d, normalized: q + r * d, inverseNorm: queryNorms[r])
                                }
                            }
                            if let gradQuery {
                                let stride = query.tensor.shape[1]
                                let base = gradQuery + query.column + head * d
                                for r in 0..<real {
                                    copyHeadRow(base + queryGroups.row(group, first + r) * stride, dQ + r * d,
                                                count: d, scale: cosine ? 1 : factor)
                                }
                            }
                        }
                        if cosine {
                            for j in 0..<keys { normalizationGradient(dK + j * d, normalized: k + j * d, inverseNorm: keyNorms[j]) }
                        }
                        scatterKeyRows(dK, into: gradKey, of: key, group: group, head: head)
                        scatterKeyRows(dV, into: gradValue, of: value, group: group, head: head)
                    }
                }
            }
        }
        for (id, buffer) in buffers {
            let owner = [query.tensor, key.tensor, value.tensor].first { ObjectIdentifier($0) == id }!
            owner.accumulateGrad(owned: buffer)
        }
        if let bias = logits.bias, let biasData {
            let total = Tensor(uninitializedShape: bias.shape)
            total.data.update(from: biasData, count: biasCount)
            for chunk in 1..<chunks {
                let partial = biasData + chunk * biasCount
                for i in 0..<biasCount { total.data[i] += partial[i] }
            }
            bias.accumulateGrad(owned: total)
        }
        if let temperature = logits.temperature, let temperatureData {
            let total = Tensor(uninitializedShape: temperature.shape)
            for h in 0..<heads {
                var sum: Float = 0
                for chunk in 0..<chunks { sum += temperatureData[chunk * heads + h] }
                total.data[h] = sum
            }
            temperature.accumulateGrad(owned: total)
        }
    }
    #else
    func fused() -> Tensor { fatalError("GroupedAttentionPlan.fused: needs x86-64") }
    #endif
}
