/// How one batch is mixed with its partner (the batch in reverse order): what ``MixupCutmix`` drew.
public enum BatchMix: Sendable, Equatable {
    /// Images as they are; targets are the labels' (smoothed) one-hot rows.
    case unmixed
    /// Mixup: every image becomes λ·image + (1 − λ)·partner.
    case mixup(lambda: Double)
    /// CutMix: the box of every image holds its partner's pixels.
    case cutmix(CutmixBox)

    /// λ, the weight of each sample's own label in its target (the partner's is 1 − λ).
    public var lambda: Double {
        switch self {
        case .unmixed: 1
        case .mixup(let lambda): lambda
        case .cutmix(let box): box.keptFraction
        }
    }
}
