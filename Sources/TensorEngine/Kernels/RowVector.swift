/// Eight-lane loads, stores and short reductions over contiguous rows of floats, for the
/// normalisation, convolution and pooling kernels. Rows are short (one channel row, one image
/// row) and sit in L1, so these favour simple unrolled loops with a scalar tail.
enum RowVector {
    typealias Lanes = SIMD8<Float>

    /// Eight floats at `pointer` (any alignment).
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func load(_ pointer: UnsafeMutablePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    /// Stores eight floats at `pointer` (any alignment).
    @inline(__always)
    static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }

    /// `Σ row[i]` over `count` floats, with two vector accumulators.
    @inline(__always)
    static func sum(_ row: UnsafePointer<Float>, _ count: Int) -> Float {
        var a = Lanes(), b = Lanes()
        var i = 0
        while i + 16 <= count {
            a += load(row + i)
            b += load(row + i + 8)
            i += 16
        }
        if i + 8 <= count { a += load(row + i); i += 8 }
        var total = (a + b).sum()
        while i < count { total += row[i]; i += 1 }
        return total
    }

    /// `Σ (row[i] − shift)²` over `count` floats.
    @inline(__always)
    static func sumOfSquaredDeviations(_ row: UnsafePointer<Float>, _ count: Int, from shift: Float) -> Float {
        let s = Lanes(repeating: shift)
        var a = Lanes(), b = Lanes()
        var i = 0
        while i + 16 <= count {
            let d0 = load(row + i) - s, d1 = load(row + i + 8) - s
            a.addProduct(d0, d0)
            b.addProduct(d1, d1)
            i += 16
        }
        if i + 8 <= count { let d = load(row + i) - s; a.addProduct(d, d); i += 8 }
        var total = (a + b).sum()
        while i < count { let d = row[i] - shift; total += d * d; i += 1 }
        return total
    }

    /// `Σ a[i]·b[i]` over `count` floats.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
        var a = Lanes(), b = Lanes()
        var i = 0
        while i + 16 <= count {
            a.addProduct(load(x + i), load(y + i))
            b.addProduct(load(x + i + 8), load(y + i + 8))
            i += 16
        }
        if i + 8 <= count { a.addProduct(load(x + i), load(y + i)); i += 8 }
        var total = (a + b).sum()
        while i < count { total += x[i] * y[i]; i += 1 }
        return total
    }

    /// `destination[i] += scale · source[i]` over `count` floats.
    @inline(__always)
    static func addScaled(_ source: UnsafePointer<Float>, _ scale: Float, into destination: UnsafeMutablePointer<Float>,
                          _ count: Int) {
        let s = Lanes(repeating: scale)
        var i = 0
        while i + 8 <= count {
            var d = load(destination + i)
            d.addProduct(s, load(source + i))
            store(d, destination + i)
            i += 8
        }
        while i < count { destination[i] += scale * source[i]; i += 1 }
    }

    /// `destination[i] = scale · source[i]` over `count` floats.
    @inline(__always)
    static func scale(_ source: UnsafePointer<Float>, _ scale: Float, into destination: UnsafeMutablePointer<Float>,
                      _ count: Int) {
        let s = Lanes(repeating: scale)
        var i = 0
        while i + 8 <= count {
            store(load(source + i) * s, destination + i)
            i += 8
        }
        while i < count { destination[i] = source[i] * scale; i += 1 }
    }

    /// `row[i] = residual[i] + row[i] · scale` over `count` floats (the product rounded before
    /// the sum, as a separate scaling and addition would).
    @inline(__always)
    static func scaleAdding(_ row: UnsafeMutablePointer<Float>, _ scale: Float, residual: UnsafePointer<Float>, _ count: Int) {
        let s = Lanes(repeating: scale)
        var i = 0
        while i + 8 <= count {
            store(load(residual + i) + load(row + i) * s, row + i)
            i += 8
        }
        while i < count { row[i] = residual[i] + row[i] * scale; i += 1 }
    }

    /// `destination[i] += source[i]` over `count` floats.
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(destination + i) + load(source + i), destination + i)
            i += 8
        }
        while i < count { destination[i] += source[i]; i += 1 }
    }
}

extension RowVector {
    /// `(Σ (row[i] − shift), Σ (row[i] − shift)²)` over `count` floats in one pass. Shifting by a
    /// value near the mean (e.g. the first element) keeps the variance that follows accurate.
    @inline(__always)
    static func shiftedMoments(_ row: UnsafePointer<Float>, _ count: Int, shift: Float) -> (sum: Float, squares: Float) {
        let s = Lanes(repeating: shift)
        var sum0 = Lanes(), sum1 = Lanes(), squares0 = Lanes(), squares1 = Lanes()
        var i = 0
        while i + 16 <= count {
            let d0 = load(row + i) - s, d1 = load(row + i + 8) - s
            sum0 += d0
            sum1 += d1
            squares0.addProduct(d0, d0)
            squares1.addProduct(d1, d1)
            i += 16
        }
        if i + 8 <= count {
            let d = load(row + i) - s
            sum0 += d
            squares0.addProduct(d, d)
            i += 8
        }
        var sum = (sum0 + sum1).sum(), squares = (squares0 + squares1).sum()
        while i < count { let d = row[i] - shift; sum += d; squares += d * d; i += 1 }
        return (sum, squares)
    }
}
