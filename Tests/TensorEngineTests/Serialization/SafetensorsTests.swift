import Foundation
import Testing
import TensorEngine

@Suite struct SafetensorsTests {
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func readsFileWrittenByPyTorch() throws {
        let url = try #require(Bundle.module.url(forResource: "sample", withExtension: "safetensors", subdirectory: "Fixtures"))
        let file = try Safetensors.read(url)
        #expect(file.metadata["format"] == "pt")
        #expect(file["weight_f32"]?.shape == [2, 3])
        #expect(file["weight_f32"]?.tensor().scalars == [0, 0.25, 0.5, 0.75, 1, 1.25])
        #expect(file["weight_f16"]?.dtype == .f16)
        #expect(file["weight_f16"]?.tensor().scalars == [1.5, -2.25, 65504])
        #expect(file["weight_bf16"]?.tensor().scalars == [3, -0.5])
        #expect(file["relative_position_index"]?.integers() == [0, 1, 2, 3])
        #expect(file["scalar"]?.shape == [])
        #expect(file["scalar"]?.tensor().item == 7)
    }

    @Test func roundTripsAndLeavesNoTemporaryFile() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("weights.safetensors")
        var data = TestData(seed: 3)
        let a = data.normal([3, 4, 5]), b = data.normal([7])
        try Safetensors.write([("a", a), ("b.weight", b)], metadata: ["epoch": "3"], to: url)
        let file = try Safetensors.read(url)
        #expect(file.names == ["a", "b.weight"])
        #expect(file.metadata == ["epoch": "3"])
        #expect(file["a"]?.tensor().scalars == a.scalars)
        #expect(file["b.weight"]?.tensor().scalars == b.scalars)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["weights.safetensors"])
    }

    @Test func damagedFilesAreErrorsNamingTheFile() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("w.safetensors")
        try Safetensors.write([("a", Tensor.ones([100]))], to: url)
        let whole = try Data(contentsOf: url)
        try whole.prefix(whole.count - 10).write(to: url)
        let truncated = #expect(throws: Safetensors.FormatError.self) { try Safetensors.read(url) }
        #expect(truncated?.description.contains("w.safetensors") == true)
        #expect(truncated?.description.contains("truncated") == true)

        try Data("not a safetensors file".utf8).write(to: url)
        #expect(throws: Safetensors.FormatError.self) { try Safetensors.read(url) }
        let missing = #expect(throws: Safetensors.FormatError.self) {
            try Safetensors.read(folder.appendingPathComponent("absent.safetensors"))
        }
        #expect(missing?.description.contains("no such file") == true)
    }
}
