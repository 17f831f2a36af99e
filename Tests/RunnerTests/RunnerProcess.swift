import Foundation
import Testing
import Results

/// Runs the built `runner` binary in a scratch folder, as a user would.
struct RunnerProcess {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
        var combined: String { standardOutput + standardError }
    }

    /// The `runner` executable next to the test bundle.
    static let executable: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("runner")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/release/runner")
    }()

    let directory: URL

    /// A fresh scratch folder, removed by `cleanUp()`.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("runner-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The folder of run `id` as the scratch folder's store records it.
    func runFolder(_ id: Int64 = 1, store: String = "runs/results.sqlite") throws -> String {
        let record = try #require(try ResultsStore(path: path(store)).run(RunID(id)), "no run #\(id) in \(store)")
        return try #require(record.run.directory, "run #\(id) has no folder recorded")
    }

    /// Open MPI's launcher, allowed to run as root (CI) and to put two ranks on two cores.
    static let mpirun: [String] = ["/usr/bin/mpirun", "--allow-run-as-root", "--oversubscribe",
                                   "--mca", "btl_vader_single_copy_mechanism", "none"]

    /// Starts `runner arguments…` (under `mpirun -np ranks` when `ranks` is given) and returns the
    /// process (for signals) and its pipes.
    func start(_ arguments: [String], environment: [String: String] = [:], ranks: Int? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        if let ranks {
            process.executableURL = URL(fileURLWithPath: Self.mpirun[0])
            process.arguments = Array(Self.mpirun.dropFirst()) + ["-np", String(ranks), Self.executable.path] + arguments
        } else {
            process.executableURL = Self.executable
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// Runs `runner arguments…` to completion.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], ranks: Int? = nil) throws -> Output {
        let (process, out, err) = try start(arguments, environment: environment, ranks: ranks)
        // Drain standard error on another thread while reading standard output here, so a chatty
        // child never blocks on a full pipe.
        let errorText = PipeReader(err)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: errorText.wait())
    }
}

/// Reads a pipe to its end on a background thread.
final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
