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
    /// Names are mapped from the file's convention (detected, or `format`); a classifier of another
    /// size stays freshly initialised with a notice; a 3-channel first convolution loading into a
    /// 1-channel model is summed over its input channels (as timm does for `in_chans=1`); derived
    /// buffers in the file are skipped. Anything else that does not fit is an error listing the
    /// missing, unexpected and mis-shaped names.
    public static func load(into model: any ClassificationModel, from url: URL, format: WeightsFormat = .auto) throws -> StateLoadReport {
        let file = try Safetensors.read(url)
        let resolved = format == .auto ? detect(file.names) : format
        let rename: (String) -> String?
        switch resolved {
        case .timm, .auto:
            rename = { $0 }
        case .torchvision:
            guard model is SwinV2 || model is ResNet else {
                throw ModelError("\(url.path): torchvision weights map onto SwinV2 and ResNet only")
            }
            rename = model is SwinV2 ? { SwinV2WeightNames.fromTorchvision($0) } : { $0 }
        case .hf:
            throw ModelError("\(url.path): Hugging Face weight names are not mapped yet; convert the file to timm's names (timm's `checkpoint_filter_fn`) first")
        }
        var state: [String: Tensor] = [:]
        var unmapped: [String] = []
        for entry in file.entries {
            if let name = rename(entry.name) { state[name] = entry.tensor() } else { unmapped.append(entry.name) }
        }
        guard unmapped.isEmpty else {
            throw StateLoadError(source: url.path, unexpected: unmapped)
        }
        var notices: [String] = []
        if let (name, weight) = model.namedParameters().first(where: { $0.tensor.rank == 4 }),
           let incoming = state[name], incoming.rank == 4, incoming.shape[1] != weight.shape[1], weight.shape[1] == 1 {
            state[name] = incoming.sum(axes: [1], keepingDimensions: true)
            notices.append("\(name): summed the file's \(incoming.shape[1]) input channels into 1")
        }
        var report = try model.loadState(state, source: url.path, replaceableOnMismatch: model.classifierNames)
        report.notices.insert(contentsOf: notices, at: 0)
        return report
    }

    static func detect(_ names: [String]) -> WeightsFormat {
        if names.contains(where: { $0.hasPrefix("swinv2.") || $0.hasPrefix("classifier.") }) { return .hf }
        if names.contains(where: { $0.hasPrefix("features.") }) { return .torchvision }
        return .timm
    }
}

extension WeightsFormat {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
