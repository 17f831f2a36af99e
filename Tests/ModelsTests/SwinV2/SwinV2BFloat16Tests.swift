import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// SwinV2 with bfloat16 products against PyTorch's own bfloat16 autocast, on the same weights and
/// input (`tools/make_bfloat16_golden.py`): each compared with the float32 logits, runner's error
/// must not exceed PyTorch's. (The full-size SwinV2-T is compared the same way by
/// `tools/check_full_size.py --amp`.)
@Suite struct SwinV2BFloat16Tests {
    static func maximumRelativeError(_ actual: [Float], _ expected: [Float]) -> Float {
        let scale = expected.map(abs).max() ?? 1
        return zip(actual, expected).map { abs($0 - $1) }.max()! / scale
    }

    @Test(.enabled(if: ProductPrecision.bfloat16Available))
    func errorIsWithinPyTorchAutocasts() throws {
        let fixture = try ParityFixture("swinv2_timm_bfloat16")
        let model = try SwinV2(SwinV2ParityTests.configuration(fixture), seed: 9)
        _ = try model.loadState(fixture.weights(), source: "swinv2_timm_bfloat16")
        let input = try fixture.tensor("input")
        let expected = try fixture.tensor("logits").scalars
        let autocast = try fixture.tensor("logits_autocast").scalars

        let float32 = Tape.withoutRecording { model(input, .evaluation()) }.scalars
        #expect(Self.maximumRelativeError(float32, expected) < 1e-5)
        let bfloat16 = ProductPrecision.run(.bfloat16) { Tape.withoutRecording { model(input, .evaluation()) } }.scalars
        let ours = Self.maximumRelativeError(bfloat16, expected)
        let theirs = Self.maximumRelativeError(autocast, expected)
        #expect(ours <= theirs, "runner bfloat16 \(ours) vs PyTorch autocast \(theirs)")
        // The products really ran in bfloat16: far from the float32 logits' 1e-5.
        #expect(ours > 1e-4, "bfloat16 logits within \(ours) of float32")
    }
}
