/// A shell-style pattern for filtering names: runs by name, model, dataset or status in the
/// results store, registered models in `runner models`.
///
/// `*` matches any run of characters, `?` one character, `[abc]`, `[a-z]` and `[!x]` a class.
/// A pattern with none of these characters is an exact match, so `--model swinv2_tiny` means just
/// that model and `--model 'swinv2_*'` means the family. Matching is case-sensitive, like SQLite's
/// `GLOB`, and works on Unicode characters rather than bytes.
public struct GlobPattern: Sendable, Equatable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let characters: [Character]

    /// Parses `pattern`; every string is a valid pattern (an unclosed `[` is a literal).
    public init(_ pattern: String) {
        self.pattern = pattern
        self.characters = Array(pattern)
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { pattern }

    /// Whether the pattern uses any wildcard (otherwise it is an exact match).
    public var hasWildcards: Bool { characters.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// Whether `text` matches the whole pattern.
    public func matches(_ text: String) -> Bool {
        let s = Array(text)
        var p = 0, t = 0
        var starP = -1, starT = 0
        while t < s.count {
            if p < characters.count, characters[p] == "*" {
                starP = p; starT = t; p += 1
                continue
            }
            if p < characters.count, let next = matchOne(at: p, s[t]) {
                p = next; t += 1
                continue
            }
            if starP >= 0 {
                p = starP + 1; starT += 1; t = starT
                continue
            }
            return false
        }
        while p < characters.count, characters[p] == "*" { p += 1 }
        return p == characters.count
    }

    /// If the pattern element at `p` matches `c`, the index after that element; otherwise nil.
    private func matchOne(at p: Int, _ c: Character) -> Int? {
        let head = characters[p]
        if head == "?" { return p + 1 }
        if head == "[", let close = classEnd(from: p) {
            var i = p + 1
            var negate = false
            if characters[i] == "!" || characters[i] == "^" { negate = true; i += 1 }
            var found = false
            var first = true
            while i < close {
                if characters[i] == "]" && !first { break }
                if i + 2 < close, characters[i + 1] == "-" {
                    if characters[i] <= c && c <= characters[i + 2] { found = true }
                    i += 3
                } else {
                    if characters[i] == c { found = true }
                    i += 1
                }
                first = false
            }
            return found != negate ? close + 1 : nil
        }
        return head == c ? p + 1 : nil
    }

    /// Index of the `]` closing the class opened at `p`, if any (a `]` right after `[` or `[!` is literal).
    private func classEnd(from p: Int) -> Int? {
        var i = p + 1
        if i < characters.count, characters[i] == "!" || characters[i] == "^" { i += 1 }
        if i < characters.count, characters[i] == "]" { i += 1 }
        while i < characters.count {
            if characters[i] == "]" { return i }
            i += 1
        }
        return nil
    }
}
