import Foundation
import TensorEngine
import Layers

/// Where a weights file comes from; names are mapped onto timm's before loading.
public enum WeightsFormat: String, Sendable, CaseIterable {
    case auto, timm, torchvision, hf
}

public enum WeightLoading {
    /// Loads a safetensors file of weights into `model`.
    ///
    /// Names are mapped from the file's convention (detected, or `format`): torchvision's SwinV2 names
    /// through `SwinV2WeightNames`, Hugging Face transformers' SwinV2 and ResNet names through
    /// `SwinV2HuggingFaceNames` (which also merges the separate query/key/value projections) and
    /// `ResNetHuggingFaceNames`. A file name with no counterpart is reported as unexpected. A classifier of another
    /// size stays freshly initialised with a notice; a 3-channel first convolution loading into a
    /// 1-channel model is summed over its input channels (as timm does for `in_chans=1`); derived
    /// buffers in the file are skipped. Anything else that does not fit is an error listing the
    /// missing, unexpected and mis-shaped names.
    public static func load(into model: any ClassificationModel, from url: URL, format: WeightsFormat = .auto) throws -> StateLoadReport {
        let file = try Safetensors.read(url)
        let resolved = format == .auto ? detect(file.names) : format
        let mapped: MappedWeights
        switch resolved {
        case .timm, .auto:
            mapped = MappedWeights(file.entries) { $0 }
        case .torchvision:
            guard model is SwinV2 || model is ResNet else {
                throw ModelError("\(url.path): torchvision weights map onto SwinV2 and ResNet only")
            }
            mapped = model is SwinV2 ? MappedWeights(file.entries) { SwinV2WeightNames.fromTorchvision($0) } : MappedWeights(file.entries) { $0 }
        case .hf:
            if model is SwinV2 {
                mapped = SwinV2HuggingFaceNames.toTimm(file.entries)
            } else if model is ResNet {
                mapped = MappedWeights(file.entries) { ResNetHuggingFaceNames.toTorchvision($0) }
            } else {
                throw ModelError("\(url.path): Hugging Face weights map onto SwinV2 (Swinv2ForImageClassification) and ResNet (ResNetForImageClassification) only")
            }
        }
        var state = mapped.state
        var notices: [String] = []
        if let (name, weight) = model.namedParameters().first(where: { $0.tensor.rank == 4 }),
           let incoming = state[name], incoming.rank == 4, incoming.shape[1] != weight.shape[1], weight.shape[1] == 1 {
            state[name] = incoming.sum(axes: [1], keepingDimensions: true)
            notices.append("\(name): summed the file's \(incoming.shape[1]) input channels into 1")
        }
        // Names the mapping did not know are as unexpected as names the model does not have, and
        // fail the load before any weight is copied.
        var report = try model.loadState(state, source: url.path, replaceableOnMismatch: model.classifierNames,
                                         alsoUnexpected: mapped.unmapped)
        report.notices.insert(contentsOf: notices, at: 0)
        return report
    }

    static func detect(_ names: [String]) -> WeightsFormat {
        let huggingFacePrefixes = ["swinv2.", "resnet.", "classifier.", "embeddings.patch_embeddings.", "embedder.embedder."]
        if names.contains(where: { name in huggingFacePrefixes.contains { name.hasPrefix($0) } }) { return .hf }
        if names.contains(where: { $0.hasPrefix("features.") }) { return .torchvision }
        return .timm
    }
}

extension WeightsFormat {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
