import Testing
import TensorEngine
@testable import Training

@Suite struct ParameterGroupingTests {
    nonisolated(unsafe) static let section = Fixture.section("groups")
    /// timm's SwinV2 `no_weight_decay()` set, as `SwinV2.noWeightDecay` declares it.
    static let swinV2NoDecay = NoWeightDecayList(names: ["absolute_pos_embed"],
                                                 keywords: ["cpb_mlp", "logit_scale", "relative_position_bias_table"])
    static let parameters: [(name: String, tensor: Tensor)] = (section["parameters"] as! [[String: Any]]).map {
        ($0["name"] as! String, Tensor.zeros(($0["shape"] as! [NSNumberLike]).map(\.intValue)))
    }

    static func summary(_ groups: [ParameterGroup]) -> [[String]] { groups.map { $0.parameters.map(\.name) } }

    @Test func timmMatchesParamGroupsWeightDecay() {
        let expected = Self.section["timm"] as! [[String: Any]]
        let groups = ParameterGrouping.timm(Self.parameters, weightDecay: 0.05, skip: Self.swinV2NoDecay)
        #expect(Self.summary(groups) == expected.map { $0["names"] as! [String] })
        #expect(groups.map(\.weightDecay) == expected.map { ($0["weight_decay"] as! NSNumberLike).floatValue })
    }

    @Test func torchvisionMatchesSetWeightDecay() {
        let expected = Self.section["torchvision"] as! [[String: Any]]
        let keys = [("bias", Float(0))] + ParameterGrouping.torchvisionTransformerEmbeddingKeys.map { ($0, Float(0)) }
        let groups = ParameterGrouping.torchvision(Self.parameters, weightDecay: 0.05, normWeightDecay: 0,
                                                   customKeys: keys.map { (key: $0.0, weightDecay: $0.1) })
        #expect(groups.map(\.name) == expected.map { $0["key"] as! String })
        #expect(Self.summary(groups) == expected.map { $0["names"] as! [String] })
        #expect(groups.map(\.weightDecay) == expected.map { ($0["weight_decay"] as! NSNumberLike).floatValue })
    }

    @Test func normalisationLayersFoundByShape() {
        let norms = ParameterGrouping.normalizationParameterNames(Self.parameters)
        #expect(norms == ["patch_embed.norm.weight", "patch_embed.norm.bias", "blocks.0.norm1.weight",
                          "blocks.0.norm1.bias", "downsample.1.weight", "downsample.1.bias"])
    }

    @Test func mindCVFilters() {
        let all = Self.parameters.map(\.name)
        let disabled = ParameterGrouping.mindCV(Self.parameters, weightDecay: 0.05, rule: .disable)
        #expect(Self.summary(disabled) == [all] && disabled[0].weightDecay == 0.05)

        let auto = ParameterGrouping.mindCV(Self.parameters, weightDecay: 0.05, rule: .auto)
        #expect(auto.map(\.name) == ["decay", "no_decay"])
        #expect(Set(auto[1].parameters.map(\.name)) == ParameterGrouping.normalizationParameterNames(Self.parameters))

        let normAndBias = ParameterGrouping.mindCV(Self.parameters, weightDecay: 0.05, rule: .normAndBias, skip: Self.swinV2NoDecay)
        #expect(normAndBias[0].parameters.map(\.name) == ["patch_embed.proj.weight", "blocks.0.attn.qkv.weight",
                                                          "blocks.0.mlp.fc1.weight", "downsample.0.weight", "head.weight"])
        #expect(normAndBias[1].weightDecay == 0)
        #expect(normAndBias[1].parameters.count == all.count - 5)
    }
}
