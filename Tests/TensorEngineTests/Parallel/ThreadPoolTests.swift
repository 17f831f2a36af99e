import Testing
import TensorEngine

@Suite struct ThreadPoolTests {
    @Test func coversEveryIndexOnce() {
        for count in [0, 1, 7, 1000, 100_003] {
            let hits = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0)
            defer { hits.deallocate() }
            parallelFor(count, grain: 1) { range in for i in range { hits[i] += 1 } }
            #expect(hits.prefix(count).allSatisfy { $0 == 1 })
        }
    }

    @Test func nestedRegionsRunInline() {
        let total = UnsafeMutableBufferPointer<Int>.allocate(capacity: 64)
        total.initialize(repeating: 0)
        defer { total.deallocate() }
        parallelFor(8, grain: 1) { outer in
            for i in outer { parallelFor(8, grain: 1) { inner in for j in inner { total[i * 8 + j] += 1 } } }
        }
        #expect(total.allSatisfy { $0 == 1 })
    }
}
