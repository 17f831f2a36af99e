import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// transformers' `Swinv2ForImageClassification` weights loading into our SwinV2 (fixture from
/// `tools/make_hf_fixture.py`: a tiny network saved by `save_pretrained`, its input and logits).
@Suite struct SwinV2HuggingFaceNamesTests {
    static let folder = "Fixtures/swinv2_hf_tiny"

    static func fixtureURL(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: folder),
                     "\(folder)/\(name).safetensors is missing; run tools/make_hf_fixture.py")
    }

    /// The network the fixture was made with, from the timm keywords in its metadata.
    static func model(seed: UInt64 = 3) throws -> SwinV2 {
        let expected = try Safetensors.read(try fixtureURL("expected"))
        let json = try #require(expected.metadata["config"])
        let config = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        func int(_ key: String) -> Int { (config[key] as! NSNumber).intValue }
        func ints(_ key: String) -> [Int] { (config[key] as! [NSNumber]).map(\.intValue) }
        var c = SwinV2Configuration()
        c.depths = ints("depths")
        c.heads = ints("num_heads")
        c.windowSizes = Array(repeating: int("window_size"), count: c.depths.count)
        c.pretrainedWindowSizes = Array(repeating: 0, count: c.depths.count)
        c.imageSize = int("img_size")
        c.patchSize = int("patch_size")
        c.inChannels = int("in_chans")
        c.classes = int("num_classes")
        c.embedDim = int("embed_dim")
        c.dropPathRate = 0
        return try SwinV2(c, seed: seed)
    }

    static func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("hf-\(UUID().uuidString).safetensors")
    }

    /// The fixture's weights with `edit` applied, written to a temporary file.
    static func editedWeights(_ edit: (inout [(name: String, tensor: Tensor)]) -> Void) throws -> URL {
        var entries = try Safetensors.read(try fixtureURL("model")).entries.map { (name: $0.name, tensor: $0.tensor()) }
        edit(&entries)
        let url = temporaryFile()
        try Safetensors.write(entries, to: url)
        return url
    }

    @Test func fixtureIsDetectedAsHuggingFace() throws {
        let file = try Safetensors.read(try Self.fixtureURL("model"))
        #expect(WeightLoading.detect(file.names) == .hf)
    }

    @Test func loadsWithAutomaticDetectionAndMatchesTransformersLogits() throws {
        let model = try Self.model()
        let report = try WeightLoading.load(into: model, from: try Self.fixtureURL("model"))
        #expect(report.notices.isEmpty, "\(report.notices)")
        let expected = try Safetensors.read(try Self.fixtureURL("expected"))
        let input = try #require(expected["input"]).tensor()
        let logits = Tape.withoutRecording { model(input, .evaluation()) }
        let reference = try #require(expected["logits"]).tensor()
        #expect(logits.shape == reference.shape)
        let error = relativeError(logits.scalars, reference.scalars)
        #expect(error < 1e-4, "logits relative error \(error)")
    }

    @Test func queryKeyValueAreConcatenatedIntoQKV() throws {
        let model = try Self.model()
        _ = try WeightLoading.load(into: model, from: try Self.fixtureURL("model"), format: .hf)
        let file = try Safetensors.read(try Self.fixtureURL("model"))
        let prefix = "swinv2.encoder.layers.0.blocks.1.attention.self."
        let parts = try ["query", "key", "value"].map { try #require(file[prefix + $0 + ".weight"]).tensor().scalars }
        let qkv = try #require(model.namedParameters().first { $0.name == "layers.0.blocks.1.attn.qkv.weight" }?.tensor)
        #expect(qkv.shape == [48, 16])
        #expect(qkv.scalars == parts.flatMap { $0 })
        let vBias = try #require(model.namedParameters().first { $0.name == "layers.0.blocks.1.attn.v_bias" }?.tensor)
        #expect(vBias.scalars == (try #require(file[prefix + "value.bias"])).tensor().scalars)
    }

    @Test func namesMapOntoTimm() {
        typealias N = SwinV2HuggingFaceNames
        #expect(N.target("swinv2.embeddings.patch_embeddings.projection.weight") == .renamed("patch_embed.proj.weight"))
        #expect(N.target("swinv2.embeddings.norm.bias") == .renamed("patch_embed.norm.bias"))
        #expect(N.target("swinv2.encoder.layers.2.blocks.5.layernorm_before.weight") == .renamed("layers.2.blocks.5.norm1.weight"))
        #expect(N.target("swinv2.encoder.layers.2.blocks.5.layernorm_after.bias") == .renamed("layers.2.blocks.5.norm2.bias"))
        #expect(N.target("swinv2.encoder.layers.0.blocks.0.attention.self.logit_scale") == .renamed("layers.0.blocks.0.attn.logit_scale"))
        #expect(N.target("swinv2.encoder.layers.0.blocks.0.attention.self.continuous_position_bias_mlp.2.weight")
                == .renamed("layers.0.blocks.0.attn.cpb_mlp.2.weight"))
        #expect(N.target("swinv2.encoder.layers.0.blocks.0.attention.self.query.bias") == .renamed("layers.0.blocks.0.attn.q_bias"))
        #expect(N.target("swinv2.encoder.layers.0.blocks.0.attention.self.key.weight") == .qkvWeight(attention: "layers.0.blocks.0.attn", part: 1))
        #expect(N.target("swinv2.encoder.layers.0.blocks.0.attention.output.dense.weight") == .renamed("layers.0.blocks.0.attn.proj.weight"))
        #expect(N.target("swinv2.encoder.layers.1.blocks.0.intermediate.dense.weight") == .renamed("layers.1.blocks.0.mlp.fc1.weight"))
        #expect(N.target("swinv2.encoder.layers.1.blocks.0.output.dense.bias") == .renamed("layers.1.blocks.0.mlp.fc2.bias"))
        #expect(N.target("swinv2.encoder.layers.1.downsample.reduction.weight") == .renamed("layers.2.downsample.reduction.weight"))
        #expect(N.target("swinv2.layernorm.weight") == .renamed("norm.weight"))
        #expect(N.target("classifier.bias") == .renamed("head.fc.bias"))
        // The headless Swinv2Model saves without the prefix.
        #expect(N.target("encoder.layers.0.blocks.0.layernorm_before.weight") == .renamed("layers.0.blocks.0.norm1.weight"))
        #expect(N.target("swinv2.encoder.layers.0.blocks.0.attention.self.key.bias") == nil)
        #expect(N.target("swinv2.embeddings.mask_token") == nil)
    }

    @Test func unknownNameIsListed() throws {
        let url = try Self.editedWeights { $0.append((name: "swinv2.encoder.layers.0.blocks.0.attention.self.rotary.weight", tensor: .zeros([4]))) }
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try Self.model()
        let before = model.namedParameters().map { $0.tensor.scalars }
        let error = #expect(throws: StateLoadError.self) { try WeightLoading.load(into: model, from: url) }
        #expect(error?.description.contains("unexpected keys (1): swinv2.encoder.layers.0.blocks.0.attention.self.rotary.weight") == true,
                "\(error?.description ?? "")")
        // A refused file leaves the model as it was: nothing is copied unless everything fits.
        #expect(model.namedParameters().map { $0.tensor.scalars } == before)
    }

    @Test func missingKeyProjectionListsItsSiblingsAndTheMissingQKV() throws {
        let url = try Self.editedWeights { $0.removeAll { $0.name == "swinv2.encoder.layers.1.blocks.0.attention.self.key.weight" } }
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: StateLoadError.self) { try WeightLoading.load(into: try Self.model(), from: url) }
        let text = error?.description ?? ""
        #expect(text.contains("missing keys (1): layers.1.blocks.0.attn.qkv.weight"), "\(text)")
        #expect(text.contains("swinv2.encoder.layers.1.blocks.0.attention.self.query.weight"), "\(text)")
        #expect(text.contains("swinv2.encoder.layers.1.blocks.0.attention.self.value.weight"), "\(text)")
    }

    @Test func huggingFaceWeightsRefuseOtherFamilies() throws {
        let twins = try ModelRegistry.standard.build("twins_pcpvt_small", options: ModelOptions(classes: 10, imageSize: 32,
                                                                                            overrides: ["depths": .integers([1, 1, 1, 1])]))
        #expect(throws: ModelError.self) { try WeightLoading.load(into: twins, from: try Self.fixtureURL("model"), format: .hf) }
    }
}
