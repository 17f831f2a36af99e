import Foundation
import Testing
import TensorEngine
import Layers
@testable import Models

/// transformers' `ResNetForImageClassification` names onto torchvision's (full-size logits are
/// compared with transformers by `tools/check_full_size.py`).
@Suite struct ResNetHuggingFaceNamesTests {
    @Test func namesMapOntoTorchvision() {
        let map = ResNetHuggingFaceNames.toTorchvision
        #expect(map("resnet.embedder.embedder.convolution.weight") == "conv1.weight")
        #expect(map("resnet.embedder.embedder.normalization.running_var") == "bn1.running_var")
        #expect(map("resnet.encoder.stages.0.layers.1.layer.0.convolution.weight") == "layer1.1.conv1.weight")
        #expect(map("resnet.encoder.stages.2.layers.0.layer.2.normalization.num_batches_tracked") == "layer3.0.bn3.num_batches_tracked")
        #expect(map("resnet.encoder.stages.1.layers.0.shortcut.convolution.weight") == "layer2.0.downsample.0.weight")
        #expect(map("resnet.encoder.stages.1.layers.0.shortcut.normalization.bias") == "layer2.0.downsample.1.bias")
        #expect(map("classifier.1.weight") == "fc.weight")
        #expect(map("encoder.stages.3.layers.2.layer.1.normalization.weight") == "layer4.2.bn2.weight")
        #expect(map("resnet.encoder.stages.0.layers.0.layer.3.convolution.weight") == nil)
        #expect(map("resnet.embedder.embedder.convolution.bias") == nil)
        #expect(map("classifier.0.weight") == nil)
    }

    /// Every name of our ResNet-50 is reached from its transformers counterpart (written out here
    /// from transformers' module tree), so a transformers state dict covers the model exactly.
    @Test func everyParameterOfResNet50HasATransformersName() throws {
        let model = try ModelRegistry.standard.build("resnet50", options: ModelOptions(classes: 10))
        var huggingFace: [String] = []
        func convolutionLayer(_ prefix: String) {
            huggingFace.append(prefix + ".convolution.weight")
            for leaf in ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"] {
                huggingFace.append(prefix + ".normalization." + leaf)
            }
        }
        convolutionLayer("resnet.embedder.embedder")
        for (stage, depth) in [3, 4, 6, 3].enumerated() {
            for block in 0..<depth {
                let prefix = "resnet.encoder.stages.\(stage).layers.\(block)"
                for layer in 0..<3 { convolutionLayer(prefix + ".layer.\(layer)") }
                if block == 0 { convolutionLayer(prefix + ".shortcut") }
            }
        }
        huggingFace += ["classifier.1.weight", "classifier.1.bias"]
        let mapped = Set(huggingFace.compactMap(ResNetHuggingFaceNames.toTorchvision))
        #expect(mapped.count == huggingFace.count)
        let ours = Set(model.stateDict().map { $0.0 })
        #expect(mapped == ours, "ours only: \(ours.subtracting(mapped).sorted().prefix(5)); theirs only: \(mapped.subtracting(ours).sorted().prefix(5))")
    }
}
