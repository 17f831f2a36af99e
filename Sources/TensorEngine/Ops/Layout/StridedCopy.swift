/// The one copy kernel behind every layout op: permute, slice, pad, crop, concatenate, split, roll
/// and broadcast all move a box of elements from one strided layout to another.
///
/// A plan walks `extent` (one count per axis) and reads the source at `Σ index[k] · sourceStrides[k]`
/// and writes the destination at `Σ index[k] · destinationStrides[k]`, both relative to the base
/// pointers given to ``run(from:to:accumulating:)``. A source stride of 0 repeats elements
/// (broadcast); destination strides never repeat an element, so the kernel may run in parallel.
struct StridedCopyPlan {
    /// Extents after dropping unit axes and merging axes that are contiguous in both layouts.
    private(set) var extent: [Int]
    private(set) var sourceStrides: [Int]
    private(set) var destinationStrides: [Int]
    /// Whether the box holds no element at all.
    private(set) var isEmpty: Bool

    init(extent: [Int], sourceStrides: [Int], destinationStrides: [Int]) {
        precondition(extent.count == sourceStrides.count && extent.count == destinationStrides.count)
        isEmpty = extent.contains(0)
        // Walk from the innermost axis outwards, folding an axis into the one inside it when the
        // pair is one run in both layouts (outer stride = inner stride × inner extent).
        var e: [Int] = [], s: [Int] = [], d: [Int] = []
        for axis in stride(from: extent.count - 1, through: 0, by: -1) where extent[axis] != 1 {
            if let innerExtent = e.last, s.last! &* innerExtent == sourceStrides[axis],
               d.last! &* innerExtent == destinationStrides[axis] {
                e[e.count - 1] = innerExtent &* extent[axis]
            } else {
                e.append(extent[axis]); s.append(sourceStrides[axis]); d.append(destinationStrides[axis])
            }
        }
        self.extent = e.reversed()
        self.sourceStrides = s.reversed()
        self.destinationStrides = d.reversed()
    }

    /// A plan whose source is a whole contiguous tensor of shape `extent`.
    init(extent: [Int], destinationStrides: [Int]) {
        self.init(extent: extent, sourceStrides: Shape.strides(extent), destinationStrides: destinationStrides)
    }

    /// Copies (or, with `accumulating`, adds) the box from `source` into `destination`.
    func run(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
             accumulating: Bool = false) {
        OpProfiler.measure(.layout) {
            if isEmpty { return }
            let rank = extent.count
            if rank == 0 {
                if accumulating { destination[0] += source[0] } else { destination[0] = source[0] }
                return
            }
            if sourceStrides[rank - 1] == 1 && destinationStrides[rank - 1] == 1 {
                copyRuns(from: source, to: destination, accumulating: accumulating)
            } else if let p = destinationStrides.firstIndex(of: 1), let q = sourceStrides.firstIndex(of: 1), p != q {
                copyTiles(dstContiguousAxis: p, srcContiguousAxis: q, from: source, to: destination,
                          accumulating: accumulating)
            } else {
                copyStridedRows(from: source, to: destination, accumulating: accumulating)
            }
        }
    }

    // MARK: Contiguous runs: the innermost axis is unit-stride on both sides.

    private func copyRuns(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                          accumulating: Bool) {
        let rank = extent.count
        let length = extent[rank - 1]
        let outerExtent = Array(extent.dropLast())
        let outerSource = Array(sourceStrides.dropLast())
        let outerDestination = Array(destinationStrides.dropLast())
        let rows = Shape.elementCount(outerExtent)
        let pieceLength = 1 << 15
        if rows < 8 && length >= 2 * pieceLength {
            // Few long runs (concatenating along axis 0, plain copies): split each run instead.
            let pieces = (length + pieceLength - 1) / pieceLength
            parallelFor(rows * pieces, grain: 1) { items in
                for item in items {
                    let row = item / pieces, piece = item % pieces
                    let (s, d) = offsets(ofRow: row, extent: outerExtent, outerSource, outerDestination)
                    let start = piece * pieceLength, count = Swift.min(pieceLength, length - start)
                    copyRun(source + s + start, destination + d + start, count, accumulating)
                }
            }
            return
        }
        parallelFor(rows, grain: Swift.max(1, (1 << 14) / length)) { range in
            forEachRow(range, extent: outerExtent, outerSource, outerDestination) { s, d in
                copyRun(source + s, destination + d, length, accumulating)
            }
        }
    }

    // MARK: Tiled transpose: the destination's unit-stride axis is not the source's.

    private func copyTiles(dstContiguousAxis p: Int, srcContiguousAxis q: Int,
                           from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                           accumulating: Bool) {
        // Strips of 16 destination-contiguous indices swept along the source-contiguous axis:
        // 16 source rows stream in, each destination line is written whole, once.
        let extentP = extent[p], extentQ = extent[q]
        let sourceStrideP = sourceStrides[p], destinationStrideQ = destinationStrides[q]
        var outerExtent: [Int] = [], outerSource: [Int] = [], outerDestination: [Int] = []
        for axis in 0..<extent.count where axis != p && axis != q {
            outerExtent.append(extent[axis])
            outerSource.append(sourceStrides[axis])
            outerDestination.append(destinationStrides[axis])
        }
        let outerCount = Shape.elementCount(outerExtent)
        let strip = 16
        let strips = (extentP + strip - 1) / strip
        parallelFor(outerCount * strips, grain: Swift.max(1, (1 << 14) / (Swift.min(strip, extentP) * extentQ))) { items in
            for item in items {
                let outer = item / strips
                let p0 = (item % strips) * strip
                let (s, d) = offsets(ofRow: outer, extent: outerExtent, outerSource, outerDestination)
                transposeTile(source + s + p0 * sourceStrideP, sourceStrideP, destination + d + p0, destinationStrideQ,
                              rows: Swift.min(strip, extentP - p0), columns: extentQ, accumulating: accumulating)
            }
        }
    }

    // MARK: Anything else: strided inner loop (e.g. a stepped slice of the last axis).

    private func copyStridedRows(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                                 accumulating: Bool) {
        let rank = extent.count
        let length = extent[rank - 1]
        let innerSource = sourceStrides[rank - 1], innerDestination = destinationStrides[rank - 1]
        let outerExtent = Array(extent.dropLast())
        let outerSource = Array(sourceStrides.dropLast())
        let outerDestination = Array(destinationStrides.dropLast())
        let rows = Shape.elementCount(outerExtent)
        parallelFor(rows, grain: Swift.max(1, (1 << 13) / length)) { range in
            forEachRow(range, extent: outerExtent, outerSource, outerDestination) { s, d in
                let src = source + s, dst = destination + d
                if accumulating {
                    for j in 0..<length { dst[j * innerDestination] += src[j * innerSource] }
                } else {
                    for j in 0..<length { dst[j * innerDestination] = src[j * innerSource] }
                }
            }
        }
    }
}

/// `destination[j · dstStride + i] (+)= source[i · srcStride + j]` for an 8 × 8 block, in
/// registers: the classic unpack / shuffle / 128-bit-lane swap sequence (24 shuffles).
@inline(__always)
private func transpose8x8(_ source: UnsafePointer<Float>, _ sourceStride: Int,
                          _ destination: UnsafeMutablePointer<Float>, _ destinationStride: Int,
                          accumulating: Bool) {
    typealias V = SIMD8<Float>
    let s = UnsafeRawPointer(source), rowBytes = sourceStride * 4
    let r0 = s.loadUnaligned(as: V.self), r1 = s.loadUnaligned(fromByteOffset: rowBytes, as: V.self)
    let r2 = s.loadUnaligned(fromByteOffset: 2 * rowBytes, as: V.self)
    let r3 = s.loadUnaligned(fromByteOffset: 3 * rowBytes, as: V.self)
    let r4 = s.loadUnaligned(fromByteOffset: 4 * rowBytes, as: V.self)
    let r5 = s.loadUnaligned(fromByteOffset: 5 * rowBytes, as: V.self)
    let r6 = s.loadUnaligned(fromByteOffset: 6 * rowBytes, as: V.self)
    let r7 = s.loadUnaligned(fromByteOffset: 7 * rowBytes, as: V.self)
    @inline(__always) func unpackLow(_ a: V, _ b: V) -> V { V(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5]) }
    @inline(__always) func unpackHigh(_ a: V, _ b: V) -> V { V(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7]) }
    @inline(__always) func pairsLow(_ a: V, _ b: V) -> V { V(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5]) }
    @inline(__always) func pairsHigh(_ a: V, _ b: V) -> V { V(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7]) }
    let t0 = unpackLow(r0, r1), t1 = unpackHigh(r0, r1), t2 = unpackLow(r2, r3), t3 = unpackHigh(r2, r3)
    let t4 = unpackLow(r4, r5), t5 = unpackHigh(r4, r5), t6 = unpackLow(r6, r7), t7 = unpackHigh(r6, r7)
    // u_k holds columns k and k + 4 of four rows, one per 128-bit lane.
    let u0 = pairsLow(t0, t2), u1 = pairsHigh(t0, t2), u2 = pairsLow(t1, t3), u3 = pairsHigh(t1, t3)
    let u4 = pairsLow(t4, t6), u5 = pairsHigh(t4, t6), u6 = pairsLow(t5, t7), u7 = pairsHigh(t5, t7)
    var c0 = V(lowHalf: u0.lowHalf, highHalf: u4.lowHalf), c4 = V(lowHalf: u0.highHalf, highHalf: u4.highHalf)
    var c1 = V(lowHalf: u1.lowHalf, highHalf: u5.lowHalf), c5 = V(lowHalf: u1.highHalf, highHalf: u5.highHalf)
    var c2 = V(lowHalf: u2.lowHalf, highHalf: u6.lowHalf), c6 = V(lowHalf: u2.highHalf, highHalf: u6.highHalf)
    var c3 = V(lowHalf: u3.lowHalf, highHalf: u7.lowHalf), c7 = V(lowHalf: u3.highHalf, highHalf: u7.highHalf)
    let d = UnsafeMutableRawPointer(destination), columnBytes = destinationStride * 4
    if accumulating {
        c0 += d.loadUnaligned(as: V.self)
        c1 += d.loadUnaligned(fromByteOffset: columnBytes, as: V.self)
        c2 += d.loadUnaligned(fromByteOffset: 2 * columnBytes, as: V.self)
        c3 += d.loadUnaligned(fromByteOffset: 3 * columnBytes, as: V.self)
        c4 += d.loadUnaligned(fromByteOffset: 4 * columnBytes, as: V.self)
        c5 += d.loadUnaligned(fromByteOffset: 5 * columnBytes, as: V.self)
        c6 += d.loadUnaligned(fromByteOffset: 6 * columnBytes, as: V.self)
        c7 += d.loadUnaligned(fromByteOffset: 7 * columnBytes, as: V.self)
    }
    d.storeBytes(of: c0, as: V.self)
    d.storeBytes(of: c1, toByteOffset: columnBytes, as: V.self)
    d.storeBytes(of: c2, toByteOffset: 2 * columnBytes, as: V.self)
    d.storeBytes(of: c3, toByteOffset: 3 * columnBytes, as: V.self)
    d.storeBytes(of: c4, toByteOffset: 4 * columnBytes, as: V.self)
    d.storeBytes(of: c5, toByteOffset: 5 * columnBytes, as: V.self)
    d.storeBytes(of: c6, toByteOffset: 6 * columnBytes, as: V.self)
    d.storeBytes(of: c7, toByteOffset: 7 * columnBytes, as: V.self)
}

/// `destination[j · dstStride + i] (+)= source[i · srcStride + j]` for `i < rows` (at most 16),
/// `j < columns`: 8 × 8 register transposes where the block is full, element by element elsewhere.
@inline(__always)
private func transposeTile(_ src: UnsafePointer<Float>, _ sourceStride: Int,
                           _ dst: UnsafeMutablePointer<Float>, _ destinationStride: Int,
                           rows: Int, columns: Int, accumulating: Bool) {
    var q0 = 0
    if sourceStride != 0 && rows >= 8 {
        let s8 = 8 * sourceStride
        while q0 + 8 <= columns {
            let s = src + q0, d = dst + q0 * destinationStride
            transpose8x8(s, sourceStride, d, destinationStride, accumulating: accumulating)
            if rows == 16 {
                transpose8x8(s + s8, sourceStride, d + 8, destinationStride, accumulating: accumulating)
            }
            q0 += 8
        }
    }
    let blockRows = q0 == 0 ? 0 : (rows == 16 ? 16 : 8)
    // Rows below the register blocks, then the columns right of them.
    for j in 0..<q0 {
        let sourceColumn = src + j, destinationRow = dst + j * destinationStride
        for i in blockRows..<rows {
            if accumulating { destinationRow[i] += sourceColumn[i * sourceStride] }
            else { destinationRow[i] = sourceColumn[i * sourceStride] }
        }
    }
    for j in q0..<columns {
        let sourceColumn = src + j, destinationRow = dst + j * destinationStride
        for i in 0..<rows {
            if accumulating { destinationRow[i] += sourceColumn[i * sourceStride] }
            else { destinationRow[i] = sourceColumn[i * sourceStride] }
        }
    }
}

@inline(__always)
private func copyRun(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                     _ count: Int, _ accumulating: Bool) {
    if accumulating {
        for j in 0..<count { destination[j] += source[j] }
    } else if count <= 64 {
        // Short runs (a head's 32 channels): an inline loop beats a call to memmove.
        for j in 0..<count { destination[j] = source[j] }
    } else {
        destination.update(from: source, count: count)
    }
}

/// Source and destination offsets of flat index `row` over `extent` (row-major).
@inline(__always)
private func offsets(ofRow row: Int, extent: [Int], _ sourceStrides: [Int], _ destinationStrides: [Int]) -> (Int, Int) {
    var remainder = row, s = 0, d = 0
    for axis in stride(from: extent.count - 1, through: 0, by: -1) {
        let index = remainder % extent[axis]
        remainder /= extent[axis]
        s += index * sourceStrides[axis]
        d += index * destinationStrides[axis]
    }
    return (s, d)
}

/// Calls `body(sourceOffset, destinationOffset)` for each flat index in `range` over `extent`,
/// stepping the multi-index like an odometer instead of dividing per row.
@inline(__always)
private func forEachRow(_ range: Range<Int>, extent: [Int], _ sourceStrides: [Int], _ destinationStrides: [Int],
                        _ body: (Int, Int) -> Void) {
    let rank = extent.count
    if rank == 0 {
        for _ in range { body(0, 0) }
        return
    }
    extent.withUnsafeBufferPointer { extent in
    sourceStrides.withUnsafeBufferPointer { sourceStrides in
    destinationStrides.withUnsafeBufferPointer { destinationStrides in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
            var remainder = range.lowerBound, s = 0, d = 0
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                index[axis] = remainder % extent[axis]
                remainder /= extent[axis]
                s += index[axis] * sourceStrides[axis]
                d += index[axis] * destinationStrides[axis]
            }
            let last = rank - 1
            let innerExtent = extent[last], innerSource = sourceStrides[last], innerDestination = destinationStrides[last]
            for _ in range {
                body(s, d)
                index[last] += 1
                s += innerSource
                d += innerDestination
                if index[last] < innerExtent { continue }
                var axis = last
                while axis >= 0 {
                    if index[axis] < extent[axis] { break }
                    s -= index[axis] * sourceStrides[axis]
                    d -= index[axis] * destinationStrides[axis]
                    index[axis] = 0
                    if axis == 0 { break }
                    index[axis - 1] += 1
                    s += sourceStrides[axis - 1]
                    d += destinationStrides[axis - 1]
                    axis -= 1
                }
            }
        }
    }
    }
    }
}
