#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDataLoading
import TensorEngine

/// How loader threads are scheduled beside the engine's.
public enum LoaderPriority: Sendable, Equatable {
    /// The same as every other thread.
    case normal
    /// A `nice` value (1 … 19) above the engine's.
    case nice(Int)
    /// Linux's `SCHED_IDLE`: only cores the engine leaves idle (lowest `nice` elsewhere).
    case background

    /// `normal`, `background`, or a nice value `1` … `19`.
    public init?(argument: String) {
        switch argument {
        case "normal": self = .normal
        case "background": self = .background
        default:
            guard let value = Int(argument), (1...19).contains(value) else { return nil }
            self = .nice(value)
        }
    }

    /// The training loaders' priority: `RUNNER_LOADER_PRIORITY` (``init(argument:)``) if set and
    /// valid, else ``background``. On a machine shared with other busy processes, background
    /// loader threads wait for them too; `normal` or a nice value then keeps them going.
    public static var configured: LoaderPriority {
        getenv("RUNNER_LOADER_PRIORITY").flatMap { LoaderPriority(argument: String(cString: $0)) } ?? .background
    }

    /// How ``init(argument:)`` spells it.
    public var argument: String {
        switch self {
        case .normal: "normal"
        case .nice(let value): String(value)
        case .background: "background"
        }
    }
}

/// Threads that make the samples of upcoming batches while the trainer works on the current one.
///
/// Batches are numbered across epochs (`epoch · batchesPerEpoch + index`); the loader keeps the
/// `depth` batches after the last one handed out in the making. Workers claim samples one at a
/// time, earliest batch first, and write each straight into its batch's `[B, C, H, W]` tensor (its
/// storage comes from the engine's buffer pool, so the few batches in flight recycle the same
/// memory); a batch is handed out when its last sample lands. Workers sleep on a condition
/// variable when the window is full — they never spin — and by default run at background priority,
/// so a parallel op of the engine never waits on a core a loader thread holds.
///
/// Asking for a batch outside the window (a resume, a jump, an epoch that was not continued into)
/// restarts the window there. What a sample holds depends only on `produce`'s arguments, so
/// batches are the same whatever the number of workers.
final class PrefetchLoader: @unchecked Sendable {
    /// Makes one sample: `(worker, epoch, position in the epoch, destination)` → its label.
    typealias Produce = @Sendable (_ worker: Int, _ epoch: Int, _ position: Int, _ out: UnsafeMutablePointer<Float>) throws -> Int32

    let workers: Int
    let depth: Int
    let batchesPerEpoch: Int
    let batchSize: Int
    /// Samples per epoch (the last batch may be short).
    let samplesPerEpoch: Int
    /// `[C, H, W]` of one sample.
    let sampleShape: [Int]
    /// Whether the window runs on into the next epoch after an epoch's last batch (training), or
    /// stops there (evaluation, which reads epoch 0 again and again).
    let continuesIntoNextEpoch: Bool
    private let produce: Produce
    private let priority: LoaderPriority

    private final class Slot {
        let images: Tensor
        var labels: [Int32]
        var claimed = 0
        var remaining: Int
        var error: (any Error)?
        init(images: Tensor, count: Int) {
            self.images = images
            labels = [Int32](repeating: 0, count: count)
            remaining = count
        }
    }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let batchReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var threads: [pthread_t] = []

    // Guarded by `mutex`.
    private var slots: [Int: Slot] = [:]
    /// The next batch the consumer is expected to take.
    private var next = 0
    /// The batch whose samples are being claimed.
    private var claiming = 0
    /// Batches from here on are not started (the end of the epoch, unless continuing).
    private var limit = 0
    private var stopping = false

    init(workers: Int, depth: Int, batchSize: Int, samplesPerEpoch: Int, batchesPerEpoch: Int, sampleShape: [Int],
         continuesIntoNextEpoch: Bool, priority: LoaderPriority, produce: @escaping Produce) {
        precondition(workers >= 1 && depth >= 1, "PrefetchLoader: \(workers) workers, depth \(depth)")
        self.workers = workers
        self.depth = depth
        self.batchSize = batchSize
        self.samplesPerEpoch = samplesPerEpoch
        self.batchesPerEpoch = batchesPerEpoch
        self.sampleShape = sampleShape
        self.continuesIntoNextEpoch = continuesIntoNextEpoch
        self.priority = priority
        self.produce = produce
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workAvailable, nil)
        pthread_cond_init(batchReady, nil)
        for index in 0..<workers {
            threads.append(SystemThread.start { [self] in work(worker: index) })
        }
    }

    deinit {
        pthread_cond_destroy(batchReady)
        pthread_cond_destroy(workAvailable)
        pthread_mutex_destroy(mutex)
        batchReady.deallocate()
        workAvailable.deallocate()
        mutex.deallocate()
    }

    /// Stops the workers after their current sample and waits for them. Call once, before the
    /// owner lets go (the threads hold the loader until they end).
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(workAvailable)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }

    /// Samples in batch `index` of an epoch.
    func count(ofBatch index: Int) -> Int { min(batchSize, samplesPerEpoch - index * batchSize) }

    /// Batch `index` of `epoch`: its images `[B, C, H, W]` and labels, waiting for it if needed.
    func batch(_ index: Int, epoch: Int) throws -> (images: Tensor, labels: [Int32]) {
        precondition((0..<batchesPerEpoch).contains(index), "PrefetchLoader: batch \(index) of \(batchesPerEpoch)")
        let number = epoch * batchesPerEpoch + index
        pthread_mutex_lock(mutex)
        // Inside the window, already claimed or next to be: keep the work done; else start over.
        if number < next || number > claiming {
            slots.removeAll()
            claiming = number
        }
        for key in slots.keys where key < number { slots[key] = nil }
        next = number
        limit = continuesIntoNextEpoch ? Int.max : (epoch + 1) * batchesPerEpoch
        pthread_cond_broadcast(workAvailable)
        while slots[number] == nil || slots[number]!.remaining > 0 {
            pthread_cond_wait(batchReady, mutex)
        }
        let slot = slots.removeValue(forKey: number)!
        next = number + 1
        pthread_cond_broadcast(workAvailable)
        pthread_mutex_unlock(mutex)
        if let error = slot.error { throw error }
        return (slot.images, slot.labels)
    }

    private func work(worker: Int) {
        switch priority {
        case .normal: break
        case .nice(let value): _ = runner_thread_set_nice(Int32(value))
        case .background: _ = runner_thread_make_background()
        }
        let sampleFloats = sampleShape.reduce(1, *)
        pthread_mutex_lock(mutex)
        while !stopping {
            guard claiming < min(next + depth, limit) else {
                pthread_cond_wait(workAvailable, mutex)
                continue
            }
            let number = claiming
            let epoch = number / batchesPerEpoch, index = number % batchesPerEpoch
            let slot: Slot
            if let existing = slots[number] {
                slot = existing
            } else {
                let count = count(ofBatch: index)
                slot = Slot(images: Tensor(uninitializedShape: [count] + sampleShape), count: count)
                slots[number] = slot
            }
            let item = slot.claimed
            slot.claimed += 1
            if slot.claimed == slot.labels.count { claiming += 1 }
            pthread_mutex_unlock(mutex)

            var label: Int32 = 0
            var failure: (any Error)?
            do {
                label = try produce(worker, epoch, index * batchSize + item, slot.images.data + item * sampleFloats)
            } catch {
                failure = error
            }

            pthread_mutex_lock(mutex)
            slot.labels[item] = label
            if let failure, slot.error == nil { slot.error = failure }
            slot.remaining -= 1
            if slot.remaining == 0 { pthread_cond_broadcast(batchReady) }
        }
        pthread_mutex_unlock(mutex)
    }
}
