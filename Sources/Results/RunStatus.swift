import GRDB

/// Where a run stands.
///
/// The store writes only `running`, `finished`, `failed` and `interrupted`. ``died`` is never
/// written: it is the *effective* status computed on read for a run still marked `running` whose
/// process has gone away (see ``LivenessPolicy``), so history in the file stays what the process
/// itself last said.
public enum RunStatus: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    /// The process is (or claims to be) training.
    case running
    /// Every planned epoch completed.
    case finished
    /// The process caught an error and recorded it before exiting.
    case failed
    /// The process was stopped on purpose (signal, Ctrl-C) and said so before exiting.
    case interrupted
    /// Computed on read only: marked `running`, but the heartbeat is stale or the process is gone.
    case died

    /// Whether a process may record this status when it ends a run.
    public var isTerminal: Bool { self == .finished || self == .failed || self == .interrupted }
}
