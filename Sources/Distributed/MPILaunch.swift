/// What `mpirun` (Open MPI, or another launcher using PMIx) tells a process it started, read from
/// the environment before any MPI call, so that a process started without a launcher never
/// touches MPI.
public struct MPILaunch: Sendable, Equatable {
    /// The process's rank in the job.
    public let rank: Int
    /// The job's process count.
    public let worldSize: Int
    /// Processes of the job on this machine.
    public let localWorldSize: Int

    /// The launch described by `environment`, or `nil` when no launcher started this process.
    /// Open MPI sets `OMPI_COMM_WORLD_SIZE`, `OMPI_COMM_WORLD_RANK` and
    /// `OMPI_COMM_WORLD_LOCAL_SIZE`; PMIx launchers `PMIX_RANK` (size then comes from MPI).
    public static func detect(_ environment: [String: String]) -> MPILaunch? {
        if let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init),
           let rank = environment["OMPI_COMM_WORLD_RANK"].flatMap(Int.init) {
            let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? size
            return MPILaunch(rank: rank, worldSize: size, localWorldSize: local)
        }
        if let rank = environment["PMIX_RANK"].flatMap(Int.init) {
            return MPILaunch(rank: rank, worldSize: 0, localWorldSize: 0)
        }
        return nil
    }
}
