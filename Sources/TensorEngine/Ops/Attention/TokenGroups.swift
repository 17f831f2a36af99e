import Synchronization

/// Which rows of a token matrix `[rows, features]` attend together: group `g`'s token `i` is row
/// `row(g, i)`. Every group has the same number of tokens (a window, or a whole image's tokens).
public struct TokenGroups: Sendable, Equatable {
    /// Row of every group's every token, group after group.
    public let rows: [Int]
    /// Tokens per group.
    public let tokens: Int
    /// `R` when the groups are known to list every row of `0..<R` exactly once (window and
    /// consecutive groups, by construction), so attention need not check it; nil otherwise.
    public let partitionedRows: Int?

    /// Groups of `tokens` rows each, listed group after group.
    public init(rows: [Int], tokens: Int) {
        self.init(rows: rows, tokens: tokens, partitionedRows: nil)
    }

    private init(rows: [Int], tokens: Int, partitionedRows: Int?) {
        precondition(tokens >= 1 && rows.count % tokens == 0,
                     "TokenGroups: \(rows.count) rows do not make whole groups of \(tokens)")
        self.rows = rows
        self.tokens = tokens
        self.partitionedRows = partitionedRows
    }

    /// Group `g`'s token `i` at row `groupStarts[g] + tokenOffsets[i]`.
    public init(groupStarts: [Int], tokenOffsets: [Int]) {
        self.init(rows: groupStarts.flatMap { start in tokenOffsets.map { start + $0 } }, tokens: tokenOffsets.count)
    }

    public var groups: Int { rows.count / tokens }

    /// The same groups: rows and tokens per group (what is known about them aside).
    public static func == (a: TokenGroups, b: TokenGroups) -> Bool {
        a.tokens == b.tokens && a.rows == b.rows
    }

    /// The row of group `group`'s token `token`.
    @inline(__always)
    public func row(_ group: Int, _ token: Int) -> Int { rows[group * tokens + token] }

    /// `groups` runs of `tokens` consecutive rows: windows already partitioned (`[B·windows, N, C]`),
    /// or every token of each image attending together (`[B, N, C]`).
    public static func consecutive(groups: Int, tokens: Int) -> TokenGroups {
        TokenGroups(rows: Array(0..<(groups * tokens)), tokens: tokens, partitionedRows: groups * tokens)
    }

    /// The non-overlapping `window × window` windows of `batch` token maps of `height × width`
    /// (row-major tokens, `[B, H·W, C]`), windows in row-major order within each map and tokens
    /// row-major within each window — window attention without moving a token. With `shift`, the
    /// windows of the map cyclically shifted by `−shift` along both axes (Swin's shifted windows,
    /// `torch.roll(x, (−shift, −shift))` then partitioned): window tokens wrap around the map's
    /// edges. `height` and `width` must be multiples of `window`.
    ///
    /// The lists are kept (a few recent geometries): every forward pass of a windowed block asks
    /// for the same ones, and building SwinV2-T's first-stage list (32 768 rows at batch 8) on
    /// the calling thread cost more than the attention's own set-up.
    public static func windows(batch: Int, height: Int, width: Int, window: Int, shift: Int = 0) -> TokenGroups {
        precondition(window >= 1 && height % window == 0 && width % window == 0,
                     "TokenGroups.windows: a \(height) × \(width) map does not split into \(window) × \(window) windows")
        let key = WindowGeometryKey(batch: batch, height: height, width: width, window: window, shift: shift)
        if let known = recentWindows.withLock({ $0[key] }) { return known }
        let groups = buildWindows(batch: batch, height: height, width: width, window: window, shift: shift)
        recentWindows.withLock { recent in
            if recent.count >= 32 { recent.removeAll() }
            recent[key] = groups
        }
        return groups
    }

    private struct WindowGeometryKey: Hashable {
        let batch: Int, height: Int, width: Int, window: Int, shift: Int
    }

    private static let recentWindows = Mutex<[WindowGeometryKey: TokenGroups]>([:])

    private static func buildWindows(batch: Int, height: Int, width: Int, window: Int, shift: Int) -> TokenGroups {
        var rows: [Int] = []
        rows.reserveCapacity(batch * height * width)
        for b in 0..<batch {
            for windowRow in 0..<(height / window) {
                for windowColumn in 0..<(width / window) {
                    for i in 0..<window {
                        let y = (windowRow * window + i + shift) % height
                        for j in 0..<window {
                            rows.append((b * height + y) * width + (windowColumn * window + j + shift) % width)
                        }
                    }
                }
            }
        }
        return TokenGroups(rows: rows, tokens: window * window, partitionedRows: batch * height * width)
    }

    /// Every row of a `rows`-row matrix in group order, or nil if a row would be visited twice
    /// or lies outside `0..<rows`.
    func rowOrder(rows count: Int) -> [Int32]? {
        var seen = [Bool](repeating: false, count: count)
        var order: [Int32] = []
        order.reserveCapacity(rows.count)
        for row in rows {
            guard row >= 0, row < count, !seen[row] else { return nil }
            seen[row] = true
            order.append(Int32(row))
        }
        return order
    }
}
