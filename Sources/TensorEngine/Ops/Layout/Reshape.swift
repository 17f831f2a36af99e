/// Reshaping: a view over the same storage with a new shape.
extension Tensor {
    /// The same elements in `newShape`; one axis may be `-1` and is inferred. Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().reduce(1) { $1.offset == inferred ? $0 : $0 * $1.element }
            guard known > 0, count % known == 0 else {
                EngineError.shapeMismatch("reshape", shape, newShape, "cannot infer the -1 axis")
            }
            resolved[inferred] = count / known
        }
        guard Shape.elementCount(resolved) == count, resolved.allSatisfy({ $0 >= 0 }) else {
            EngineError.shapeMismatch("reshape", shape, newShape, "element counts differ (\(count) vs \(Shape.elementCount(resolved)))")
        }
        if resolved == shape { return self }
        let out = Tensor(shape: resolved, storage: storage, offset: storageOffset)
        if Tape.needsRecording(self) {
            let original = shape
            // The output's gradient buffer is handed over (as a view in the input's shape), not copied.
            let slot = gradientSlot
            Tape.record(out) { g in slot.accumulateGrad(owned: g.reshaped(original)) }
        }
        return out
    }

    /// Collapses axes `start...end` into one.
    public func flattened(from start: Int = 0, to end: Int = -1) -> Tensor {
        let s = Shape.normalize(axis: start, rank: rank, op: "flatten")
        let e = Shape.normalize(axis: end, rank: rank, op: "flatten")
        guard s <= e else { return self }
        let merged = shape[s...e].reduce(1, *)
        return reshaped(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }
}
