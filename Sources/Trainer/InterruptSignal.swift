import Foundation
import Synchronization

/// SIGINT and SIGTERM turned into a flag the training loop checks between batches, so an
/// interrupted run stops at a clean point, records itself as `interrupted`, and its checkpoint
/// stays whole. A second signal exits at once.
public enum InterruptSignal {
    private static let received = Atomic<Int32>(0)

    /// Installs the handlers (idempotent). The signals are also unblocked: a parent that blocks
    /// them (some test runners and process managers do) would otherwise pass its mask on to us.
    public static func install() {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for signal in [SIGINT, SIGTERM] { sigaddset(&unblocked, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_handler = { number in
                if InterruptSignal.received.exchange(number, ordering: .relaxed) != 0 { _exit(128 + number) }
            }
            #endif
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// The signal received, if any.
    public static var pending: Int32? {
        let value = received.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }
}
