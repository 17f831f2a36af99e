import Foundation

/// Best-of timing for benchmarks: runs a body until a time budget is spent and keeps the fastest
/// run, which is the figure least disturbed by other work on a shared machine.
struct Stopwatch {
    /// Minimum total seconds to spend on one measurement (after one warm-up run).
    var budget: Double
    /// Minimum number of timed runs.
    var minimumRuns = 3

    /// The fastest wall-clock seconds of `body` over the budget; `prepare`, when given, runs
    /// untimed before every timed run.
    func best(prepare: (() -> Void)? = nil, _ body: () -> Void) -> Double {
        body()  // warm-up: page faults, pool buffers, OpenBLAS buffers
        var best = Double.infinity
        var spent = 0.0
        var runs = 0
        while runs < minimumRuns || spent < budget {
            prepare?()
            let start = Self.now()
            body()
            let seconds = Self.now() - start
            best = min(best, seconds)
            spent += seconds
            runs += 1
            // Prepared runs spend most of their time outside the clock: a few dozen are enough.
            if runs >= (prepare == nil ? 1000 : 30) { break }
        }
        return best
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }
}
