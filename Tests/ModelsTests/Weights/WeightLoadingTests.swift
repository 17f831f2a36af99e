import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

@Suite struct WeightLoadingTests {
    static func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString).safetensors")
    }

    static func smallResNet(channels: Int, classes: Int, seed: UInt64) throws -> any ClassificationModel {
        try ModelRegistry.standard.build("resnet18", options: ModelOptions(classes: classes, inChannels: channels, seed: seed,
                                                                           overrides: ["width": .integer(8)]))
    }

    @Test func rgbStemLoadsIntoAGreyModelSummedOverChannels() throws {
        let url = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let rgb = try Self.smallResNet(channels: 3, classes: 10, seed: 1)
        try Safetensors.write(rgb.stateDict(), to: url)
        let grey = try Self.smallResNet(channels: 1, classes: 10, seed: 2)
        let report = try WeightLoading.load(into: grey, from: url)
        #expect(report.notices.contains { $0.contains("conv1.weight: summed the file's 3 input channels into 1") })
        let source = try #require(rgb.namedParameters().first { $0.name == "conv1.weight" }?.tensor)
        let loaded = try #require(grey.namedParameters().first { $0.name == "conv1.weight" }?.tensor)
        #expect(loaded.shape == [8, 1, 7, 7])
        expectClose(loaded.scalars, source.sum(axes: [1]).scalars)
    }

    @Test func classifierOfAnotherSizeIsKeptFreshWithANotice() throws {
        let url = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write(try Self.smallResNet(channels: 3, classes: 1000, seed: 1).stateDict(), to: url)
        let model = try Self.smallResNet(channels: 3, classes: 10, seed: 2)
        let report = try WeightLoading.load(into: model, from: url)
        #expect(report.notices.contains { $0.contains("fc.weight [1000, 64]→[10, 64]") }, "\(report.notices)")
    }

    @Test func foreignNamesAreListed() throws {
        let url = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write([("encoder.stem.weight", Tensor.zeros([2]))], to: url)
        let error = #expect(throws: StateLoadError.self) { try WeightLoading.load(into: try Self.smallResNet(channels: 3, classes: 10, seed: 1), from: url) }
        #expect(error?.description.contains("unexpected keys (1): encoder.stem.weight") == true)
        #expect(error?.description.contains("missing keys") == true)
    }
}

/// Asserts two float arrays agree within `tolerance` relative to their magnitude.
func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    let worst = zip(actual, expected).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
    #expect(worst <= tolerance, "worst relative difference \(worst)", sourceLocation: sourceLocation)
}
