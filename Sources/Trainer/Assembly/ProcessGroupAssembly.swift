import Foundation
import TensorEngine
import Recipes
import Distributed

/// The processes a training run uses: under a launcher (`mpirun -np N runner train …`) Open
/// MPI's world, data-parallel; without one — or when the recipe itself sets `distribute: False` —
/// this process alone, with no MPI call made.
public enum ProcessGroupAssembly {
    /// What was decided: the group this process trains in (`nil`: it leaves without training),
    /// and a line for the log when the recipe and the launch disagree.
    public struct Decision {
        public let group: (any ProcessGroup)?
        public let note: String?
    }

    /// The group for `experiment` started with `environment`.
    ///
    /// Under a launcher with more than one process, every rank takes part unless the recipe file
    /// or `--set` says `distribute: False` (MindCV's default `False` left unset does not stop a
    /// job started with `mpirun`); then rank 0 trains alone and the others leave. Each rank's
    /// engine pool takes its share of the machine's cores — `RUNNER_THREADS` or `num_threads` if
    /// set, else cores ÷ ranks on this machine — so ranks do not oversubscribe the cores.
    /// - Throws: ``DistributedError`` when MPI cannot start.
    public static func make(_ experiment: Experiment,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Decision {
        let local = !experiment.system.distribute && experiment.provenance.origin(of: "distribute") != .defaultValue
        return try make(staysLocal: local, numThreads: experiment.system.numThreads, environment: environment)
    }

    /// The group for a command without a recipe (`runner bench --model`), or for one whose recipe
    /// `staysLocal` (says `distribute: False`); `numThreads` as the recipe's `num_threads`.
    public static func make(staysLocal: Bool = false, numThreads: Int? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Decision {
        guard let launch = MPILaunch.detect(environment), launch.worldSize != 1 else {
            return Decision(group: SingleProcess(), note: nil)
        }
        if staysLocal {
            return Decision(group: launch.rank == 0 ? SingleProcess() : nil,
                            note: "distribute: False: rank 0 trains alone on one process; the other \(max(launch.worldSize, 2) - 1) ranks of this mpirun job leave")
        }
        let group = try MPIProcessGroup(launch: launch)
        if environment["RUNNER_THREADS"] == nil, numThreads == nil {
            let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            ThreadPool.shared.setActiveThreads(max(1, cores / max(1, group.localWorldSize)))
        }
        return Decision(group: group, note: nil)
    }
}
