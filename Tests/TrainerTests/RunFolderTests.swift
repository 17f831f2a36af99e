import Foundation
import Testing
import Results
import Trainer

/// A run's files are its own: two stores in one directory, or a store deleted and recreated,
/// each train their run #1 into a folder of its own, and each store's records match its files.
@Suite struct RunFolderTests {
    @Test func twoStoresAndARecreatedStoreNeverShareAFolder() throws {
        let tiny = try TinyExperiment()
        let first = tiny.folder.appendingPathComponent("first.sqlite").path
        let second = tiny.folder.appendingPathComponent("second.sqlite").path
        var runs: [(store: String, observation: TinyExperiment.Observation, session: TrainingSession)] = []
        for (store, epochs) in [(first, "2"), (second, "1")] {
            let (observation, session) = try tiny.run(tiny.experiment([("db", "'\(store)'"), ("epoch_size", epochs)]))
            runs.append((store, observation, session))
        }
        try FileManager.default.removeItem(atPath: first)
        let (recreated, recreatedSession) = try tiny.run(tiny.experiment([("db", "'\(first)'"), ("seed", "5")]))
        runs.append((first, recreated, recreatedSession))

        #expect(runs.map { $0.session.runID.rawValue } == [1, 1, 1])
        #expect(Set(runs.map { $0.session.runDirectory.path }).count == 3)
        // The first store's file is gone, but its run's folder and checkpoints are not touched.
        let firstFolder = runs[0].session.runDirectory
        let saved = try CheckpointFiles.loadState(for: firstFolder.appendingPathComponent("last.safetensors"))
        #expect(saved.completedEpochs == 2)
        for run in runs.dropFirst() {
            let store = try ResultsStore(path: run.store)
            let record = try #require(try store.run(run.session.runID))
            #expect(record.run.directory == run.session.runDirectory.path)
            let state = try CheckpointFiles.loadState(for: run.session.runDirectory.appendingPathComponent("last.safetensors"))
            #expect(state.completedEpochs == record.epochs.count)
            #expect(record.run.name == "recipe")
        }
    }

    @Test func resumingAgainstAnotherStoresRunIsRefused() throws {
        let tiny = try TinyExperiment()
        let (_, session) = try tiny.run(tiny.experiment([("epoch_size", "1")]))
        let last = session.runDirectory.appendingPathComponent("last.safetensors")
        // Another store whose run #1 lives elsewhere.
        let other = tiny.folder.appendingPathComponent("other.sqlite").path
        _ = try tiny.run(tiny.experiment([("db", "'\(other)'"), ("epoch_size", "1")]))
        let experiment = try tiny.experiment([("db", "'\(other)'")])
        let assembly = try TrainingAssembly(experiment)
        #expect(throws: TrainingError.self) {
            try TrainingSession(assembly, store: ResultsStore(path: other),
                                resume: .init(weights: last, state: CheckpointFiles.loadState(for: last)), log: { _ in })
        }
    }

    @Test func folderNamesAreDatedSafeAndExclusive() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("run-folders-\(UUID().uuidString)")
        let date = Date(timeIntervalSince1970: 0)
        let first = try RunFolder.create(in: parent, name: "a/b c", date: date)
        let second = try RunFolder.create(in: parent, name: "a/b c", date: date)
        #expect(first.lastPathComponent.hasSuffix("-a_b_c"))
        #expect(second.lastPathComponent == first.lastPathComponent + "-2")
    }
}
