import Foundation
import Testing
import TensorEngine

/// `runner predict` on a ready input tensor (logits written out) and on image files.
@Suite struct PredictTests {
    @Test func logitsOfAnInputTensor() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        var random = RandomGenerator(seed: 1)
        try Safetensors.write([("input", Tensor.normal([2, 3, 32, 32], using: &random))],
                              to: URL(fileURLWithPath: scratch.path("input.safetensors")))
        let result = try scratch.run(["predict", "--model", "resnet18", "--classes", "7", "--input", "input.safetensors",
                                      "--logits-out", "logits.safetensors"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.standardError.contains("random weights"))
        let logits = try Safetensors.read(URL(fileURLWithPath: scratch.path("logits.safetensors")))
        #expect(logits.names == ["logits"])
        #expect(logits["logits"]?.shape == [2, 7])
        #expect(result.standardOutput.contains("input.safetensors[1]"))
    }

    @Test func topFiveOfImages() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DatasetsTests/Fixtures")
        let result = try scratch.run(["predict", "--model", "resnet18", "--classes", "10", "--image-size", "64",
                                      fixtures.appendingPathComponent("rgb.png").path, fixtures.appendingPathComponent("rgb.jpg").path])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.standardOutput.components(separatedBy: "%  class").count - 1 == 10, "\(result.standardOutput)")
    }
}
