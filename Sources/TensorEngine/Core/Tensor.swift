/// An n-dimensional array of `Float32`, contiguous and row-major, that can take part in
/// reverse-mode differentiation.
///
/// A tensor is a reference: ops return new tensors and never change their inputs, except the
/// explicitly in-place ones (`*InPlace`, used by optimizers on parameters). Views made by
/// ``reshaped(_:)``, and slices that are one contiguous block (``sliced(axis:range:step:)``,
/// ``split(sizes:axis:)`` of a leading axis), share storage with their source.
///
/// A tensor whose ``requiresGrad`` is set is a *leaf* (a parameter or an input being checked);
/// an op applied to it while gradients are being recorded (see ``Tape``) produces a non-leaf
/// result that also requires a gradient. ``backward()`` on a scalar fills ``grad`` of every leaf
/// it depends on, accumulating into what is already there.
public final class Tensor: @unchecked Sendable {
    /// The size of each axis.
    public let shape: [Int]
    /// The number of elements.
    public let count: Int
    /// The memory this tensor reads and writes, possibly shared with views.
    public let storage: TensorStorage
    /// Where this tensor's first element sits in ``storage``.
    public let storageOffset: Int

    /// Where this tensor's gradient accumulates; backward closures that need no values hold
    /// this instead of the tensor.
    public let gradientSlot: GradientSlot

    /// Whether gradients flow to this tensor.
    public internal(set) var requiresGrad: Bool {
        get { gradientSlot.requiresGrad }
        set { gradientSlot.requiresGrad = newValue }
    }
    /// Whether this tensor was made by a recorded op (as opposed to created or loaded).
    public internal(set) var isLeaf: Bool {
        get { gradientSlot.isLeaf }
        set { gradientSlot.isLeaf = newValue }
    }
    /// The accumulated gradient of the last ``backward()`` calls (same shape), for leaves.
    public var grad: Tensor? {
        get { gradientSlot.grad }
        set { gradientSlot.grad = newValue }
    }

    /// A tensor over existing storage.
    public init(shape: [Int], storage: TensorStorage, offset: Int = 0) {
        let count = Shape.elementCount(shape)
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(Shape.describe(shape))")
        precondition(offset + count <= storage.count,
                     "Tensor: shape \(Shape.describe(shape)) at offset \(offset) overruns storage of \(storage.count)")
        self.shape = shape
        self.count = count
        self.storage = storage
        self.storageOffset = offset
        self.gradientSlot = GradientSlot(shape: shape)
    }

    /// An uninitialised tensor, for op outputs that are written in full.
    public convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: Shape.elementCount(shape)))
    }

    /// A tensor holding `values` (row-major) in `shape`.
    public convenience init(shape: [Int], values: [Float]) {
        guard Shape.elementCount(shape) == values.count else {
            EngineError.fail("Tensor(shape:values:)",
                             "\(values.count) values do not fill shape \(Shape.describe(shape))")
        }
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { source in
            data.update(from: source.baseAddress!, count: values.count)
        }
    }

    /// A scalar (shape `[]`).
    public convenience init(scalar: Float) {
        self.init(shape: [], values: [scalar])
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor {
        full(shape, 0)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor {
        full(shape, 1)
    }

    /// A tensor with every element `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.fill(value)
        return t
    }

    /// The first element; kernels read and write through this.
    @inlinable
    public var data: UnsafeMutablePointer<Float> { storage.base + storageOffset }

    /// The elements as a buffer; kernels read and write through this.
    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// A copy of the elements, row-major.
    public var scalars: [Float] { Array(buffer) }

    /// The single element of a one-element tensor.
    public var item: Float {
        guard count == 1 else { EngineError.fail("item", "tensor of shape \(Shape.describe(shape)) is not a single element") }
        return data.pointee
    }

    /// Marks this tensor as a leaf whose gradient is wanted, and returns it.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// A new tensor with the same elements that does not take part in differentiation.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, offset: storageOffset)
    }

    /// A copy with its own storage (not recorded: see ``cloned()`` for the differentiable copy).
    /// Split over the pool like any other kernel: the backward pass copies whole activation
    /// gradients (the first gradient a tensor receives), which on one core left the other idle.
    public func copy() -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let source = data, destination = t.data
        parallelFor(count, grain: Self.bulkGrain) { range in
            (destination + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
        }
        return t
    }

    /// Sets every element to `value`, in place (split over the pool, see ``copy()``).
    public func fill(_ value: Float) {
        let destination = data
        parallelFor(count, grain: Self.bulkGrain) { range in
            (destination + range.lowerBound).update(repeating: value, count: range.count)
        }
    }

    /// Elements below which a copy or fill is not worth a second thread (256 KiB).
    static let bulkGrain = 1 << 16
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = count <= 8 ? scalars.map { "\($0)" }.joined(separator: ", ")
                                 : (Array(buffer.prefix(6)).map { "\($0)" } + ["…"]).joined(separator: ", ")
        return "Tensor\(Shape.describe(shape))(\(preview))"
    }
}
