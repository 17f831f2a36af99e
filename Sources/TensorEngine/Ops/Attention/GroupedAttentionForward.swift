#if arch(x86_64)
import TensorEngineAVX512
#endif

extension GroupedAttentionPlan {
    #if arch(x86_64)
    /// The attention, one task per block of a tile (a group's head, up to 64 of its queries):
    /// a thread gathers the tile's keys (transposed) and values unless it holds them from its
    /// previous block, then ``AttentionTileAVX512`` computes the block's probabilities and output
    /// in L1. Records the backward pass when an input wants a gradient.
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
    #else
    func fused() -> Tensor { fatalError("GroupedAttentionPlan.fused: needs x86-64") }
    #endif
}
