import Synchronization

/// Counts the floating-point operations of matrix products (GEMMs, convolutions) while enabled, to
/// report a model's forward GFLOPs the way fvcore and timm do: multiply-adds of matmuls and
/// convolutions, counted as 2 FLOPs each; element-wise work is not counted.
public enum FlopCounter {
    private static let enabled = Atomic<Bool>(false)
    private static let total = Atomic<Int>(0)

    /// Runs `body` with counting on and returns the FLOPs it performed (its own thread and the pool's).
    public static func measure<R>(_ body: () throws -> R) rethrows -> (result: R, flops: Int) {
        total.store(0, ordering: .relaxed)
        enabled.store(true, ordering: .relaxed)
        defer { enabled.store(false, ordering: .relaxed) }
        let result = try body()
        return (result, total.load(ordering: .relaxed))
    }

    /// Adds `flops` when counting is on. Kernels call this once per call, not per element.
    @inline(__always)
    public static func add(_ flops: Int) {
        if enabled.load(ordering: .relaxed) { total.add(flops, ordering: .relaxed) }
    }
}
