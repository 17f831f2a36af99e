import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// ResNet (basic and bottleneck blocks, batch norm) against torchvision's own block code at a small
/// width: eval logits from running statistics, train logits from batch statistics, gradients, and
/// the running statistics one training forward leaves behind.
@Suite struct ResNetParityTests {
    @Test(arguments: ["resnet_basic_small", "resnet_bottleneck_small"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try ParityFixture(name)
        var c = ResNet.Configuration()
        c.block = ResNet.BlockKind(rawValue: fixture.config["block"] as! String)!
        c.layers = fixture.ints("layers", count: 4)!
        c.width = fixture.int("width")!
        c.classes = fixture.int("num_classes")!
        c.imageSize = fixture.int("img_size")!
        let model = try ResNet(c, seed: 5)
        try expectParity(model, fixture, name: name, trainLogitsKey: "logits_train")

        let state = Dictionary(uniqueKeysWithValues: model.namedState().map { ($0.name, $0.tensor) })
        var checked = 0
        for entry in fixture.file.entries where entry.name.hasPrefix("after_train.") {
            let key = String(entry.name.dropFirst("after_train.".count))
            let ours = try #require(state[key], "no buffer \(key)")
            let error = relativeError(ours.scalars, entry.tensor().scalars)
            #expect(error < 1e-4, "\(key) after one training forward differs by \(error)")
            checked += 1
        }
        #expect(checked > 0)
    }
}
