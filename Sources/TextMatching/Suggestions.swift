/// "Did you mean …?" for mistyped keys and names: the candidates nearest a word by edit distance.
///
/// Words are compared normalised: case, hyphens and leading dashes are ignored, so `--Batch-Size`
/// finds `batch_size` and `swinv2-tiny` finds `swinv2_tiny`. Candidates rank by their optimal
/// string alignment distance to the word, except that one word being a prefix of the other counts
/// as a distance of at most 1 (`swinv2` ranks every `swinv2_…` name first); ties go to the smaller
/// plain distance, then to the earlier candidate.
public enum Suggestions {
    /// Which candidates are offered at all.
    public enum Closeness: Sendable {
        /// Every candidate, nearest first.
        case any
        /// Those a single suggestion may name: an edit distance of at most a third of the longer
        /// word (at least 1, at most 3), or one word containing the other where the shorter has 4
        /// or more letters.
        case likely
        /// Those a list of suggestions may name: an edit distance of at most half the longer word
        /// (at least 2), or one word a prefix of the other.
        case plausible
    }

    /// The nearest of `candidates` to `word`, or nil when none is ``Closeness/likely``.
    ///
    /// A candidate equal to the word (normalised) comes first, then the candidate `aliases` maps
    /// the normalised word to (other trainers' names for a key, however far their spelling).
    public static func nearest(to word: String, in candidates: [String], aliases: [String: String] = [:]) -> String? {
        guard word.utf8.count <= maximumWordLength else { return nil }
        let normalized = normalize(word)
        if let exact = candidates.first(where: { normalize($0) == normalized }) { return exact }
        if let alias = aliases[normalized], candidates.contains(alias) { return alias }
        return ranked(word, in: candidates, count: 1, closeness: .likely).first
    }

    /// Words longer than this many bytes get no single suggestion, and only this many characters
    /// of a word are compared for a list: the edit distance costs the product of the lengths, and a
    /// hostile file can hold thousands of long unknown keys.
    public static let maximumWordLength = 100

    /// Up to `count` of `candidates` that are close enough to `word`, nearest first. Only the first
    /// ``maximumWordLength`` characters of `word` are compared.
    public static func ranked(_ word: String, in candidates: [String], count: Int, closeness: Closeness = .any) -> [String] {
        let normalized = normalize(String(word.prefix(maximumWordLength)))
        let scored = candidates.enumerated().compactMap { index, candidate -> (name: String, rank: Int, distance: Int, index: Int)? in
            let other = normalize(candidate)
            // The distance is at least the difference in length: skip the table when no closeness rule can pass.
            if closeness == .likely, abs(normalized.count - other.count) > 3,
               !(min(normalized.count, other.count) >= 4 && (other.contains(normalized) || normalized.contains(other))) {
                return nil
            }
            let distance = editDistance(normalized, other)
            let prefix = other.hasPrefix(normalized) || normalized.hasPrefix(other)
            guard isClose(normalized, other, distance: distance, prefix: prefix, closeness) else { return nil }
            return (candidate, prefix ? min(distance, 1) : distance, distance, index)
        }
        return scored.sorted { ($0.rank, $0.distance, $0.index) < ($1.rank, $1.distance, $1.index) }
            .prefix(count)
            .map(\.name)
    }

    private static func isClose(_ word: String, _ candidate: String, distance: Int, prefix: Bool, _ closeness: Closeness) -> Bool {
        let longer = max(word.count, candidate.count), shorter = min(word.count, candidate.count)
        switch closeness {
        case .any:
            return true
        case .likely:
            let contained = shorter >= 4 && (candidate.contains(word) || word.contains(candidate))
            return distance <= max(1, min(3, longer / 3)) || contained
        case .plausible:
            return distance <= max(2, longer / 2) || prefix
        }
    }

    /// Lowercased, leading dashes dropped, hyphens read as underscores.
    static func normalize(_ word: String) -> String {
        var text = Substring(word.lowercased())
        while text.first == "-" { text.removeFirst() }
        return String(text.map { $0 == "-" ? "_" : $0 })
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions each cost 1.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs), b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
