import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// SwinV2 against timm and torchvision on small configurations with random weights
/// (fixtures from `tools/make_parity.py`): logits within 1e-4, every gradient within 1e-3 relative.
@Suite struct SwinV2ParityTests {
    static func configuration(_ fixture: ParityFixture) -> SwinV2Configuration {
        var c = SwinV2Configuration()
        let depths = fixture.config["depths"] as! [NSNumber]
        c.depths = depths.map(\.intValue)
        c.heads = fixture.ints("num_heads", count: depths.count)!
        c.windowSizes = fixture.ints("window_size", count: depths.count)!
        c.pretrainedWindowSizes = fixture.ints("pretrained_window_sizes", count: depths.count) ?? Array(repeating: 0, count: depths.count)
        c.imageSize = fixture.int("img_size")!
        c.patchSize = fixture.ints("patch_size", count: 1)![0]
        c.inChannels = fixture.int("in_chans")!
        c.classes = fixture.int("num_classes")!
        c.embedDim = fixture.int("embed_dim")!
        c.dropPathRate = 0
        c.flavor = SwinV2Configuration.Flavor(rawValue: fixture.config["flavor"] as! String)!
        return c
    }

    @Test(arguments: ["swinv2_timm_small", "swinv2_timm_padded", "swinv2_torchvision_padded"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try ParityFixture(name)
        let configuration = Self.configuration(fixture)
        let model = try SwinV2(configuration, seed: 9)
        let rename: (String) -> String?
        if configuration.flavor == .torchvision {
            rename = { SwinV2WeightNames.fromTorchvision($0) }
        } else {
            rename = { $0 }
        }
        try expectParity(model, fixture, name: name, rename: rename)
    }
}
