/// Picking entries of an axis by index (a gather), e.g. rows of a relative-position bias table.
extension Tensor {
    /// The entries at `indices` along `axis`, in that order: the axis takes `indices.count`
    /// elements, the other axes are unchanged (`torch.index_select`). Indices may repeat; their
    /// gradients are added up. Every index must lie in `0..<shape[axis]`.
    public func indexSelect(axis: Int, indices: [Int32]) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, op: "indexSelect")
        let size = shape[axis]
        if let bad = indices.firstIndex(where: { $0 < 0 || Int($0) >= size }) {
            EngineError.fail("indexSelect", "index \(indices[bad]) at position \(bad) is out of range 0..<\(size) " +
                             "for axis \(axis) of a tensor of shape \(Shape.describe(shape))")
        }
        var outShape = shape
        outShape[axis] = indices.count
        let out = Tensor(uninitializedShape: outShape)
        let outer = Shape.elementCount(Array(shape[..<axis]))
        let inner = Shape.elementCount(Array(shape[(axis + 1)...]))
        let picked = indices.count
        let source = data, destination = out.data
        indices.withUnsafeBufferPointer { index in
            parallelFor(outer * picked, grain: Swift.max(1, (1 << 14) / Swift.max(inner, 1))) { rows in
                for row in rows {
                    let o = row / picked, m = row % picked
                    (destination + row * inner).update(from: source + (o * size + Int(index[m])) * inner, count: inner)
                }
            }
        }
        if Tape.needsRecording(self) {
            let slot = gradientSlot
            Tape.record(out) { g in
                slot.accumulateGradInPlace { gradient in
                    Tensor.scatterAdd(g.data, into: gradient, indices: indices, outer: outer, size: size, inner: inner)
                }
            }
        }
        return out
    }

    /// Rows of a table `[N, ...]` at `indices`, giving `[M, ...]`: the lookup of SwinV2's
    /// relative-position bias (`table[index.view(-1)]`). Gradients of repeated rows add up.
    public func gatherRows(_ indices: [Int32]) -> Tensor {
        indexSelect(axis: 0, indices: indices)
    }

    /// Rows of a table `[N, C...]` at a flattened index array of shape `indexShape`, giving
    /// `indexShape + [C...]`, e.g. a `[169, heads]` table and a `[49, 49]` index give
    /// `[49, 49, heads]`.
    public func gatherRows(_ indices: [Int32], indexShape: [Int]) -> Tensor {
        guard Shape.elementCount(indexShape) == indices.count, indexShape.allSatisfy({ $0 >= 0 }) else {
            EngineError.shapeMismatch("gatherRows", indexShape, [indices.count],
                                      "the index shape must hold exactly the given indices")
        }
        return gatherRows(indices).reshaped(indexShape + Array(shape.dropFirst()))
    }

    /// `gradient[o, indices[m], :] += g[o, m, :]`. Repeated indices make rows collide, so work
    /// is split over `outer` and over column blocks, never over `m`.
    static func scatterAdd(_ g: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>, indices: [Int32],
                           outer: Int, size: Int, inner: Int) {
        let picked = indices.count
        let block = 512
        let blocks = (inner + block - 1) / block
        indices.withUnsafeBufferPointer { index in
            parallelFor(outer * blocks, grain: Swift.max(1, (1 << 14) / Swift.max(1, picked * Swift.min(inner, block)))) { items in
                for item in items {
                    let o = item / blocks
                    let j0 = (item % blocks) * block, j1 = Swift.min(j0 + block, inner)
                    for m in 0..<picked {
                        let from = g + (o * picked + m) * inner
                        let to = gradient + (o * size + Int(index[m])) * inner
                        for j in j0..<j1 { to[j] += from[j] }
                    }
                }
            }
        }
    }
}
