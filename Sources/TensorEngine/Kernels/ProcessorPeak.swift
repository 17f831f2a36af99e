import Foundation
import CKernelIntrinsics

/// The processor's arithmetic peak, measured: register-only loops of independent multiply-adds in
/// the widest vector unit the processor has (AVX-512 F, else AVX2 + FMA), and for bfloat16 the
/// `vdpbf16ps` dot-product instruction where the processor has AVX512-BF16. A model's FLOP
/// utilisation is its FLOPs per second over this — the machine's limit, whatever kernels OpenBLAS
/// happens to use.
public enum ProcessorPeak {
    /// A measured rate.
    public struct Rate: Sendable, Equatable {
        /// The instruction set of the loop: `avx512`, `avx2`, `avx512-bf16`.
        public let instructions: String
        /// GFLOP/s on one thread.
        public let oneThread: Double
        /// GFLOP/s on `threads` threads at once.
        public let allThreads: Double
        public let threads: Int

        /// The higher of this rate and `other` (same loop and threads), figure by figure: a peak
        /// is the most the processor gave, and on a shared machine one measurement can land while
        /// a neighbour holds a core (two threads then read as one and a half).
        public func higher(_ other: Rate?) -> Rate {
            guard let other, other.instructions == instructions, other.threads == threads else { return self }
            return Rate(instructions: instructions, oneThread: max(oneThread, other.oneThread),
                        allThreads: max(allThreads, other.allThreads), threads: threads)
        }
    }

    /// The float32 FMA peak on one thread and on `threads` of the engine's pool, or `nil` on a
    /// processor without AVX2 + FMA. Takes about `seconds` per figure.
    public static func float32(threads: Int = ThreadPool.shared.activeThreads, seconds: Double = 0.2) -> Rate? {
        if ProcessorFeatures.hasAVX512 {
            return measure("avx512", flopsPerRound: 512, threads: threads, seconds: seconds) { runner_fma_peak_avx512($0) }
        }
        guard ProcessorFeatures.flags.isSuperset(of: ["avx2", "fma"]) else { return nil }
        return measure("avx2", flopsPerRound: 192, threads: threads, seconds: seconds) { runner_fma_peak_avx2($0) }
    }

    /// The bfloat16 dot-product peak (`vdpbf16ps`, counted as 2 flops per product), or `nil` where
    /// the processor lacks AVX512-BF16.
    public static func bfloat16(threads: Int = ThreadPool.shared.activeThreads, seconds: Double = 0.2) -> Rate? {
        guard ProcessorFeatures.hasBFloat16 else { return nil }
        return measure("avx512-bf16", flopsPerRound: 1024, threads: threads, seconds: seconds) { runner_bf16_dot_peak_avx512($0) }
    }

    /// Times `loop` on one thread, then on `threads` at once (one copy per thread of the pool).
    /// The loops are compiled apart (fma_peak.c), so each call is opaque and its work is kept.
    static func measure(_ name: String, flopsPerRound: Double, threads: Int, seconds: Double,
                        _ loop: @escaping (Int) -> Float) -> Rate {
        // Calibrate to about `seconds` on one thread.
        var rounds = 1 << 16
        var elapsed = 0.0
        while true {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = loop(rounds)
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if elapsed >= seconds / 4 || rounds >= 1 << 40 { break }
            rounds *= 4
        }
        rounds = max(1, Int(Double(rounds) * seconds / max(elapsed, 1e-9)))
        func best(_ body: () -> Void) -> Double {
            var fastest = Double.infinity
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return fastest
        }
        let one = best { _ = loop(rounds) }
        let pool = ThreadPool.shared
        let saved = pool.activeThreads
        pool.setActiveThreads(threads)
        defer { pool.setActiveThreads(saved) }
        let used = pool.activeThreads
        let all = best { parallelForEvenly(used) { range in for _ in range { _ = loop(rounds) } } }
        let flops = flopsPerRound * Double(rounds)
        return Rate(instructions: name, oneThread: flops / one / 1e9, allThreads: flops * Double(used) / all / 1e9, threads: used)
    }
}
