import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the floating-point operations of matrix products (GEMMs, batched products, fused
/// attention, convolutions) while enabled, to report a model's forward GFLOPs the way fvcore,
/// timm and PyTorch's `FlopCounterMode` do: multiply-adds of products counted as 2 FLOPs each;
/// element-wise work is not counted.
///
/// A measurement counts only the work of the thread that runs it, including the chunks that
/// thread hands to the ``ThreadPool``: products run meanwhile by other threads (other tests, a
/// data loader) are not added to it.
public enum FlopCounter {
    /// The running total of one measurement.
    final class Tally: Sendable {
        let flops = Atomic<Int>(0)
    }

    /// The thread-specific slot holding the tally the thread works for (unretained; the
    /// measurement keeps it alive while it runs).
    private static let slot: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "FlopCounter: no thread-specific key left")
        return key
    }()

    /// The tally this thread adds to, or nil when it is not counting: read by the pool when it
    /// hands out a job and installed in the workers that run it.
    static var currentTally: UnsafeMutableRawPointer? {
        get { pthread_getspecific(slot) }
        set { pthread_setspecific(slot, newValue) }
    }

    /// Runs `body` with counting on for this thread (and the pool's work on its behalf) and
    /// returns the FLOPs it performed. Measurements nest: an inner one counts only its own body.
    public static func measure<R>(_ body: () throws -> R) rethrows -> (result: R, flops: Int) {
        let tally = Tally()
        let outer = currentTally
        currentTally = Unmanaged.passUnretained(tally).toOpaque()
        defer { currentTally = outer }
        let result = try withExtendedLifetime(tally) { try body() }
        let flops = tally.flops.load(ordering: .relaxed)
        if let outer { Unmanaged<Tally>.fromOpaque(outer).takeUnretainedValue().flops.add(flops, ordering: .relaxed) }
        return (result, flops)
    }

    /// Adds `flops` when this thread is counting. Kernels call this once per call, not per element.
    @inline(__always)
    public static func add(_ flops: Int) {
        if let raw = currentTally { Unmanaged<Tally>.fromOpaque(raw).takeUnretainedValue().flops.add(flops, ordering: .relaxed) }
    }
}
