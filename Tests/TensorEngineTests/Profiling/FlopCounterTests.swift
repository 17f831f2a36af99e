import Foundation
import Synchronization
import Testing
import TensorEngine

/// The FLOP counter behind `runner models` and `runner bench`'s forward GFLOPs.
@Suite struct FlopCounterTests {
    /// A product split over the pool is counted once, whole, by the thread that measures it.
    @Test func countsPoolWorkOnBehalfOfTheMeasuringThread() {
        let a = Tensor.full([512, 256], 0.5), b = Tensor.full([256, 384], 0.25)
        let flops = Tape.withoutRecording { FlopCounter.measure { a.matmul(b) }.flops }
        #expect(flops == 2 * 512 * 256 * 384)
    }

    /// Products other threads run meanwhile are not added to a measurement, and nothing is
    /// counted outside one.
    @Test func ignoresOtherThreadsProducts() async {
        let a = Tensor.full([256, 128], 0.5), b = Tensor.full([128, 64], 0.25)
        let stop = Atomic(false)
        let others = Thread {
            while !stop.load(ordering: .relaxed) { _ = Tape.withoutRecording { a.matmul(b) } }
        }
        others.start()
        for _ in 0..<20 {
            let flops = Tape.withoutRecording { FlopCounter.measure { a.matmul(b) }.flops }
            #expect(flops == 2 * 256 * 128 * 64)
        }
        stop.store(true, ordering: .relaxed)
    }

    /// An inner measurement counts its own body; the outer one counts everything.
    @Test func measurementsNest() {
        let a = Tensor.full([64, 32], 1), b = Tensor.full([32, 16], 1)
        let (inner, outer) = Tape.withoutRecording {
            FlopCounter.measure { () -> Int in
                _ = a.matmul(b)
                return FlopCounter.measure { a.matmul(b) }.flops
            }
        }
        #expect(inner == 2 * 64 * 32 * 16)
        #expect(outer == 2 * inner)
    }
}
