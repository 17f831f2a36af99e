#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The op families `runner bench --profile` reports time for.
public enum OpFamily: Int, CaseIterable, Sendable {
    case gemm, attention, softmax, normalization, elementwise, layout, loss, optimizer

    public var label: String {
        switch self {
        case .gemm: "GEMM (linear, attention products, convolutions)"
        case .attention: "fused attention (products and softmax per window)"
        case .softmax: "softmax"
        case .normalization: "norms (layer, batch, L2)"
        case .elementwise: "elementwise (GELU, arithmetic)"
        case .layout: "layout copies (permute, roll, pad, slice)"
        case .loss: "loss"
        case .optimizer: "optimizer"
        }
    }
}

/// Wall time per op family while enabled, measured around each op's kernel on the thread that
/// enabled profiling (the thread that runs the model); a kernel reached from inside another
/// measured kernel, or from a pool worker, is not counted again. Off, a measurement costs one
/// relaxed atomic load.
public enum OpProfiler {
    private static let enabled = Atomic<Bool>(false)
    private static let owner = Atomic<UInt>(0)
    // Touched only by the owner thread (checked before every access).
    private nonisolated(unsafe) static var depth = 0
    private nonisolated(unsafe) static var nanoseconds = [Int](repeating: 0, count: OpFamily.allCases.count)

    /// Starts measuring on the calling thread, from zero.
    public static func start() {
        nanoseconds = [Int](repeating: 0, count: OpFamily.allCases.count)
        depth = 0
        owner.store(currentThread(), ordering: .relaxed)
        enabled.store(true, ordering: .relaxed)
    }

    /// Stops measuring and returns seconds per family. Call on the thread that called ``start()``.
    public static func stop() -> [OpFamily: Double] {
        enabled.store(false, ordering: .relaxed)
        var seconds: [OpFamily: Double] = [:]
        for family in OpFamily.allCases { seconds[family] = Double(nanoseconds[family.rawValue]) / 1e9 }
        return seconds
    }

    /// Runs `body`, adding its wall time to `family` when profiling is on, this is the profiling
    /// thread, and no other measurement is open.
    @inline(__always)
    public static func measure<R>(_ family: OpFamily, _ body: () throws -> R) rethrows -> R {
        guard enabled.load(ordering: .relaxed) else { return try body() }
        return try measured(family, body)
    }

    @inline(never)
    static func measured<R>(_ family: OpFamily, _ body: () throws -> R) rethrows -> R {
        guard currentThread() == owner.load(ordering: .relaxed),
              depth == 0 else { return try body() }
        depth += 1
        let begin = monotonicNanoseconds()
        defer {
            nanoseconds[family.rawValue] += monotonicNanoseconds() - begin
            depth -= 1
        }
        return try body()
    }

    static func currentThread() -> UInt {
        #if canImport(Glibc)
        UInt(pthread_self())
        #else
        UInt(bitPattern: pthread_self())
        #endif
    }

    static func monotonicNanoseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }
}
