/// Which parameters are exempt from weight decay: MindCV's `weight_decay_filter`.
///
/// MindCV (`mindcv/optim/optim_factory.py`, `create_optimizer` and `init_group_params`) offers
/// three settings; their meaning translated to timm-style parameter names is:
public enum WeightDecayRule: String, Sendable, CaseIterable {
    /// Every parameter decays (`'disable'`: one group).
    case disable
    /// MindSpore's own optimizer filter (`'auto'`): `nn.Optimizer` skips parameters whose name
    /// contains `gamma` or `beta`, i.e. MindSpore's normalisation scales and shifts. Here: the
    /// parameters of normalisation layers skip decay; biases of other layers still decay.
    case auto
    /// `'norm_and_bias'`: MindCV skips names containing `beta`, `gamma` or `bias` and the model's
    /// `no_weight_decay()` names. Here: normalisation parameters, every rank ≤ 1 parameter (timm's
    /// `param_groups_weight_decay` rule), names containing `bias`, `beta` or `gamma`, and the
    /// skip list.
    case normAndBias = "norm_and_bias"
}
