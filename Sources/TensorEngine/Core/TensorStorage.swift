/// The memory behind one or more tensors: a contiguous run of `Float`s from the ``BufferPool``.
///
/// Views made by `reshaped` or by slicing the leading axis share one storage; the storage goes
/// back to the pool when the last of them is released.
public final class TensorStorage: @unchecked Sendable {
    /// The first element.
    public let base: UnsafeMutablePointer<Float>
    /// The number of floats requested (the reservation may be larger).
    public let count: Int
    private let reservedBytes: Int

    /// Uninitialised storage for `count` floats.
    public init(count: Int) {
        let allocation = BufferPool.shared.allocate(floatCount: count)
        self.base = allocation.pointer
        self.count = count
        self.reservedBytes = allocation.bytes
    }

    deinit {
        BufferPool.shared.deallocate(base, bytes: reservedBytes)
    }
}
