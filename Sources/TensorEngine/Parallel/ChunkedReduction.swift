/// Splits `0..<count` into `chunks` contiguous ranges (fewer when `count` is smaller) and runs
/// `body(chunk, range)` on each in parallel; returns the number of chunks used.
///
/// For reductions across items without races: each chunk accumulates into its own partial
/// (indexed by `chunk`), and the caller sums the partials afterwards. With a chunk count that does
/// not depend on timing, the result is the same from run to run.
@discardableResult
func parallelChunks(_ count: Int, chunks: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) -> Int {
    let used = min(max(chunks, 1), count)
    guard used > 0 else { return 0 }
    parallelFor(used, grain: 1) { chunkRange in
        for chunk in chunkRange {
            body(chunk, count * chunk / used ..< count * (chunk + 1) / used)
        }
    }
    return used
}

/// The number of partial accumulators worth using for a reduction over `count` items: one per
/// active thread, but no more than the items.
func partialCount(for count: Int) -> Int {
    max(1, min(count, ThreadPool.shared.activeThreads))
}
