import TensorEngine
import Datasets

/// The batch-transform seam, between the loader and the step: whole-batch augmentations that mix
/// samples (mixup, cutmix) and so cannot run per image in the loader.
public protocol BatchTransform {
    /// The batch the step trains on, drawing any randomness from `random`.
    func callAsFunction(_ batch: Batch, random: inout RandomGenerator) -> Batch
}

/// The batch as the loader gave it.
public struct IdentityBatchTransform: BatchTransform {
    public init() {}
    public func callAsFunction(_ batch: Batch, random: inout RandomGenerator) -> Batch { batch }
}
