/// Parameters a model wants kept out of weight decay: timm's `no_weight_decay()` (exact names)
/// and `no_weight_decay_keywords()` (substrings), MindCV's `no_weight_decay` set.
public struct NoWeightDecayList: Sendable, Equatable {
    /// Parameter names matched exactly (`absolute_pos_embed`, `cls_token`).
    public var names: Set<String>
    /// Substrings: a parameter whose dotted name contains one is skipped (`cpb_mlp`, `logit_scale`).
    public var keywords: [String]

    /// A list of exact `names` and `keywords`.
    public init(names: Set<String> = [], keywords: [String] = []) {
        self.names = names
        self.keywords = keywords
    }

    /// Nothing is skipped by name.
    public static let none = NoWeightDecayList()

    /// Whether the parameter called `name` is on the list.
    public func contains(_ name: String) -> Bool {
        names.contains(name) || keywords.contains { name.contains($0) }
    }
}
