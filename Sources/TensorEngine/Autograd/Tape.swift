#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The record of differentiable ops run on the current thread since the last ``Tensor/backward()``.
///
/// Each op that has an input requiring a gradient appends an entry holding its output's
/// ``GradientSlot`` (not the output, whose values may go as soon as the forward pass is done with
/// them) and a closure that turns the output's gradient into its inputs' gradients; the closure
/// keeps only the operands its backward reads. ``Tensor/backward()`` replays the entries in
/// reverse, dropping each one after it has run, so activations are released as the backward pass
/// goes rather than at its end. Inside ``Tape/withoutRecording(_:)`` (evaluation) nothing is
/// recorded and no activation is kept.
///
/// The tape and the recording flag belong to the calling thread, so independent computations on
/// different threads (tests, loader threads) never see each other's entries. Kernels that fan out
/// through ``parallelFor`` never touch the tape.
public final class Tape {
    struct Entry {
        /// The output's gradient slot, not the output: its values need not outlive the forward pass.
        let output: GradientSlot
        let backward: (Tensor) -> Void
    }

    var entries: [Entry] = []
    var recordingDisabledDepth = 0

    /// Whether ops on this thread are recorded now.
    public static var isRecording: Bool { current.recordingDisabledDepth == 0 }

    /// The number of entries waiting on this thread's tape.
    public static var entryCount: Int { current.entries.count }

    /// Runs `body` with recording off: the `torch.no_grad()` of this engine, for evaluation.
    public static func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
        let tape = current
        tape.recordingDisabledDepth += 1
        defer { tape.recordingDisabledDepth -= 1 }
        return try body()
    }

    /// Drops every recorded entry (and the activations they hold) without computing gradients.
    public static func discard() {
        current.entries.removeAll(keepingCapacity: true)
    }

    /// Whether an op over `inputs` must be recorded.
    @inlinable
    public static func needsRecording(_ inputs: Tensor...) -> Bool {
        needsRecording(inputs)
    }

    /// Whether an op over `inputs` must be recorded.
    public static func needsRecording(_ inputs: [Tensor]) -> Bool {
        guard inputs.contains(where: { $0.requiresGrad }) else { return false }
        return isRecording
    }

    /// Records that `output` was computed from inputs needing gradients. `backward` receives the
    /// gradient of `output` (same shape) and must accumulate into its inputs with
    /// ``Tensor/accumulateGrad(_:)``. Call only when ``needsRecording(_:)-([Tensor])`` is true.
    public static func record(_ output: Tensor, backward: @escaping (Tensor) -> Void) {
        output.requiresGrad = true
        output.isLeaf = false
        current.entries.append(Entry(output: output.gradientSlot, backward: backward))
    }

    /// The tape of the calling thread.
    static var current: Tape {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<Tape>.fromOpaque(raw).takeUnretainedValue()
        }
        let tape = Tape()
        pthread_setspecific(key, Unmanaged.passRetained(tape).toOpaque())
        return tape
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            #if canImport(Darwin)
            Unmanaged<Tape>.fromOpaque(raw).release()
            #else
            if let raw { Unmanaged<Tape>.fromOpaque(raw).release() }
            #endif
        }
        return key
    }()

    func runBackward(from root: Tensor, seed: Tensor) {
        guard root.requiresGrad else {
            EngineError.fail("backward", "the tensor does not depend on anything that requires a gradient")
        }
        root.accumulateGrad(seed)
        var replay = entries
        entries.removeAll(keepingCapacity: true)
        recordingDisabledDepth += 1
        defer { recordingDisabledDepth -= 1 }
        while let entry = replay.popLast() {
            guard let gradient = entry.output.grad else { continue }
            // A non-leaf's gradient is complete once its producer runs; free it right after.
            entry.output.grad = nil
            entry.backward(gradient)
        }
    }
}

extension Tensor {
    /// Computes the gradients of this scalar with respect to every leaf that requires one,
    /// accumulating them into the leaves' ``grad``, and clears the tape.
    public func backward() {
        guard count == 1 else {
            EngineError.fail("backward", "needs a single-element tensor, got \(Shape.describe(shape)); reduce it first")
        }
        Tape.current.runBackward(from: self, seed: Tensor.full(shape, 1))
    }

    /// Backward from a non-scalar tensor, given the gradient of some scalar with respect to it.
    public func backward(gradient: Tensor) {
        guard gradient.shape == shape else {
            EngineError.shapeMismatch("backward", shape, gradient.shape, "the seed gradient must match the tensor")
        }
        Tape.current.runBackward(from: self, seed: gradient.copy())
    }

    /// Adds `gradient` (same shape as this tensor) to ``grad``. The gradient may be shared with
    /// another tensor; it is copied when first stored so later accumulation never aliases.
    public func accumulateGrad(_ gradient: Tensor) {
        gradientSlot.accumulateGrad(gradient)
    }

    /// Like ``accumulateGrad(_:)`` for a gradient buffer nobody else holds: stored without copying.
    public func accumulateGrad(owned gradient: Tensor) {
        gradientSlot.accumulateGrad(owned: gradient)
    }

    /// Accumulates a gradient computed in a broadcast shape, summing it down to this tensor's shape
    /// first. Every broadcasting op reduces its gradients through here.
    public func accumulateBroadcastGrad(_ gradient: Tensor) {
        gradientSlot.accumulateBroadcastGrad(gradient)
    }

    /// Like ``accumulateBroadcastGrad(_:)`` for a gradient buffer nobody else holds: stored without
    /// copying when the shapes already agree.
    public func accumulateBroadcastGrad(owned gradient: Tensor) {
        gradientSlot.accumulateBroadcastGrad(owned: gradient)
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() {
        grad = nil
    }

    /// `self += other` element-wise, same shape; not recorded.
    public func addInPlace(_ other: Tensor, scale: Float = 1) {
        guard other.shape == shape else {
            EngineError.shapeMismatch("addInPlace", shape, other.shape, "shapes must be equal")
        }
        let destination = data, source = other.data
        parallelFor(count, grain: 1 << 15) { range in
            if scale == 1 {
                for i in range { destination[i] += source[i] }
            } else {
                for i in range { destination[i] += scale * source[i] }
            }
        }
    }
}
