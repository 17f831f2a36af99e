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
        // Strips of 8 destination-contiguous indices, swept along the source-contiguous axis in
        // 8 × 8 register transposes; few cache lines are live at once, whatever the strides.
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
        parallelFor(outerCount * strips, grain: Swift.max(1, (1 << 14) / (strip * extentQ))) { items in
            for item in items {
                let outer = item / strips
                let p0 = (item % strips) * strip, p1 = Swift.min(p0 + strip, extentP)
                let (s, d) = offsets(ofRow: outer, extent: outerExtent, outerSource, outerDestination)
                let src = source + s + p0 * sourceStrideP, dst = destination + d + p0
                var q0 = 0
                if p1 - p0 == strip && sourceStrideP != 0 {
                    // Two blocks stacked along p fill whole 64-byte destination lines.
                    while q0 + 8 <= extentQ {
                        transpose8x8(src + q0, sourceStrideP, dst + q0 * destinationStrideQ, destinationStrideQ,
                                     accumulating: accumulating)
                        transpose8x8(src + 8 * sourceStrideP + q0, sourceStrideP, dst + q0 * destinationStrideQ + 8,
                                     destinationStrideQ, accumulating: accumulating)
                        q0 += 8
                    }
                } else if p1 - p0 >= 8 && sourceStrideP != 0 {
                    while q0 + 8 <= extentQ {
                        transpose8x8(src + q0, sourceStrideP, dst + q0 * destinationStrideQ, destinationStrideQ,
                                     accumulating: accumulating)
                        q0 += 8
                    }
                    // The rest of this strip, below the block, column by column.
                    for j in 0..<q0 {
                        let sourceColumn = src + j, destinationRow = dst + j * destinationStrideQ
                        for i in 8..<(p1 - p0) {
                            if accumulating { destinationRow[i] += sourceColumn[i * sourceStrideP] }
                            else { destinationRow[i] = sourceColumn[i * sourceStrideP] }
                        }
                    }
                }
                for j in q0..<extentQ {
                    let sourceColumn = src + j
                    let destinationRow = dst + j * destinationStrideQ
                    if accumulating {
                        for i in 0..<(p1 - p0) { destinationRow[i] += sourceColumn[i * sourceStrideP] }
                    } else {
                        for i in 0..<(p1 - p0) { destinationRow[i] = sourceColumn[i * sourceStrideP] }
                    }
                }
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

/// `destination[j · dstStride + i] (+)= source[i · srcStride + j]` for an 8 × 8 block: three
/// rounds of a perfect unshuffle over the 64 elements rotate the row and column index bits.
@inline(__always)
private func transpose8x8(_ source: UnsafePointer<Float>, _ sourceStride: Int,
                          _ destination: UnsafeMutablePointer<Float>, _ destinationStride: Int,
                          accumulating: Bool) {
    typealias V = SIMD8<Float>
    let s = UnsafeRawPointer(source), rowBytes = sourceStride * 4
    var r0 = s.loadUnaligned(as: V.self), r1 = s.loadUnaligned(fromByteOffset: rowBytes, as: V.self)
    var r2 = s.loadUnaligned(fromByteOffset: 2 * rowBytes, as: V.self)
    var r3 = s.loadUnaligned(fromByteOffset: 3 * rowBytes, as: V.self)
    var r4 = s.loadUnaligned(fromByteOffset: 4 * rowBytes, as: V.self)
    var r5 = s.loadUnaligned(fromByteOffset: 5 * rowBytes, as: V.self)
    var r6 = s.loadUnaligned(fromByteOffset: 6 * rowBytes, as: V.self)
    var r7 = s.loadUnaligned(fromByteOffset: 7 * rowBytes, as: V.self)
    for _ in 0..<3 {
        let n0 = V(lowHalf: r0.evenHalf, highHalf: r1.evenHalf), n1 = V(lowHalf: r2.evenHalf, highHalf: r3.evenHalf)
        let n2 = V(lowHalf: r4.evenHalf, highHalf: r5.evenHalf), n3 = V(lowHalf: r6.evenHalf, highHalf: r7.evenHalf)
        let n4 = V(lowHalf: r0.oddHalf, highHalf: r1.oddHalf), n5 = V(lowHalf: r2.oddHalf, highHalf: r3.oddHalf)
        let n6 = V(lowHalf: r4.oddHalf, highHalf: r5.oddHalf), n7 = V(lowHalf: r6.oddHalf, highHalf: r7.oddHalf)
        (r0, r1, r2, r3, r4, r5, r6, r7) = (n0, n1, n2, n3, n4, n5, n6, n7)
    }
    let d = UnsafeMutableRawPointer(destination), columnBytes = destinationStride * 4
    if accumulating {
        r0 += d.loadUnaligned(as: V.self)
        r1 += d.loadUnaligned(fromByteOffset: columnBytes, as: V.self)
        r2 += d.loadUnaligned(fromByteOffset: 2 * columnBytes, as: V.self)
        r3 += d.loadUnaligned(fromByteOffset: 3 * columnBytes, as: V.self)
        r4 += d.loadUnaligned(fromByteOffset: 4 * columnBytes, as: V.self)
        r5 += d.loadUnaligned(fromByteOffset: 5 * columnBytes, as: V.self)
        r6 += d.loadUnaligned(fromByteOffset: 6 * columnBytes, as: V.self)
        r7 += d.loadUnaligned(fromByteOffset: 7 * columnBytes, as: V.self)
    }
    d.storeBytes(of: r0, as: V.self)
    d.storeBytes(of: r1, toByteOffset: columnBytes, as: V.self)
    d.storeBytes(of: r2, toByteOffset: 2 * columnBytes, as: V.self)
    d.storeBytes(of: r3, toByteOffset: 3 * columnBytes, as: V.self)
    d.storeBytes(of: r4, toByteOffset: 4 * columnBytes, as: V.self)
    d.storeBytes(of: r5, toByteOffset: 5 * columnBytes, as: V.self)
    d.storeBytes(of: r6, toByteOffset: 6 * columnBytes, as: V.self)
    d.storeBytes(of: r7, toByteOffset: 7 * columnBytes, as: V.self)
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
