import Foundation
import Testing
@testable import Results

@Suite struct LivenessTests {
    let start = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func staleHeartbeatIsReportedDiedWithoutRewritingTheRow() throws {
        let folder = try TestFolder()
        let path = folder.path("r.sqlite")
        let writer = try ResultsStore(path: path)
        let id = try writer.startRun(name: "crashed", model: "m", dataset: "d", startedAt: start)
        let alive = try writer.startRun(name: "alive", model: "m", dataset: "d", startedAt: start)
        let done = try writer.startRun(name: "done", model: "m", dataset: "d", startedAt: start)
        try writer.heartbeat(run: alive, at: start.addingTimeInterval(250))
        try writer.finishRun(run: done, status: .finished, at: start.addingTimeInterval(10))

        let now = start.addingTimeInterval(300)
        let reader = try ResultsStore(path: path, liveness: LivenessPolicy(staleAfter: 120, now: { now }))
        let statuses = Dictionary(uniqueKeysWithValues: try reader.runs().map { ($0.run.name, $0.status) })
        #expect(statuses == ["crashed": .died, "alive": .running, "done": .finished])
        // Computed on read: the row still says running.
        #expect(try reader.run(id)?.run.status == .running)
        #expect(try reader.runs(filter: RunFilter(status: "died")).map(\.run.id) == [id])
    }

    @Test func deadProcessOnThisHostIsDiedOtherHostsTrustTheHeartbeat() throws {
        let run = RunRecord(id: RunID(1), name: "n", model: "m", dataset: "d", configYAML: "", configHash: "",
                            parameters: nil, worldSize: 1, host: "here", pid: 4242, startedAt: start, finishedAt: nil,
                            heartbeatAt: start, status: .running, error: nil, epochsPlanned: nil, imageSize: nil,
                            batchSize: nil, notes: nil)
        let now = start.addingTimeInterval(10)
        let pidGone = LivenessPolicy(hostName: "here", isProcessAlive: { _ in false }, now: { now })
        let pidAlive = LivenessPolicy(hostName: "here", isProcessAlive: { _ in true }, now: { now })
        let elsewhere = LivenessPolicy(hostName: "other", isProcessAlive: { _ in false }, now: { now })
        #expect(pidGone.effectiveStatus(of: run) == .died)
        #expect(pidAlive.effectiveStatus(of: run) == .running)
        #expect(elsewhere.effectiveStatus(of: run) == .running)
        var finished = run
        finished.status = .interrupted
        #expect(pidGone.effectiveStatus(of: finished) == .interrupted)
    }

    @Test func processExistsSeesLiveAndReapedProcesses() throws {
        #expect(LivenessPolicy.processExists(getpid()))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exit 0"]
        try child.run()
        child.waitUntilExit()
        #expect(!LivenessPolicy.processExists(child.processIdentifier))
        #expect(!LivenessPolicy.processExists(0))
    }
}
