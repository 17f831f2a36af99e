import Testing
import TensorEngine
@testable import Models

/// A network's forward FLOPs as `runner bench` reports them (the numerator of model FLOP
/// utilisation) against PyTorch's own count of the same network: `tools/count_flops.py`
/// (`FlopCounterMode`, one image; every product, convolution and attention, multiply-adds
/// counted twice).
@Suite struct ModelFLOPsTests {
    static func forwardFLOPs(_ model: any ClassificationModel, channels: Int, side: Int) -> Int {
        Tape.withoutRecording {
            FlopCounter.measure { model(Tensor.zeros([1, channels, side, side]), .evaluation()) }.flops
        }
    }

    @Test(arguments: [
        ("swinv2_tiny_window8_256", 256, 11_879_380_992),
        ("swin_v2_t", 256, 11_879_380_992),
        ("twins_svt_small", 224, 5_854_706_688),
        ("twins_pcpvt_small", 224, 7_618_919_936),
        ("resnet50", 224, 8_178_368_512),
    ])
    func matchesPyTorch(_ name: String, _ side: Int, _ expected: Int) throws {
        let model = try ModelRegistry.standard.build(name)
        #expect(Self.forwardFLOPs(model, channels: 3, side: side) == expected)
    }

    /// The Fashion-MNIST recipes' network, where attention is a larger share of the products.
    @Test func fashionMNISTSwinV2MatchesPyTorch() throws {
        let model = try ModelRegistry.standard.build("swinv2_tiny_window8_256", options: ModelOptions(
            classes: 10, inChannels: 1,
            overrides: ["img_size": .integer(32), "patch_size": .integer(4), "embed_dim": .integer(64),
                        "depths": .integers([2, 4]), "num_heads": .integers([2, 4]), "window_size": .integer(4)]))
        #expect(Self.forwardFLOPs(model, channels: 1, side: 32) == 41_585_152)
    }
}
