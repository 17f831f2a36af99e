import Testing
import Trainer

@Suite struct CheckpointRetentionTests {
    typealias Kept = TrainingState.KeptCheckpoint

    func add(_ retention: CheckpointRetention, _ top1s: [Double?]) -> (kept: [Int], dropped: [Int]) {
        var kept: [Kept] = [], dropped: [Int] = []
        for (index, top1) in top1s.enumerated() {
            let result = retention.adding(Kept(epoch: index + 1, top1: top1, file: "epoch-\(index + 1)"), to: kept)
            kept = result.kept
            dropped += result.dropped.map(\.epoch)
        }
        return (kept.map(\.epoch), dropped)
    }

    @Test func latestKKeepsTheMostRecent() {
        let result = add(CheckpointRetention(keep: 2, policy: .latestK), [50, 90, 60, 70])
        #expect(result.kept == [3, 4])
        #expect(result.dropped == [1, 2])
    }

    @Test func topKKeepsTheBestByTop1TiesToTheLaterEpoch() {
        let result = add(CheckpointRetention(keep: 2, policy: .topK), [50, 90, 60, 90, 10])
        #expect(result.kept == [2, 4])
        #expect(result.dropped == [1, 3, 5])
    }

    @Test func keepIsAtLeastOne() {
        #expect(add(CheckpointRetention(keep: 0, policy: .latestK), [1, 2]).kept == [2])
    }
}
