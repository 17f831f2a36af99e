import TensorEngine

/// Row-major index arithmetic for the naive references in layout and reduction tests.
enum NaiveIndex {
    /// The multi-index of flat position `flat` in `shape`.
    static func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var remainder = flat
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            index[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        return index
    }

    /// The flat position of `index` in `shape`.
    static func ravel(_ index: [Int], _ shape: [Int]) -> Int {
        var flat = 0
        for (i, size) in zip(index, shape) { flat = flat * size + i }
        return flat
    }

    /// A tensor of `shape` whose element `i` is `f(multi-index of i)`.
    static func tensor(_ shape: [Int], _ f: ([Int]) -> Float) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, values: (0..<count).map { f(unravel($0, shape)) })
    }
}
