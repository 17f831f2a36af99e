import Foundation
import Testing
@testable import Results

@Suite struct FilterSortTests {
    let all = Fixtures.summaries

    func ids(_ s: [RunSummary]) -> [Int64] { s.map(\.run.id.rawValue) }

    @Test func filterByModelDatasetStatusName() {
        #expect(ids(all.filter(RunFilter(model: "swinv2_*").matches)) == [2, 4])
        #expect(ids(all.filter(RunFilter(model: "resnet18").matches)) == [1])
        #expect(ids(all.filter(RunFilter(dataset: "cifar10").matches)) == [3, 4])
        #expect(ids(all.filter(RunFilter(status: "died").matches)) == [3])
        #expect(ids(all.filter(RunFilter(status: "f*").matches)) == [1, 2, 4])
        #expect(ids(all.filter(RunFilter(model: "swinv2_*", dataset: "cifar*").matches)) == [4])
        #expect(ids(all.filter(RunFilter(name: "*tiny*").matches)) == [2])
        #expect(ids(all.filter(RunFilter(ids: [RunID(1), RunID(3)]).matches)) == [1, 3])
    }

    @Test func sortKeysAndDirections() {
        #expect(ids(RunSort.byStart.sorted(all)) == [1, 4, 2, 3])
        #expect(ids(RunSort(.start, descending: true).sorted(all)) == [3, 2, 4, 1])
        #expect(ids(RunSort(.name).sorted(all)) == [4, 1, 2, 3])
        // Best accuracy first by default; the run with no epochs is last either way.
        #expect(ids(RunSort(.top1).sorted(all)) == [2, 1, 3, 4])
        #expect(ids(RunSort(.top1, descending: false).sorted(all)) == [3, 1, 2, 4])
        #expect(ids(RunSort(.parameters).sorted(all)) == [2, 3, 1, 4])
        #expect(ids(RunSort(.epochs).sorted(all)) == [1, 2, 3, 4])
        #expect(RunSort(parsing: "-start") == RunSort(.start, descending: true))
        #expect(RunSort(parsing: "+top1") == RunSort(.top1, descending: false))
        #expect(RunSort(parsing: "params") == RunSort(.parameters))
        #expect(RunSort(parsing: "nonsense") == nil)
    }

    @Test func storeAppliesFilterAndSort() throws {
        let folder = try TestFolder()
        let store = try ResultsStore(path: folder.path("r.sqlite"))
        let a = try store.startRun(name: "a", model: "resnet18", dataset: "fashion-mnist")
        let b = try store.startRun(name: "b", model: "swinv2_tiny_window8", dataset: "fashion-mnist")
        let c = try store.startRun(name: "c", model: "swinv2_small_window8", dataset: "cifar10")
        try store.recordEpoch(run: a, epoch: 1, top1: 80)
        try store.recordEpoch(run: b, epoch: 1, top1: 90)
        try store.recordEpoch(run: c, epoch: 1, top1: 85)
        try store.finishRun(run: c, status: .finished)
        #expect(try store.runs(sort: RunSort(.top1)).map(\.run.id) == [b, c, a])
        #expect(try store.runs(filter: RunFilter(model: "swinv2_*"), sort: RunSort(.name, descending: true)).map(\.run.id) == [c, b])
        #expect(try store.runs(filter: RunFilter(status: "running", ids: [a, c])).map(\.run.id) == [a])
    }
}
