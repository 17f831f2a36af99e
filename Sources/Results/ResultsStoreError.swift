/// Errors the results store reports about its own rules (SQLite errors pass through as GRDB's).
public enum ResultsStoreError: Error, Equatable, CustomStringConvertible {
    /// No run has this id.
    case unknownRun(RunID)
    /// ``ResultsStore/finishRun(run:status:error:)`` was given a status that does not end a run.
    case notATerminalStatus(RunStatus)

    public var description: String {
        switch self {
        case .unknownRun(let id): "no run with id \(id) in the results store"
        case .notATerminalStatus(let status): "'\(status.rawValue)' does not end a run (use finished, failed or interrupted)"
        }
    }
}
