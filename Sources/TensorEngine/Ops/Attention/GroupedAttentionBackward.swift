#if arch(x86_64)
import TensorEngineAVX512
#endif

#if arch(x86_64)
extension GroupedAttentionPlan {
    /// The gradients of the query, key and value tensors (each written once, into a buffer per
    /// distinct tensor), of the position bias and of the temperature. Per tile, the probabilities
    /// are recomputed from q and k rather than kept from the forward pass.
    func backward(gradient: Tensor, factors: [Float], table: Tensor?) {
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
}
#endif
