import Testing
import CKernelIntrinsics
@testable import TensorEngine

/// The peak-measuring loops run on whichever of their instruction sets this processor has, give a
/// finite result (their work was done), and the rates they yield are plausible: positive, and more
/// threads no slower than one. The AVX2 loop runs on any x86-64 processor with AVX2 and FMA, so it is
/// tested even where the AVX-512 one is the one the bench uses.
@Suite struct ProcessorPeakTests {
    @Test func loopsComputeOnEveryInstructionSetPresent() {
        let flags = ProcessorFeatures.flags
        if flags.isSuperset(of: ["avx2", "fma"]) { #expect(runner_fma_peak_avx2(1000).isFinite) }
        if ProcessorFeatures.hasAVX512 { #expect(runner_fma_peak_avx512(1000).isFinite) }
        if ProcessorFeatures.hasAVX512 && flags.contains("avx512_bf16") { #expect(runner_bf16_dot_peak_avx512(1000).isFinite) }
    }

    @Test func ratesArePlausible() throws {
        let peak = try #require(ProcessorPeak.float32(threads: 2, seconds: 0.02))
        #expect(peak.instructions == (ProcessorFeatures.hasAVX512 ? "avx512" : "avx2"))
        #expect(peak.oneThread > 1 && peak.oneThread.isFinite)
        #expect(peak.allThreads > 0.5 * peak.oneThread, "\(peak)")
        let bf16 = ProcessorPeak.bfloat16(threads: 2, seconds: 0.02)
        #expect((bf16 != nil) == (ProcessorFeatures.hasAVX512 && ProcessorFeatures.flags.contains("avx512_bf16")))
        if let bf16 { #expect(bf16.oneThread > peak.oneThread, "a dot product does twice the products of an FMA") }
    }

    /// Two measurements combine figure by figure into the higher of each (the bench measures before
    /// and after the model); a rate of another loop or thread count is not mixed in.
    @Test func higherKeepsTheBestOfEachFigure() {
        let before = ProcessorPeak.Rate(instructions: "avx512", oneThread: 240, allThreads: 330, threads: 2)
        let after = ProcessorPeak.Rate(instructions: "avx512", oneThread: 236, allThreads: 485, threads: 2)
        #expect(before.higher(after) == ProcessorPeak.Rate(instructions: "avx512", oneThread: 240, allThreads: 485, threads: 2))
        #expect(before.higher(nil) == before)
        let other = ProcessorPeak.Rate(instructions: "avx2", oneThread: 500, allThreads: 900, threads: 2)
        #expect(before.higher(other) == before)
        let oneThread = ProcessorPeak.Rate(instructions: "avx512", oneThread: 300, allThreads: 300, threads: 1)
        #expect(before.higher(oneThread) == before)
    }
}
