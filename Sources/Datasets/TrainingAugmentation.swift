/// The random part of the training transform: crop, flips, policy or jitter, erasing.
public struct TrainingAugmentation: Sendable {
    /// The random resized crop, its filter and the flips.
    public var crop: RandomResizedCrop
    /// Applied when there is no policy.
    public var colorJitter: ColorJitterStrength
    /// The `auto_augment` policy, after the flips.
    public var policy: AugmentPolicy?
    public var policySettings: AugmentSettings
    /// Random erasing on the normalised image, or `nil`.
    public var erasing: RandomErasing?

    public init(crop: RandomResizedCrop, colorJitter: ColorJitterStrength = .none, policy: AugmentPolicy? = nil,
                policySettings: AugmentSettings = AugmentSettings(), erasing: RandomErasing? = nil) {
        self.crop = crop
        self.colorJitter = colorJitter
        self.policy = policy
        self.policySettings = policySettings
        self.erasing = erasing
    }
}
