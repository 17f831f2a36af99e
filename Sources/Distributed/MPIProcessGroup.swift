import CMPI

/// Open MPI's `MPI_COMM_WORLD` as a ``ProcessGroup``, for processes started by `mpirun`.
///
/// MPI is initialised with `MPI_THREAD_FUNNELED`: only the trainer's main thread calls it. Errors
/// are fatal (MPI's default handler), so a rank whose peer died ends instead of waiting forever;
/// `mpirun` then stops the rest of the job.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let worldSize: Int
    public let localWorldSize: Int

    /// Initialises MPI (once per process).
    /// - Parameter launch: what the launcher said, for the local process count.
    /// - Throws: ``DistributedError`` when MPI cannot start.
    public init(launch: MPILaunch) throws(DistributedError) {
        if runner_mpi_is_initialized() == 0 {
            let code = runner_mpi_init()
            guard code == 0 else { throw DistributedError("MPI_Init_thread failed with error \(code)") }
        }
        rank = Int(runner_mpi_rank())
        worldSize = Int(runner_mpi_size())
        localWorldSize = launch.localWorldSize > 0 ? launch.localWorldSize : worldSize
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var offset = 0
        while offset < buffer.count {
            let count = min(buffer.count - offset, Int(Int32.max))
            check(runner_mpi_allreduce_sum_float(buffer.baseAddress! + offset, Int32(count)), "MPI_Allreduce")
            offset += count
        }
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
        guard buffer.count > 0 else { return }
        check(runner_mpi_allreduce_sum_double(buffer.baseAddress!, Int32(buffer.count)), "MPI_Allreduce")
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) {
        var offset = 0
        while offset < buffer.count {
            let count = min(buffer.count - offset, Int(Int32.max))
            check(runner_mpi_broadcast(buffer.baseAddress! + offset, Int32(count), Int32(root)), "MPI_Bcast")
            offset += count
        }
    }

    public func abort(code: Int32) -> Never {
        runner_mpi_abort(code)
        fatalError("MPI_Abort returned")
    }

    /// Ends MPI in this process (after the last collective).
    public func finish() {
        _ = runner_mpi_finalize()
    }

    private func check(_ code: Int32, _ call: String) {
        guard code != 0 else { return }
        // MPI's default handler aborts before this; a custom one might not.
        abort(code: 70)
    }
}

/// MPI could not start or was asked for something it cannot do.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
