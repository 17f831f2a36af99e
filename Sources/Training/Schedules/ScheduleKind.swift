/// MindCV's `scheduler` names (`mindcv/scheduler/scheduler_factory.py`, `create_scheduler`).
public enum ScheduleKind: String, Sendable, CaseIterable {
    /// `lr` throughout (after the warm-up).
    case constant
    /// Cosine from `lr` to `min_lr` over `decay_epochs`, repeated `num_cycles` times with the
    /// peak multiplied by `cycle_decay` each cycle, then `min_lr`.
    case cosineDecay = "cosine_decay"
    /// The same as ``cosineDecay`` (MindCV treats both names alike).
    case warmupCosineDecay = "warmup_cosine_decay"
    /// `lr · decay_rate^epoch`.
    case exponentialDecay = "exponential_decay"
    /// `lr · (1 − epoch/epochs)^decay_rate` (MindCV's `polynomial_decay`).
    case polynomialDecay = "polynomial_decay"
    /// `lr · decay_rate^⌊epoch / decay_epochs⌋`, always per epoch.
    case stepDecay = "step_decay"
    /// `lr · decay_rate^(milestones passed)`, always per epoch.
    case multiStepDecay = "multi_step_decay"
    /// PyTorch's `OneCycleLR` (cosine, 30% rising) from `lr/25` to `lr` down to `min_lr`, per step.
    case oneCycle = "one_cycle"
    /// PyTorch's `CyclicLR` (triangular) between `min_lr` and `lr`, `num_cycles` cycles, per step.
    case cyclic
}
