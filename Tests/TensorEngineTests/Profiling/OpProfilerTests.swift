import Foundation
import Testing
import TensorEngine

/// The op-family timer behind `runner bench --profile`.
@Suite(.serialized) struct OpProfilerTests {
    @Test func measuresOnlyWhileStartedAndNeverTwiceWhenNested() {
        // Off: nothing is recorded.
        OpProfiler.measure(.gemm) { usleep(2_000) }
        OpProfiler.start()
        OpProfiler.measure(.gemm) {
            usleep(5_000)
            // A measurement inside another one is not counted again.
            OpProfiler.measure(.softmax) { usleep(5_000) }
        }
        let a = Tensor.full([64, 64], 0.5), b = Tensor.full([64, 64], 0.25)
        _ = Tape.withoutRecording { a.matmul(b) }
        let seconds = OpProfiler.stop()
        #expect((seconds[.gemm] ?? 0) >= 0.009, "\(seconds)")
        #expect(seconds[.softmax] == 0, "\(seconds)")
        #expect(seconds[.layout] == 0)
        OpProfiler.start()
        #expect(OpProfiler.stop().values.allSatisfy { $0 == 0 })
    }
}
