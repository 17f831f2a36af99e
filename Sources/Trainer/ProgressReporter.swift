import Foundation

/// Progress of long work: on a terminal, one line redrawn in place with a bar, img/s, loss and ETA;
/// otherwise (a log file, CI) plain lines every `interval` steps and at the end.
public final class ProgressReporter {
    let isTerminal: Bool
    let interval: Int
    let write: (String) -> Void
    private var lastDraw = Date.distantPast

    /// Progress every `interval` steps (plain lines) or redrawn (terminal), written by `write`
    /// (standard error by default).
    public init(interval: Int, isTerminal: Bool = isatty(STDERR_FILENO) == 1,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.interval = max(1, interval)
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Reports `done` of `total` steps; `fields` are printed after the counts (`loss 0.53`).
    public func update(label: String, done: Int, total: Int, imagesPerSecond: Double, fields: [String], elapsed: Double) {
        let remaining = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let text = "\(label) \(done)/\(total)  \(Self.format(imagesPerSecond, 0)) img/s  " + fields.joined(separator: "  ")
            + "  ETA \(Self.duration(remaining))"
        if isTerminal {
            // Redraw at most ten times a second; always draw the last step.
            guard done == total || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = Date()
            let width = 24
            let filled = total > 0 ? min(width, width * done / total) : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[K\(label) [\(bar)] \(text.dropFirst(label.count + 1))")
        } else if done % interval == 0 || done == total {
            write(text + "\n")
        }
    }

    /// Ends the redrawn line on a terminal.
    public func finish() {
        if isTerminal { write("\n") }
    }

    public static func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%d:%02d", total / 60, total % 60)
    }
}
