import TextMatching

/// Which runs a query or report keeps.
///
/// Every field is optional; a run must match all that are set. Patterns are ``GlobPattern``s, so
/// the same field serves exact and wildcard filtering. ``status`` is matched against the
/// *effective* status, so `status: "died"` finds crashed runs.
public struct RunFilter: Sendable, Equatable {
    /// Pattern for the run name.
    public var name: GlobPattern?
    /// Pattern for the model name.
    public var model: GlobPattern?
    /// Pattern for the dataset name.
    public var dataset: GlobPattern?
    /// Pattern for the effective status (`running`, `finished`, `failed`, `interrupted`, `died`).
    public var status: GlobPattern?
    /// Only these run ids, if set.
    public var ids: Set<RunID>?

    /// Keeps everything.
    public static let all = RunFilter()

    /// Creates a filter; omitted fields do not filter.
    public init(
        name: GlobPattern? = nil, model: GlobPattern? = nil, dataset: GlobPattern? = nil,
        status: GlobPattern? = nil, ids: Set<RunID>? = nil
    ) {
        self.name = name
        self.model = model
        self.dataset = dataset
        self.status = status
        self.ids = ids
    }

    /// Whether `summary` passes every set field.
    public func matches(_ summary: RunSummary) -> Bool {
        if let ids, !ids.contains(summary.run.id) { return false }
        if let name, !name.matches(summary.run.name) { return false }
        if let model, !model.matches(summary.run.model) { return false }
        if let dataset, !dataset.matches(summary.run.dataset) { return false }
        if let status, !status.matches(summary.status.rawValue) { return false }
        return true
    }
}
