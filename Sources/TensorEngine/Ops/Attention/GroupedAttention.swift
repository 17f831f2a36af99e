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
