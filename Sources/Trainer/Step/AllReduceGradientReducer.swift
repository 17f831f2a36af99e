import Foundation
import TensorEngine
import Distributed

/// Data parallelism's gradient average: the gradients of all ranks summed by all-reduce and
/// divided by the world size, so every rank applies the same update (PyTorch DDP's, Horovod's).
///
/// The gradients travel in fused buffers of at most `bucketBytes` (PyTorch DDP's 25 MB buckets),
/// filled in parameter order: one collective per bucket instead of one per tensor. A parameter
/// without a gradient on this rank takes part with zeros and receives the average.
public final class AllReduceGradientReducer: GradientReducer {
    public let group: any ProcessGroup
    /// Elements per fused buffer.
    public let bucketElements: Int
    private var buffer: [Float]
    /// Seconds spent in all-reduce (packing included) since the last ``takeSeconds()``.
    private var seconds = 0.0

    public init(group: any ProcessGroup, bucketBytes: Int = 25 << 20) {
        self.group = group
        bucketElements = max(1, bucketBytes / MemoryLayout<Float>.size)
        buffer = []
    }

    public var rank: Int { group.rank }
    public var worldSize: Int { group.worldSize }

    public func reduce(_ parameters: [(name: String, tensor: Tensor)]) {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        for (_, tensor) in parameters where tensor.grad == nil { tensor.grad = Tensor.zeros(tensor.shape) }
        let total = parameters.reduce(0) { $0 + $1.tensor.count }
        if buffer.count < min(total, bucketElements) { buffer = [Float](repeating: 0, count: min(total, bucketElements)) }
        let scale = 1 / Float(worldSize)
        var first = 0
        while first < parameters.count {
            // The bucket: parameters first ..< end, at least one, at most bucketElements elements
            // unless a single parameter is larger (then it goes alone, in pieces).
            var end = first, filled = 0
            while end < parameters.count, filled == 0 || filled + parameters[end].tensor.count <= bucketElements {
                filled += parameters[end].tensor.count
                end += 1
            }
            if end == first + 1, filled > bucketElements {
                reduceLarge(parameters[first].tensor.grad!, scale: scale)
            } else {
                buffer.withUnsafeMutableBufferPointer { fused in
                    var offset = 0
                    for index in first..<end {
                        let gradient = parameters[index].tensor.grad!
                        (fused.baseAddress! + offset).update(from: gradient.data, count: gradient.count)
                        offset += gradient.count
                    }
                    group.allReduceSum(UnsafeMutableBufferPointer(rebasing: fused[0..<filled]))
                    offset = 0
                    for index in first..<end {
                        let gradient = parameters[index].tensor.grad!
                        let source = fused.baseAddress! + offset, target = gradient.data
                        for i in 0..<gradient.count { target[i] = source[i] * scale }
                        offset += gradient.count
                    }
                }
            }
            first = end
        }
    }

    /// A gradient larger than a bucket, reduced in place.
    private func reduceLarge(_ gradient: Tensor, scale: Float) {
        let values = UnsafeMutableBufferPointer(start: gradient.data, count: gradient.count)
        group.allReduceSum(values)
        for i in 0..<gradient.count { values[i] *= scale }
    }

    /// The seconds spent reducing since the last call, and restarts the count.
    public func takeSeconds() -> Double {
        defer { seconds = 0 }
        return seconds
    }
}
