import TensorEngine

/// What happened when a state dict was loaded into a module.
public struct StateLoadReport: Sendable {
    /// Names copied into the module.
    public var loaded: [String] = []
    /// Derived buffers in the file (indices, coordinate tables, masks) that matched ours or were
    /// skipped because the module computes them itself.
    public var derivedSkipped: [String] = []
    /// Notices for the user, e.g. a classifier of another size that was left freshly initialised.
    public var notices: [String] = []
}

/// A state dict that does not fit the module: every missing, unexpected and mis-shaped name.
public struct StateLoadError: Error, CustomStringConvertible {
    public var source: String
    public var missing: [String] = []
    public var unexpected: [String] = []
    public var shapeMismatches: [(name: String, expected: [Int], found: [Int])] = []

    public init(source: String, missing: [String] = [], unexpected: [String] = []) {
        self.source = source
        self.missing = missing
        self.unexpected = unexpected
    }

    public var description: String {
        var lines = ["\(source) does not fit the model:"]
        func list(_ title: String, _ names: [String]) {
            guard !names.isEmpty else { return }
            let shown = names.prefix(20).joined(separator: ", ")
            lines.append("  \(title) (\(names.count)): \(shown)\(names.count > 20 ? ", …" : "")")
        }
        list("missing keys", missing)
        list("unexpected keys", unexpected)
        if !shapeMismatches.isEmpty {
            lines.append("  shape mismatches (\(shapeMismatches.count)): " + shapeMismatches.prefix(20).map {
                "\($0.name) is \(Shape.describe($0.found)) in the file, the model needs \(Shape.describe($0.expected))"
            }.joined(separator: "; "))
        }
        if !missing.isEmpty && !unexpected.isEmpty {
            lines.append("  hint: the names look like another source's convention; pass the weights' format (timm, torchvision, hf)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// Copies `state` (tensors by canonical name) into this module's parameters and buffers.
    ///
    /// Every parameter and persistent buffer must be present with its shape, and every name in
    /// `state` must belong to the module, except derived buffers, which are skipped. Names in
    /// `replaceableOnMismatch` (the classifier) may differ in shape: they keep their fresh values and
    /// a notice says so, as when fine-tuning on a dataset with another number of classes.
    /// `alsoUnexpected` adds names the caller already found unusable (a name map's leftovers), so
    /// that they fail the load before anything is copied. Nothing is copied unless everything fits.
    public func loadState(_ state: [String: Tensor], source: String,
                          replaceableOnMismatch: Set<String> = [], alsoUnexpected: [String] = []) throws -> StateLoadReport {
        var report = StateLoadReport()
        var error = StateLoadError(source: source)
        let own = namedState()
        let ownNames = Set(own.map(\.name))
        var assignments: [(Tensor, Tensor)] = []
        var replaced: [String] = []
        for (name, tensor, kind) in own {
            guard let incoming = state[name] else {
                if kind == .derivedBuffer || kind == .optionalBuffer { continue }
                error.missing.append(name)
                continue
            }
            if kind == .derivedBuffer {
                report.derivedSkipped.append(name)
                continue
            }
            if incoming.shape != tensor.shape {
                if replaceableOnMismatch.contains(name) {
                    replaced.append("\(name) \(Shape.describe(incoming.shape))→\(Shape.describe(tensor.shape))")
                } else {
                    error.shapeMismatches.append((name, tensor.shape, incoming.shape))
                }
                continue
            }
            assignments.append((tensor, incoming))
            report.loaded.append(name)
        }
        error.unexpected = alsoUnexpected + state.keys.filter { !ownNames.contains($0) }.sorted()
        guard error.missing.isEmpty && error.unexpected.isEmpty && error.shapeMismatches.isEmpty else {
            throw error
        }
        for (destination, incoming) in assignments {
            destination.data.update(from: incoming.data, count: destination.count)
        }
        if !replaced.isEmpty {
            report.notices.append("classifier re-initialised for the new number of classes: " + replaced.joined(separator: ", "))
        }
        return report
    }
}
