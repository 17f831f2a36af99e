import Foundation
import TensorEngine
import Recipes
import Datasets
import Trainer

/// The places `runner predict` looks for class names, so that it can print "Sneaker" rather than
/// "class 7": a names file the user gives, the recipe's dataset, the weights file's own metadata
/// (`class_names`, which runner's checkpoints carry) and a Hugging Face `config.json` (`id2label`)
/// beside the weights.
enum ClassNameSources {
    /// The safetensors `__metadata__` key under which runner's checkpoints store the class names, a
    /// JSON array of strings in class-index order.
    static let metadataKey = CheckpointFiles.classNamesKey

    /// Names from a file: a JSON array of strings, or one name per line (blank lines at the end ignored).
    static func file(_ path: String) throws -> [String] {
        let url = URL(fileURLWithPath: path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ClassNamesError("\(path): cannot read the class names file")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") {
            guard let names = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String] else {
                throw ClassNamesError("\(path): starts with '[' but is not a JSON array of strings")
            }
            return names
        }
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines
    }

    /// `class_names` from a safetensors file's metadata (a JSON array of strings).
    static func metadata(_ metadata: [String: String]) -> [String]? {
        guard let json = metadata[metadataKey] else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
    }

    /// `id2label` of the `config.json` that transformers' `save_pretrained` writes beside the weights:
    /// `{"0": "tench", "1": "goldfish", …}`, ordered by index; nil when absent or not a full 0..<n range.
    static func huggingFaceConfig(besideWeights weights: URL) -> [String]? {
        let url = weights.deletingLastPathComponent().appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let labels = object["id2label"] as? [String: Any] else { return nil }
        var byIndex: [Int: String] = [:]
        for (key, value) in labels {
            guard let index = Int(key), let name = value as? String else { return nil }
            byIndex[index] = name
        }
        let names = (0..<byIndex.count).compactMap { byIndex[$0] }
        return names.count == byIndex.count && !names.isEmpty ? names : nil
    }
}

/// A class names file that cannot be used.
struct ClassNamesError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
