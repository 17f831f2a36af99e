import Foundation
import Testing
@testable import Results

/// Several writers on one store file at once.
///
/// Two levels: separate `ResultsStore` connections (separate SQLite connections and pools) in
/// threads of this process, and — on Linux — real child processes: the test binary re-invoked
/// with a filter that runs only `childWriterProcess()`, which writes when its environment
/// names a store.
@Suite struct ConcurrentWriterTests {
    static let epochsPerWriter = 30

    @Test func separateStoresInThreadsInterleaveWrites() throws {
        let folder = try TestFolder()
        let path = folder.path("shared.sqlite")
        let writers = 4
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: writers) { index in
            do {
                try Self.writeOneRun(path: path, index: index)
            } catch {
                failures.append("writer \(index): \(error)")
            }
        }
        #expect(failures.all.isEmpty)
        try Self.expectCompleteRuns(path: path, writers: writers)
    }

    #if os(Linux)
    @Test func separateProcessesInterleaveWrites() throws {
        let folder = try TestFolder()
        let path = folder.path("processes/shared.sqlite")
        let goFile = folder.path("go")
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let writers = 3
        var children: [Process] = []
        for index in 0..<writers {
            let child = Process()
            child.executableURL = executable
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childWriterProcess"]
            var environment = ProcessInfo.processInfo.environment
            environment["RESULTS_CHILD_STORE"] = path
            environment["RESULTS_CHILD_INDEX"] = String(index)
            environment["RESULTS_CHILD_GO"] = goFile
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: folder.path("child\(index).log"), contents: nil)
            child.standardError = try FileHandle(forWritingTo: folder.url.appendingPathComponent("child\(index).log"))
            children.append(child)
        }
        // All start together, so creating the file and migrating it race too.
        for child in children { try child.run() }
        // Release the epoch writes only once every child has opened the store and started its run.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? ResultsStore(path: path).runs().count) ?? 0 < writers,
              children.allSatisfy(\.isRunning)
        {
            usleep(10_000)
        }
        _ = FileManager.default.createFile(atPath: goFile, contents: nil)
        for child in children { child.waitUntilExit() }
        for (index, child) in children.enumerated() {
            let log = (try? String(contentsOfFile: folder.path("child\(index).log"), encoding: .utf8)) ?? ""
            #expect(child.terminationStatus == 0, "child \(index): \(log.suffix(2000))")
        }
        try Self.expectCompleteRuns(path: path, writers: writers)
        let runs = try ResultsStore(path: path).runs()
        // Each run was written by a different process, none of them this one.
        let pids = Set(runs.map(\.run.pid))
        #expect(pids.count == writers && !pids.contains(getpid()))
        // The writes really overlapped in time: some two runs' epoch spans intersect.
        let spans = runs.map { ($0.epochs.first!.recordedAt, $0.epochs.last!.recordedAt) }
        let overlapping = spans.indices.contains { i in
            spans.indices.contains { j in i != j && spans[i].0 < spans[j].1 && spans[j].0 < spans[i].1 }
        }
        #expect(overlapping, "epoch spans: \(spans)")
    }
    #endif

    /// The body of a child process in `separateProcessesInterleaveWrites()`; does nothing otherwise.
    @Test func childWriterProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment["RESULTS_CHILD_STORE"], let index = Int(environment["RESULTS_CHILD_INDEX"] ?? "")
        else { return }
        try Self.writeOneRun(path: path, index: index, waitFor: environment["RESULTS_CHILD_GO"])
    }

    /// Starts a run, records every epoch (with reads and heartbeats between), an evaluation, and finishes.
    /// With `goFile`, waits after starting the run until that file exists.
    static func writeOneRun(path: String, index: Int, waitFor goFile: String? = nil) throws {
        let store = try ResultsStore(path: path)
        let id = try store.startRun(name: "writer-\(index)", model: "m", dataset: "d", epochsPlanned: epochsPerWriter)
        if let goFile {
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: goFile), Date() < deadline { usleep(5_000) }
        }
        for epoch in 1...epochsPerWriter {
            try store.recordEpoch(run: id, epoch: epoch, trainLoss: Double(index) + 1 / Double(epoch),
                                  top1: Double(epoch), seconds: 0.01)
            if epoch % 5 == 0 { try store.heartbeat(run: id) }
            _ = try store.runs()  // readers interleaved with the writes
        }
        try store.recordEvaluation(EvaluationRecord(runID: id, checkpoint: "w\(index)", dataset: "d", split: "val", top1: 1))
        try store.finishRun(run: id, status: .finished)
    }

    static func expectCompleteRuns(path: String, writers: Int) throws {
        let store = try ResultsStore(path: path)
        let runs = try store.runs(sort: RunSort(.name))
        #expect(runs.map(\.run.name) == (0..<writers).map { "writer-\($0)" })
        for run in runs {
            #expect(run.status == .finished)
            #expect(run.epochs.map(\.epoch) == Array(1...epochsPerWriter))
        }
        #expect(try store.evaluations().count == writers)
    }
}
