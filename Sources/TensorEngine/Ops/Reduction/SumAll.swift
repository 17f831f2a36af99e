/// Reductions over every element to a scalar.
extension Tensor {
    /// The sum of all elements, shape `[]`. Accumulated in `Double` per chunk for accuracy.
    public func sum() -> Tensor {
        let out = Tensor(scalar: Float(sumOfElements()))
        if Tape.needsRecording(self) {
            let inputShape = shape
            Tape.record(out) { g in self.accumulateGrad(owned: Tensor.full(inputShape, g.item)) }
        }
        return out
    }

    /// The mean of all elements, shape `[]`.
    public func mean() -> Tensor {
        sum() * (1 / Float(max(count, 1)))
    }

    /// The sum of all elements in double precision (not recorded).
    public func sumOfElements() -> Double {
        let source = data
        let chunks = 64
        let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks)
        defer { partials.deallocate() }
        let n = count
        parallelFor(chunks, grain: n >= 1 << 16 ? 1 : chunks) { range in
            for chunk in range {
                var total: Double = 0
                var i = n * chunk / chunks
                let end = n * (chunk + 1) / chunks
                while i + 8 <= end {
                    var partial: Float = 0
                    for j in 0..<8 { partial += source[i + j] }
                    total += Double(partial)
                    i += 8
                }
                while i < end { total += Double(source[i]); i += 1 }
                partials[chunk] = total
            }
        }
        return partials.reduce(0, +)
    }
}
