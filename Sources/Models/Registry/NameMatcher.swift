/// Nearest names by edit distance, for "did you mean …" suggestions.
public enum NameMatcher {
    /// Up to `limit` of `candidates` closest to `name` (case-insensitive Levenshtein distance),
    /// keeping only plausible ones (distance at most half the longer name, or a shared prefix).
    public static func nearest(to name: String, in candidates: [String], limit: Int = 5) -> [String] {
        let target = Array(name.lowercased())
        let scored = candidates.map { candidate -> (String, Int) in
            let lower = Array(candidate.lowercased())
            var distance = editDistance(target, lower)
            if lower.starts(with: target) || target.starts(with: lower) { distance = min(distance, 1) }
            return (candidate, distance)
        }
        return scored
            .filter { $0.1 <= max(2, max(target.count, $0.0.count) / 2) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .prefix(limit)
            .map(\.0)
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
