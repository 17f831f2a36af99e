import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether a run marked `running` is really still running.
///
/// A training process can vanish without writing its final status (killed with `SIGKILL`, out of
/// memory, machine rebooted). The store never rewrites such a row; instead every read computes
/// an *effective* status with this policy: a `running` run is reported ``RunStatus/died`` when
///
/// - its heartbeat is older than ``staleAfter``, or
/// - it was started on this host and its process id no longer exists.
///
/// Trainers should therefore call ``ResultsStore/heartbeat(run:at:)`` well within ``staleAfter``
/// (every 30 s is a good rhythm for the 2-minute default), from a timer if an epoch is long.
public struct LivenessPolicy: Sendable {
    /// Seconds after the last heartbeat at which a running run counts as dead.
    public var staleAfter: TimeInterval
    /// This machine's host name, compared with ``RunRecord/host`` to decide whether a pid check applies.
    public var hostName: String
    /// Whether a process id is alive on this host.
    public var isProcessAlive: @Sendable (Int32) -> Bool
    /// The clock; injectable so tests can age a heartbeat without sleeping.
    public var now: @Sendable () -> Date

    /// The policy for real use: 2 minutes, this host, `kill(pid, 0)`, the system clock.
    public static var standard: LivenessPolicy { LivenessPolicy() }

    /// Creates a policy; every part defaults to the real machine.
    public init(
        staleAfter: TimeInterval = 120,
        hostName: String = LivenessPolicy.currentHostName,
        isProcessAlive: @escaping @Sendable (Int32) -> Bool = LivenessPolicy.processExists,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.staleAfter = staleAfter
        self.hostName = hostName
        self.isProcessAlive = isProcessAlive
        self.now = now
    }

    /// The status to report for `run`: its stored status, or ``RunStatus/died`` per the rules above.
    public func effectiveStatus(of run: RunRecord) -> RunStatus {
        guard run.status == .running else { return run.status }
        if now().timeIntervalSince(run.heartbeatAt) > staleAfter { return .died }
        if run.host == hostName && !isProcessAlive(run.pid) { return .died }
        return .running
    }

    /// This machine's host name as `gethostname(2)` reports it.
    public static var currentHostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return ProcessInfo.processInfo.hostName }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `pid` names a live process here: `kill(pid, 0)` succeeds or fails only for permission.
    @Sendable public static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM
    }
}
