/// Where the tokens of each attention group sit among the rows of a token matrix `[rows, features]`:
/// group `g`'s token `i` is row `groupStarts[g] + tokenOffsets[i]`. Every group has the same
/// token pattern (a window, or a whole image's tokens).
public struct TokenGroups: Sendable, Equatable {
    /// The row of each group's first token.
    public let groupStarts: [Int]
    /// Each token's row relative to its group's first row.
    public let tokenOffsets: [Int]

    public init(groupStarts: [Int], tokenOffsets: [Int]) {
        self.groupStarts = groupStarts
        self.tokenOffsets = tokenOffsets
    }

    public var groups: Int { groupStarts.count }
    public var tokens: Int { tokenOffsets.count }

    /// `groups` runs of `tokens` consecutive rows: windows already partitioned (`[B·windows, N, C]`),
    /// or every token of each image attending together (`[B, N, C]`).
    public static func consecutive(groups: Int, tokens: Int) -> TokenGroups {
        TokenGroups(groupStarts: (0..<groups).map { $0 * tokens }, tokenOffsets: Array(0..<tokens))
    }

    /// The non-overlapping `window × window` windows of `batch` token maps of `height × width`
    /// (row-major tokens, `[B, H·W, C]`), windows in row-major order within each map and tokens
    /// row-major within each window — Twins' locally grouped attention without moving a token.
    /// `height` and `width` must be multiples of `window`.
    public static func windows(batch: Int, height: Int, width: Int, window: Int) -> TokenGroups {
        precondition(window >= 1 && height % window == 0 && width % window == 0,
                     "TokenGroups.windows: a \(height) × \(width) map does not split into \(window) × \(window) windows")
        var starts: [Int] = []
        starts.reserveCapacity(batch * (height / window) * (width / window))
        for b in 0..<batch {
            for windowRow in 0..<(height / window) {
                for windowColumn in 0..<(width / window) {
                    starts.append((b * height + windowRow * window) * width + windowColumn * window)
                }
            }
        }
        let offsets = (0..<(window * window)).map { ($0 / window) * width + $0 % window }
        return TokenGroups(groupStarts: starts, tokenOffsets: offsets)
    }

    /// Every row of a `rows`-row matrix in group order (group by group, token by token), or nil
    /// if a row would be visited twice or lies outside `0..<rows`.
    func rowOrder(rows: Int) -> [Int32]? {
        var seen = [Bool](repeating: false, count: rows)
        var order: [Int32] = []
        order.reserveCapacity(groups * tokens)
        for start in groupStarts {
            for offset in tokenOffsets {
                let row = start + offset
                guard row >= 0, row < rows, !seen[row] else { return nil }
                seen[row] = true
                order.append(Int32(row))
            }
        }
        return order
    }
}
