import Foundation

extension Experiment {
    /// The full experiment as a recipe: every key with its value, defaults included, grouped in
    /// MindCV's order under `# group` comments.
    ///
    /// Loading the text back gives an equal ``Experiment``, so a run can store exactly what it
    /// ran with. Strings are single-quoted and booleans written `True`/`False`, as in MindCV's
    /// files; numbers use Swift's shortest round-tripping form.
    public func resolvedYAML() -> String {
        render(includingBookkeeping: true)
    }

    /// ``resolvedYAML()`` with each key's ``KeySupport`` as a comment where it is not simply
    /// implemented: `# compatibility only: …` or `# runs only with …: …`, marked `REFUSED` when
    /// the current value cannot run. Still a recipe that loads to the same experiment.
    public func annotatedYAML() -> String {
        render(includingBookkeeping: true, annotated: true)
    }

    /// A stable fingerprint of the settings: 16 hex digits of the 64-bit FNV-1a hash of the
    /// resolved YAML without the bookkeeping keys `run_name` and `db`, so two runs of one recipe
    /// under different names or stores share a hash. Stable across processes and machines
    /// (unlike `Hasher`), as long as the set of keys and their formatting stay the same.
    public var configHash: String {
        Self.fnv1a64Hex(render(includingBookkeeping: false))
    }

    /// 64-bit FNV-1a of the UTF-8 bytes, as 16 lowercase hex digits.
    static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private func render(includingBookkeeping: Bool, annotated: Bool = false) -> String {
        var lines: [String] = []
        for group in KeyGroup.allCases {
            let fields = RecipeSchema.fields.filter { $0.group == group && (includingBookkeeping || !$0.isBookkeeping) }
            guard !fields.isEmpty else { continue }
            if !lines.isEmpty { lines.append("") }
            lines.append(group.comment)
            for field in fields {
                let value = field.render(self)
                var line = value.hasPrefix("\n") ? "\(field.key):\(value)" : "\(field.key): \(value)"
                if annotated, let comment = supportComment(field) {
                    if value.hasPrefix("\n") { line = "# \(field.key): \(comment)\n" + line } else { line += "  # \(comment)" }
                }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Experiment {
    /// The comment ``annotatedYAML()`` gives a key, or `nil` for an implemented one.
    fileprivate func supportComment(_ field: Field) -> String? {
        switch field.support {
        case .implemented:
            return nil
        case .compatibility(let reason):
            return "compatibility only: \(reason)"
        case .limited(let requirement, let reason, let accepts):
            return "\(accepts(self) ? "" : "REFUSED: ")runs only with \(requirement): \(reason)"
        }
    }
}

/// YAML spellings used by ``Experiment/resolvedYAML()``.
enum YAMLText {
    static func bool(_ value: Bool) -> String { value ? "True" : "False" }

    /// Shortest text that reads back as the same `Double` (`0.001`, `1e-06`, `1024.0`).
    static func number(_ value: Double) -> String { "\(value)" }

    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    /// Single-quoted (MindCV's style); double-quoted with escapes when the text holds
    /// characters that single quotes cannot carry: control characters (C0, DEL and C1), which
    /// libyaml refuses raw, and the line breaks NEL, LS and PS, which it would fold into spaces.
    static func quoted(_ text: String) -> String {
        if text.unicodeScalars.contains(where: needsEscape) {
            var escaped = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\t": escaped += "\\t"
                case "\r": escaped += "\\r"
                default:
                    if needsEscape(scalar) {
                        let hex = String(scalar.value, radix: 16)
                        let width = scalar.value < 0x100 ? 2 : 4
                        escaped += (width == 2 ? "\\x" : "\\u") + String(repeating: "0", count: width - hex.count) + hex
                    } else {
                        escaped.unicodeScalars.append(scalar)
                    }
                }
            }
            return escaped + "\""
        }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// True for the characters ``quoted(_:)`` escapes (also the byte-order mark and the two
    /// noncharacters U+FFFE and U+FFFF, which a YAML stream may not hold raw).
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF: true
        default: false
        }
    }

    /// A `model_kwargs` mapping: one indented line per key, sorted, or `{}` when empty. The
    /// returned text starts with a newline when it is a block.
    static func blockMapping(_ values: [String: ConfigValue]) -> String {
        guard !values.isEmpty else { return "{}" }
        return values.keys.sorted().map { "\n  \(key($0)): \(flow(values[$0]!))" }.joined()
    }

    /// A free-form value in flow style; strings are quoted so they read back as strings.
    static func flow(_ value: ConfigValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): number(value)
        case .string(let value): quoted(value)
        case .list(let items): list(items.map(flow))
        case .mapping(let values): "{" + values.keys.sorted().map { "\(key($0)): \(flow(values[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    /// A mapping key: plain when it is a simple name, quoted otherwise.
    static func key(_ name: String) -> String {
        let simple = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            && !(name.first?.isNumber ?? false)
            && !["true", "false", "null", "yes", "no", "on", "off", "none"].contains(name.lowercased())
        return simple ? name : quoted(name)
    }
}
