import ArgumentParser
import TensorEngine

/// `runner bench`: throughput figures for the engine's kernels on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the engine's kernels (GEMM shapes of SwinV2-T, layer norm, softmax, GELU).")

    func run() throws {
        print("threads: \(ThreadPool.shared.threadCount)")
    }
}
