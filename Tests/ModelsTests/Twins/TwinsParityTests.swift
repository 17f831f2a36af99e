import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// Twins SVT (with window padding) and PCPVT against timm on small configurations with random
/// weights: logits within 1e-4, every gradient within 1e-3 relative.
@Suite struct TwinsParityTests {
    static func configuration(_ fixture: ParityFixture) -> TwinsConfiguration {
        var c = TwinsConfiguration()
        let depths = fixture.ints("depths", count: 0)!
        c.depths = depths
        c.embedDims = fixture.ints("embed_dims", count: depths.count)!
        c.heads = fixture.ints("num_heads", count: depths.count)!
        c.mlpRatios = fixture.ints("mlp_ratios", count: depths.count)!.map(Float.init)
        c.subsamplingRatios = fixture.ints("sr_ratios", count: depths.count)!
        c.windowSizes = fixture.ints("wss", count: depths.count)
        c.imageSize = fixture.int("img_size")!
        c.patchSize = fixture.int("patch_size")!
        c.inChannels = fixture.int("in_chans")!
        c.classes = fixture.int("num_classes")!
        return c
    }

    @Test(arguments: ["twins_svt_padded", "twins_pcpvt_small"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try ParityFixture(name)
        let model = try Twins(Self.configuration(fixture), seed: 4)
        try expectParity(model, fixture, name: name)
    }
}
