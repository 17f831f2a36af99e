import Testing
@testable import TensorEngine

@Suite struct BufferPoolTests {
    @Test func sameSizeClassIsReused() {
        let pool = BufferPool(cacheLimitBytes: 1 << 30)
        let first = pool.allocate(floatCount: 300_000)
        pool.deallocate(first.pointer, bytes: first.bytes)
        let second = pool.allocate(floatCount: 300_000)
        #expect(second.pointer == first.pointer)
        pool.deallocate(second.pointer, bytes: second.bytes)
        pool.trim()
    }

    /// A large request with nothing cached in its own class takes a cached buffer up to 1.5 times
    /// its size, and reports that buffer's real size; a much larger one is not used.
    @Test func largeRequestsTakeASlightlyLargerCachedBuffer() {
        let pool = BufferPool(cacheLimitBytes: 1 << 30)
        let large = pool.allocate(floatCount: 1_200_000)          // 4.8 MB
        pool.deallocate(large.pointer, bytes: large.bytes)
        let smaller = pool.allocate(floatCount: 1_000_000)        // 4 MB: within 1.5×
        #expect(smaller.pointer == large.pointer)
        #expect(smaller.bytes == large.bytes)
        pool.deallocate(smaller.pointer, bytes: smaller.bytes)
        let tiny = pool.allocate(floatCount: 400_000)             // 1.6 MB: the cached one is 3× too big
        #expect(tiny.pointer != large.pointer)
        #expect(tiny.bytes == BufferPool.sizeClass(forBytes: 1_600_000))
        pool.deallocate(tiny.pointer, bytes: tiny.bytes)
        let live = pool.statistics.liveBytes
        #expect(live == 0)
        pool.trim()
    }
}
