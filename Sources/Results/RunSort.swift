import Foundation

/// The order of runs in a query or report: a key and a direction.
///
/// Runs lacking the key's value (no evaluated epoch when sorting by top-1, say) always come last,
/// whichever the direction; ties fall back to the run id so output is stable.
public struct RunSort: Sendable, Equatable {
    /// What to sort on.
    public enum Key: String, Sendable, CaseIterable {
        case id, start, name, model, dataset, status, epochs, top1, top5, loss, throughput, parameters
    }

    /// The sort key.
    public var key: Key
    /// Largest first when true.
    public var descending: Bool

    /// Oldest run first: the default, the order runs were started.
    public static let byStart = RunSort(.start)

    /// Creates an order; `descending` defaults to what reads naturally for the key
    /// (best accuracy and most parameters first, names and times ascending).
    public init(_ key: Key, descending: Bool? = nil) {
        self.key = key
        self.descending = descending ?? [.top1, .top5, .throughput, .epochs, .parameters].contains(key)
    }

    /// Parses `"top1"`, `"-start"` (descending) or `"+name"` (ascending), as `--sort` takes them.
    public init?(parsing text: String) {
        var body = Substring(text)
        var descending: Bool?
        if body.hasPrefix("-") { descending = true; body = body.dropFirst() }
        else if body.hasPrefix("+") { descending = false; body = body.dropFirst() }
        let aliases: [String: Key] = ["started": .start, "started_at": .start, "acc": .top1, "top-1": .top1,
                                      "top-5": .top5, "img/s": .throughput, "params": .parameters]
        guard let key = Key(rawValue: body.lowercased()) ?? aliases[body.lowercased()] else { return nil }
        self.init(key, descending: descending)
    }

    /// Returns `summaries` in this order.
    public func sorted(_ summaries: [RunSummary]) -> [RunSummary] {
        summaries.sorted { a, b in
            switch compare(a, b) {
            case .orderedAscending: return !descending
            case .orderedDescending: return descending
            case .orderedSame: return a.run.id < b.run.id
            }
        }
    }

    private func compare(_ a: RunSummary, _ b: RunSummary) -> ComparisonResult {
        switch key {
        case .id: return order(a.run.id.rawValue, b.run.id.rawValue)
        case .start: return order(a.run.startedAt, b.run.startedAt)
        case .name: return order(a.run.name, b.run.name)
        case .model: return order(a.run.model, b.run.model)
        case .dataset: return order(a.run.dataset, b.run.dataset)
        case .status: return order(a.status.rawValue, b.status.rawValue)
        case .epochs: return order(a.epochs.count, b.epochs.count)
        case .top1: return optionalOrder(a.bestEpoch?.top1, b.bestEpoch?.top1)
        case .top5: return optionalOrder(a.bestEpoch?.top5, b.bestEpoch?.top5)
        case .loss: return optionalOrder(a.lastEpoch?.trainLoss, b.lastEpoch?.trainLoss)
        case .throughput: return optionalOrder(a.meanTrainImagesPerSecond, b.meanTrainImagesPerSecond)
        case .parameters: return optionalOrder(a.run.parameters, b.run.parameters)
        }
    }

    private func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult {
        a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
    }

    /// Like `order`, but a missing value sorts last in both directions.
    private func optionalOrder<T: Comparable>(_ a: T?, _ b: T?) -> ComparisonResult {
        switch (a, b) {
        case let (a?, b?): return order(a, b)
        case (nil, nil): return .orderedSame
        case (nil, _): return descending ? .orderedAscending : .orderedDescending
        case (_, nil): return descending ? .orderedDescending : .orderedAscending
        }
    }
}
