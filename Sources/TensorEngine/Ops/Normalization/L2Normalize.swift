extension Tensor {
    /// Each row along the last axis divided by its Euclidean norm, `x / max(‖x‖, ε)`, exactly
    /// `torch.nn.functional.normalize(x, dim=-1, eps=ε)`. SwinV2's cosine attention normalises
    /// queries and keys `[B, H, L, D]` with it. `axis` must name the last axis.
    ///
    /// Rows whose norm is below ε are divided by ε and get the plain gradient g/ε; the others get
    /// `(g − y·⟨g, y⟩)/‖x‖`.
    public func l2Normalized(axis: Int = -1, epsilon: Float = 1e-12) -> Tensor {
        return OpProfiler.measure(.normalization) {
            let width = lastAxisWidth(axis: axis, op: "l2Normalized")
            let rows = width == 0 ? 0 : count / width
            let out = Tensor(uninitializedShape: shape)
            let norms = UnsafeMutableBufferPointer<Float>.allocate(capacity: Swift.max(rows, 1))
            let x = data, y = out.data, normsBase = norms.baseAddress!
            parallelFor(rows, grain: rowGrain(width: width)) { range in
                for r in range {
                    let row = x + r * width
                    let norm = vectorDot(row, row, count: width).squareRoot()
                    normsBase[r] = norm
                    let inverse = SIMD8<Float>(repeating: 1 / Swift.max(norm, epsilon))
                    vectorMap(row, y + r * width, 0..<width) { $0 * inverse }
                }
            }
            guard Tape.needsRecording(self) else {
                norms.deallocate()
                return out
            }
            let savedNorms = RowStatistics(norms)
            Tape.record(out) { g in
                let result = Tensor(uninitializedShape: out.shape)
                let gradient = g.data, y = out.data, gx = result.data, norms = savedNorms.values.baseAddress!
                parallelFor(rows, grain: rowGrain(width: width)) { range in
                    for r in range {
                        let offset = r * width
                        let norm = norms[r]
                        if norm >= epsilon {
                            let dot = SIMD8<Float>(repeating: -vectorDot(gradient + offset, y + offset, count: width))
                            let inverse = SIMD8<Float>(repeating: 1 / norm)
                            vectorZip(y + offset, gradient + offset, gx + offset, 0..<width) { y, g in
                                g.addingProduct(y, dot) * inverse
                            }
                        } else {
                            let inverse = SIMD8<Float>(repeating: 1 / epsilon)
                            vectorMap(gradient + offset, gx + offset, 0..<width) { $0 * inverse }
                        }
                    }
                }
                self.accumulateGrad(owned: result)
            }
            return out
        }
    }
}

/// Per-row numbers a forward pass keeps for its backward (norms, log-sum-exps), freed with the
/// tape entry that holds them.
final class RowStatistics: @unchecked Sendable {
    let values: UnsafeMutableBufferPointer<Float>

    /// Takes ownership of `values`.
    init(_ values: UnsafeMutableBufferPointer<Float>) {
        self.values = values
    }

    /// Zero-filled storage for `count` values.
    convenience init(count: Int) {
        let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: Swift.max(count, 1))
        values.initialize(repeating: 0)
        self.init(values)
    }

    deinit {
        values.deallocate()
    }
}
