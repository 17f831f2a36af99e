import Foundation

/// The processes that train one run together, and the collective operations the trainer needs
/// between them. Every rank calls each operation in the same order; buffers are in place.
///
/// ``SingleProcess`` is the default (every operation the identity); ``MPIProcessGroup`` is Open
/// MPI's `MPI_COMM_WORLD` under `mpirun`.
public protocol ProcessGroup: AnyObject {
    /// This process's index, 0 ..< ``worldSize``.
    var rank: Int { get }
    /// How many processes train together.
    var worldSize: Int { get }
    /// How many of them run on this machine (they share its cores).
    var localWorldSize: Int { get }
    /// Sums `buffer` element-wise over all ranks, in place.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Sums `buffer` element-wise over all ranks, in place.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>)
    /// Copies rank `root`'s bytes into every other rank's `buffer`.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int)
    /// Ends every process of the job at once (a rank that cannot go on must not leave the others
    /// waiting in a collective).
    func abort(code: Int32) -> Never
    /// Ends the group's use of its transport after the last collective.
    func finish()
}

extension ProcessGroup {
    /// Whether this process writes the run's records, files and progress (rank 0).
    public var isRecorder: Bool { rank == 0 }

    /// `values` summed over all ranks.
    public func sum(_ values: [Double]) -> [Double] {
        guard worldSize > 1 else { return values }
        var result = values
        result.withUnsafeMutableBufferPointer { allReduceSum($0) }
        return result
    }

    /// Rank `root`'s `value` on every rank.
    public func broadcast(_ value: Int, from root: Int = 0) -> Int {
        guard worldSize > 1 else { return value }
        var copy = Int64(value)
        withUnsafeMutableBytes(of: &copy) { broadcast($0, from: root) }
        return Int(copy)
    }
}

/// One process: nothing to exchange.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var worldSize: Int { 1 }
    public var localWorldSize: Int { 1 }
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) {}
    public func abort(code: Int32) -> Never { exit(code) }
    public func finish() {}
}





extension ProcessGroup {
    /// Rank `root`'s `text` on every rank.
    public func broadcast(_ text: String, from root: Int = 0) -> String {
        guard worldSize > 1 else { return text }
        var bytes = Array(text.utf8)
        let count = broadcast(bytes.count, from: root)
        if bytes.count != count { bytes = [UInt8](repeating: 0, count: count) }
        bytes.withUnsafeMutableBytes { broadcast($0, from: root) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
