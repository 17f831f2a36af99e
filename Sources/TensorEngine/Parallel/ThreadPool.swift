import Synchronization
import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's one pool of threads. Every parallel kernel goes through ``parallelFor(_:grain:_:)``;
/// OpenBLAS is held at one thread so that nothing else spins up threads of its own.
///
/// The calling thread works too, so a pool for `n` threads starts `n − 1` workers. Workers spin
/// for two milliseconds after each job (the next op usually follows within microseconds) and
/// then sleep on a condition variable. A `parallelFor` issued while the pool is busy — from
/// inside another parallel region, or from a second thread — runs on its caller alone, so
/// regions never nest.
public final class ThreadPool: @unchecked Sendable {
    /// The pool used by ``parallelFor(_:grain:_:)``. Its size is `RUNNER_THREADS` if set, else
    /// the number of online processors.
    public static let shared: ThreadPool = {
        _ = OpenBLASRuntime.configuration
        let environment = getenv("RUNNER_THREADS").flatMap { Int(String(cString: $0)) }
        let processors = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return ThreadPool(threadCount: max(1, environment ?? processors))
    }()

    /// How long an idle worker spins before it sleeps: 2 ms. A step of a model is hundreds of
    /// ops microseconds apart, but on a shared machine the caller is sometimes descheduled for
    /// longer than a spin of a few hundred microseconds; the worker then sleeps, and every
    /// wake-up after it costs a futex round trip in the middle of a step (Fashion-MNIST bench:
    /// 162–703 futex calls per run with a 270 µs spin, 56–77 at 1 ms, 23–79 at 2 ms, 32 at 5 ms).
    /// Longer spins cost other threads of the process a core (the test suite, many threads at
    /// once: 28 s at 270 µs, 33 s at 1 ms, 38 s at 5 ms); `runner` has no other busy thread.
    /// Intel's OpenMP, under PyTorch, spins 200 ms (`KMP_BLOCKTIME`).
    static let spinNanoseconds = 2_000_000

    /// Threads that run a parallel region (workers plus the caller).
    public let threadCount: Int
    /// How many of them a region uses now; see ``setActiveThreads(_:)``.
    public var activeThreads: Int { activeLimit.load(ordering: .relaxed) }

    private let activeLimit: Atomic<Int>
    private let generation = Atomic<Int>(0)
    private let nextChunk = Atomic<Int>(0)
    private let unfinishedWorkers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleeping = Atomic<Int>(0)
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()

    // The current job; written by the caller before `generation` is bumped (release) and read by
    // workers after they observe the bump (acquire).
    private var job: ((Int) -> Void)?
    private var chunkCount = 0
    private var participants = 0
    /// The caller's ``FlopCounter`` tally, counted into by the workers that run its job.
    private var jobTally: UnsafeMutableRawPointer?
    /// The caller's ``ProductPrecision/current``, which the workers run its job in: a task-local
    /// value does not cross to the pool's threads by itself, and a product must not change
    /// precision with the thread that happens to take its chunk.
    private var jobPrecision = ProductPrecision.float32

    /// A pool for `threadCount` threads, starting `threadCount − 1` workers.
    public init(threadCount: Int) {
        self.threadCount = threadCount
        self.activeLimit = Atomic(threadCount)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        for index in 1..<max(threadCount, 1) {
            pthread_detach(SystemThread.start { [self] in workerLoop(index: index) })
        }
    }

    /// Limits regions to the first `count` threads (1 … ``threadCount``), e.g. to measure scaling.
    public func setActiveThreads(_ count: Int) {
        activeLimit.store(min(max(1, count), threadCount), ordering: .relaxed)
    }

    /// Runs `body(chunk)` for every chunk in `0..<chunks`, spread over the pool; returns when all
    /// are done. The caller runs chunk 0; the others are claimed dynamically, so uneven chunks
    /// balance out.
    public func run(chunks: Int, _ body: (Int) -> Void) {
        let threads = min(activeThreads, chunks)
        guard threads > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            job = escapable
            chunkCount = chunks
            participants = threads - 1
            jobTally = FlopCounter.currentTally
            jobPrecision = ProductPrecision.current
            // The caller always runs chunk 0 (then helps with the rest): with one chunk per
            // thread, the first rows of every op stay on the calling core, so an op finds the rows
            // the op before it wrote in its own cache.
            nextChunk.store(1, ordering: .relaxed)
            // Every worker acknowledges every job, taking part or not, so none can lag a job behind.
            unfinishedWorkers.store(threadCount - 1, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            if sleeping.load(ordering: .acquiring) > 0 {
                pthread_mutex_lock(&mutex)
                pthread_cond_broadcast(&wake)
                pthread_mutex_unlock(&mutex)
            }
            escapable(0)
            drainChunks(escapable)
            while unfinishedWorkers.load(ordering: .acquiring) > 0 {
                spinPause()
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func drainChunks(_ body: (Int) -> Void) {
        while true {
            let chunk = nextChunk.add(1, ordering: .relaxed).oldValue
            if chunk >= chunkCount { return }
            body(chunk)
        }
    }

    private func workerLoop(index: Int) {
        // Start from the generation the pool was created with, not the current one: a job issued
        // before this thread first runs must still be seen (and acknowledged) as new.
        var seen = 0
        while true {
            // Spin for up to ``spinNanoseconds`` after the last job, then sleep until the next.
            var spins = 0
            let spinStart = OpProfiler.monotonicNanoseconds()
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                // The clock is read every 1024 pauses (≈ 14 µs), not on every turn.
                if spins & 1023 != 0 || OpProfiler.monotonicNanoseconds() - spinStart < Self.spinNanoseconds {
                    spinPause()
                } else {
                    pthread_mutex_lock(&mutex)
                    sleeping.add(1, ordering: .sequentiallyConsistent)
                    current = generation.load(ordering: .sequentiallyConsistent)
                    while current == seen {
                        pthread_cond_wait(&wake, &mutex)
                        current = generation.load(ordering: .acquiring)
                    }
                    sleeping.subtract(1, ordering: .relaxed)
                    pthread_mutex_unlock(&mutex)
                    break
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if index <= participants, let job {
                if jobTally != nil { FlopCounter.currentTally = jobTally }
                if jobPrecision == .float32 {
                    drainChunks(job)
                } else {
                    ProductPrecision.$current.withValue(jobPrecision) { drainChunks(job) }
                }
                if jobTally != nil { FlopCounter.currentTally = nil }
            }
            unfinishedWorkers.subtract(1, ordering: .releasing)
        }
    }
}

@inline(__always)
private func spinPause() {
    #if arch(x86_64) || arch(i386)
    _mm_pause_shim()
    #else
    sched_yield()
    #endif
}

#if arch(x86_64) || arch(i386)
@inline(__always)
private func _mm_pause_shim() {
    // `pause` tells the core this is a spin-wait loop; without it the sibling thread starves.
    runner_cpu_relax()
}
#endif

/// Splits `0..<count` into one contiguous range per active thread (ranges of at least `grain`
/// elements) and runs `body` on each, in parallel on the engine's ``ThreadPool``. Small counts
/// run inline on the caller.
///
/// One range per thread, cut where ``parallelForEvenly(_:grain:_:)`` cuts the rows of a GEMM
/// (and the caller always takes the first), so that an op over the rows another op just wrote
/// finds its share in the cache of the core that wrote it. Smaller ranges claimed as threads
/// come free would hand rows to whichever core is free, often not the one holding them.
///
/// - Parameters:
///   - count: the number of items.
///   - grain: the fewest items worth a thread (below `2 × grain` everything runs inline).
///   - body: called once per range; ranges are disjoint and cover `0..<count`.
public func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    parallelForEvenly(count, grain: grain, body)
}

/// Exactly one contiguous range per active thread, for kernels whose work per item is uniform
/// and which want the biggest contiguous blocks (GEMM row panels); ``parallelFor(_:grain:_:)``
/// splits the same way.
public func parallelForEvenly(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let threads = min(ThreadPool.shared.activeThreads, count / max(grain, 1))
    if threads <= 1 {
        body(0..<count)
        return
    }
    ThreadPool.shared.run(chunks: threads) { chunk in
        body(count * chunk / threads ..< count * (chunk + 1) / threads)
    }
}
