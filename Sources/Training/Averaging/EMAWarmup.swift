import Foundation

/// How an exponential moving average's decay ramps up over the first updates (timm's
/// `ModelEmaV3.get_decay`).
public struct EMAWarmup: Sendable, Equatable {
    /// γ: larger stretches the ramp.
    public var gamma: Double
    /// The ramp's power (2/3 in timm; 3/4 suits short runs).
    public var power: Double
    /// The smallest decay used once updates start.
    public var minimumDecay: Double

    /// A ramp `decay(t) = clamp(1 − (1 + t/γ)^(−power), minimumDecay, decay)`.
    public init(gamma: Double = 1, power: Double = 2.0 / 3.0, minimumDecay: Double = 0) {
        self.gamma = gamma
        self.power = power
        self.minimumDecay = minimumDecay
    }
}
