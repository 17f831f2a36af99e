import Testing
import TensorEngine
@testable import Models

@Suite struct ModelRegistryTests {
    /// Published parameter counts at 1000 classes (timm / torchvision).
    @Test(arguments: [
        ("swinv2_tiny_window8_256", 28_347_154),
        ("swinv2_tiny_window16_256", 28_347_154),
        ("swin_v2_t", 28_351_570),
        ("twins_svt_small", 24_060_776),
        ("twins_pcpvt_small", 24_106_216),
        ("resnet18", 11_689_512),
        ("resnet50", 25_557_032),
    ])
    func parameterCounts(_ name: String, _ expected: Int) throws {
        let model = try ModelRegistry.standard.build(name)
        #expect(model.parameterCount == expected)
    }

    @Test func aliasesResolve() throws {
        #expect(try ModelRegistry.standard.entry(named: "swinv2_tiny_window8").name == "swinv2_tiny_window8_256")
    }

    @Test func unknownNameListsNearestNames() {
        let error = #expect(throws: ModelError.self) { try ModelRegistry.standard.entry(named: "swinv2_tiny_windw8") }
        #expect(error?.description.contains("unknown model 'swinv2_tiny_windw8'") == true)
        #expect(error?.description.contains("swinv2_tiny_window8") == true)
    }

    @Test func globFilter() {
        let names = ModelRegistry.standard.entries(matching: "swin_v2_*").map(\.name)
        #expect(names == ["swin_v2_t", "swin_v2_s", "swin_v2_b"])
    }

    @Test func overridesBuildASmallSwinV2() throws {
        let model = try ModelRegistry.standard.build("swinv2_tiny_window8_256", options: ModelOptions(
            classes: 10, inChannels: 1,
            overrides: ["img_size": .integer(32), "patch_size": .integer(2), "embed_dim": .integer(32),
                        "depths": .integers([2, 2]), "num_heads": .integers([2, 4]), "window_size": .integer(4)]))
        let logits = Tape.withoutRecording { model(Tensor.zeros([2, 1, 32, 32]), .evaluation()) }
        #expect(logits.shape == [2, 10])
    }

    @Test func unknownOverrideIsAnError() {
        let error = #expect(throws: ModelError.self) {
            try ModelRegistry.standard.build("swinv2_tiny_window8_256", options: ModelOptions(overrides: ["windw_size": .integer(4)]))
        }
        #expect(error?.description.contains("did you mean window_size") == true)
    }
}
