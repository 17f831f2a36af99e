/// Shape arithmetic shared by every op: element counts, row-major strides, axis normalisation
/// and broadcasting.
public enum Shape {
    /// The number of elements of a tensor of `shape` (1 for a scalar `[]`).
    @inlinable
    public static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Row-major strides, in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Maps a possibly negative axis (`-1` = last) onto `0..<rank`, or fails naming the op.
    public static func normalize(axis: Int, rank: Int, op: String) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else {
            EngineError.fail(op, "axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return resolved
    }

    /// The NumPy-style broadcast of two shapes, or a failure naming the op and both shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                EngineError.shapeMismatch(op, a, b, "dimension \(i) is \(da) against \(db) and neither is 1")
            }
        }
        return result
    }

    /// Strides of a tensor of `shape` read as if broadcast to `target` (0 along broadcast axes).
    public static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let lead = target.count - shape.count
        return (0..<target.count).map { i in
            i < lead || shape[i - lead] == 1 ? 0 : own[i - lead]
        }
    }

    /// Text like `[2, 3, 4]` for messages.
    public static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

/// How the engine reports misuse: a shape or argument error is a programming error in the model,
/// so it stops the process with a message that names the op and the shapes involved.
public enum EngineError {
    /// Stops with `op: message`.
    public static func fail(_ op: String, _ message: String, file: StaticString = #file, line: UInt = #line) -> Never {
        fatalError("\(op): \(message)", file: file, line: line)
    }

    /// Stops with a message naming the op and both shapes.
    public static func shapeMismatch(_ op: String, _ lhs: [Int], _ rhs: [Int], _ detail: String,
                                     file: StaticString = #file, line: UInt = #line) -> Never {
        fatalError("\(op): shape mismatch between \(Shape.describe(lhs)) and \(Shape.describe(rhs)): \(detail)",
                   file: file, line: line)
    }
}
