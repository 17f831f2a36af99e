import TextMatching
import Yams

/// A YAML node as the recipe reader sees it: scalars keep their text and whether they were
/// quoted, mappings keep their entries in order (so duplicates can be reported), and every node
/// keeps its position. Built from Yams' composed node, or from a command-line override's value.
struct RawNode {
    enum Kind {
        case scalar(text: String, quoted: Bool)
        case list([RawNode])
        case mapping([RawEntry])
    }

    var kind: Kind
    var line: Int
    var column: Int

    static func null(line: Int = 0, column: Int = 0) -> RawNode {
        RawNode(kind: .scalar(text: "", quoted: false), line: line, column: column)
    }

    init(kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    /// Converts a composed node, counting every node it creates against `budget` (an alias is
    /// converted, and counted, once for every place it appears) and refusing more than
    /// ``RecipeLimits/maxDepth`` levels, so a document the event check let through cannot
    /// expand past the limits here either.
    init(_ node: Node, budget: inout Int, depth: Int = 1) throws(YAMLLimitExceeded) {
        let mark = node.mark
        line = mark?.line ?? 0
        column = mark?.column ?? 0
        budget -= 1
        if budget < 0 {
            throw YAMLLimitExceeded(problem: .tooManyNodes(limit: RecipeLimits.maxNodes, throughAliases: true),
                                    line: line, column: column)
        }
        switch node {
        case .scalar(let scalar):
            kind = .scalar(text: scalar.string, quoted: scalar.style != .plain)
        case .sequence(let sequence):
            guard depth <= RecipeLimits.maxDepth else {
                throw YAMLLimitExceeded(problem: .tooDeep(limit: RecipeLimits.maxDepth, throughAliases: true),
                                        line: line, column: column)
            }
            var items: [RawNode] = []
            for item in sequence { items.append(try RawNode(item, budget: &budget, depth: depth + 1)) }
            kind = .list(items)
        case .mapping(let mapping):
            guard depth <= RecipeLimits.maxDepth else {
                throw YAMLLimitExceeded(problem: .tooDeep(limit: RecipeLimits.maxDepth, throughAliases: true),
                                        line: line, column: column)
            }
            var entries: [RawEntry] = []
            for (key, value) in mapping {
                budget -= 1
                if budget < 0 {
                    throw YAMLLimitExceeded(problem: .tooManyNodes(limit: RecipeLimits.maxNodes, throughAliases: true),
                                            line: key.mark?.line ?? line, column: key.mark?.column ?? column)
                }
                let keyText: String? = if case .scalar(let scalar) = key { scalar.string } else { nil }
                entries.append(RawEntry(
                    key: keyText, keyLine: key.mark?.line ?? 0, keyColumn: key.mark?.column ?? 0,
                    value: try RawNode(value, budget: &budget, depth: depth + 1)))
            }
            kind = .mapping(entries)
        }
    }

    /// True for an unquoted `~`, `null`, empty value, or Python's `None` (MindCV users write it).
    var isNull: Bool {
        guard case .scalar(let text, let quoted) = kind, !quoted else { return false }
        return ["", "~", "null", "Null", "NULL", "None"].contains(text)
    }

    /// The node as it would appear in a message: `'fast'`, `1.5`, `a list [1, 2]`, `a mapping {a: 1}`.
    var displayed: String {
        switch kind {
        case .scalar(let text, _):
            if isNull { return "null" }
            return "'\(MessageText.quoted(text))'"
        case .list:
            return "a list \(Self.clipped(flowText))"
        case .mapping:
            return "a mapping \(Self.clipped(flowText))"
        }
    }

    /// The node in YAML flow style, for messages.
    var flowText: String {
        switch kind {
        case .scalar(let text, let quoted):
            return quoted ? "'\(text)'" : text
        case .list(let items):
            return "[" + items.map(\.flowText).joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { "\($0.key ?? "?"): \($0.value.flowText)" }.joined(separator: ", ") + "}"
        }
    }

    /// At most 60 Unicode scalars (not characters: one character can hold any number of
    /// combining marks).
    private static func clipped(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > 60 else { return text }
        var cut = String.UnicodeScalarView()
        cut.append(contentsOf: scalars.prefix(57))
        return String(cut) + "..."
    }
}

/// One `key: value` pair of a mapping; `key` is nil when the key is not a scalar.
struct RawEntry {
    var key: String?
    var keyLine: Int
    var keyColumn: Int
    var value: RawNode
}

/// The range a number may take, printed in interval notation: `[0, 1)`, `[1, inf)`.
struct NumberRange {
    var lower: Double?
    var lowerInclusive = true
    var upper: Double?
    var upperInclusive = true

    static let any = NumberRange(lower: nil, upper: nil)
    static let nonNegative = NumberRange(lower: 0, upper: nil)
    static let positive = NumberRange(lower: 0, lowerInclusive: false, upper: nil)
    static let atLeastOne = NumberRange(lower: 1, upper: nil)
    static let probability = NumberRange(lower: 0, upper: 1)
    static let unitHalfOpen = NumberRange(lower: 0, upper: 1, upperInclusive: false)
    static let unitOpenClosed = NumberRange(lower: 0, lowerInclusive: false, upper: 1)

    static func atLeast(_ value: Double) -> NumberRange { NumberRange(lower: value, upper: nil) }
    static func between(_ low: Double, _ high: Double) -> NumberRange { NumberRange(lower: low, upper: high) }

    func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if let lower {
            if lowerInclusive ? value < lower : value <= lower { return false }
        }
        if let upper {
            if upperInclusive ? value > upper : value >= upper { return false }
        }
        return true
    }

    var description: String {
        let low = lower.map(Self.bound) ?? "-inf"
        let high = upper.map(Self.bound) ?? "inf"
        let open = lower == nil || !lowerInclusive ? "(" : "["
        let close = upper == nil || !upperInclusive ? ")" : "]"
        return "\(open)\(low), \(high)\(close)"
    }

    private static func bound(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// Reads one key's value as a Swift type, producing the key's type or range problem.
struct ValueReader {
    let key: String
    let node: RawNode

    func wrongType(_ expected: String) -> RecipeProblem {
        .wrongType(key: key, expected: expected, found: node.displayed)
    }

    /// The scalar text, or a type problem for lists, mappings and (unless allowed) null.
    private func scalarText(expected: String) throws(RecipeProblem) -> (text: String, quoted: Bool) {
        guard case .scalar(let text, let quoted) = node.kind, !node.isNull else { throw wrongType(expected) }
        return (text, quoted)
    }

    /// `true`/`false` in any case; `yes`/`no` and `on`/`off` as YAML 1.1 and PyYAML read them.
    func bool() throws(RecipeProblem) -> Bool {
        let expected = "a boolean (True or False)"
        let (text, _) = try scalarText(expected: expected)
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw wrongType(expected)
        }
    }

    /// An integer; quoted digits are accepted, as MindCV's argparse converts quoted defaults.
    /// Digits beyond 64 bits are out of range, not a wrong type.
    func int(_ range: NumberRange) throws(RecipeProblem) -> Int {
        let expected = "an integer"
        let (text, _) = try scalarText(expected: expected)
        guard let value = Int(text.trimmingSpaces) else {
            if Self.isIntegerText(text) { throw .outOfRange(key: key, value: text, allowed: Self.sixtyFourBit(range)) }
            throw wrongType(expected)
        }
        guard range.contains(Double(value)) else {
            throw .outOfRange(key: key, value: text, allowed: range.description)
        }
        return value
    }

    /// A finite number; integers and quoted numbers (`'4e-3'`, as in some MindCV recipes) are
    /// accepted. Infinities, NaN (`.inf`, `-.Inf`, `.nan`, `inf`, `nan`) and numbers too large
    /// for a `Double` (`1e400`) are out of range.
    func double(_ range: NumberRange) throws(RecipeProblem) -> Double {
        let expected = "a number"
        let (text, _) = try scalarText(expected: expected)
        guard let value = Self.anyNumber(text) else { throw wrongType(expected) }
        guard range.contains(value) else {
            let allowed = value.isFinite ? range.description : "finite numbers in \(range.description)"
            throw .outOfRange(key: key, value: text, allowed: allowed)
        }
        return value
    }

    /// Any scalar, as text (`data_dir: 123` is the folder `123`).
    func string() throws(RecipeProblem) -> String {
        try scalarText(expected: "a string").text
    }

    /// One of a ``NamedChoice``'s names, ignoring case.
    func choice<Choice: NamedChoice>(_: Choice.Type) throws(RecipeProblem) -> Choice {
        let text = try scalarText(expected: "one of \(Choice.validNames.joined(separator: ", "))").text
        guard let choice = Choice(matching: text) else {
            throw .unknownName(
                key: key, value: text,
                suggestion: Suggestions.nearest(to: text, in: Choice.validNames),
                valid: Choice.validNames)
        }
        return choice
    }

    /// A list of numbers with a fixed count (or count range), each within `range`.
    func doubles(count: ClosedRange<Int>, each range: NumberRange, ascending: Bool = false) throws(RecipeProblem) -> [Double] {
        let countText = count.count == 1 ? "\(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
        let expected = "a list of \(countText) numbers"
        guard case .list(let items) = node.kind else { throw wrongType(expected) }
        var values: [Double] = []
        for item in items {
            guard case .scalar(let text, _) = item.kind, !item.isNull, let value = Self.anyNumber(text) else {
                throw wrongType(expected)
            }
            values.append(value)
        }
        guard count.contains(values.count) else { throw wrongType(expected) }
        let finite = values.allSatisfy(\.isFinite) ? "" : "finite "
        var allowed = "\(countText) \(finite)numbers in \(range.description)"
        if ascending { allowed += ", the first not above the second" }
        if !values.allSatisfy(range.contains) || ascending && values != values.sorted() {
            throw .outOfRange(key: key, value: node.flowText, allowed: allowed)
        }
        return values
    }

    /// A list of integers, each within `range`, optionally strictly increasing.
    func ints(each range: NumberRange, increasing: Bool) throws(RecipeProblem) -> [Int] {
        let expected = "a list of integers"
        guard case .list(let items) = node.kind else { throw wrongType(expected) }
        var values: [Int] = []
        for item in items {
            guard case .scalar(let text, _) = item.kind, let value = Int(text.trimmingSpaces) else {
                if case .scalar(let text, _) = item.kind, Self.isIntegerText(text) {
                    throw .outOfRange(key: key, value: node.flowText, allowed: "integers in \(Self.sixtyFourBit(range))")
                }
                throw wrongType(expected)
            }
            values.append(value)
        }
        let ordered = !increasing || zip(values, values.dropFirst()).allSatisfy { $0 < $1 }
        if !values.allSatisfy({ range.contains(Double($0)) }) || !ordered {
            throw .outOfRange(
                key: key, value: node.flowText,
                allowed: "integers in \(range.description)\(increasing ? ", strictly increasing" : "")")
        }
        return values
    }

    /// A free-form value (for `model_kwargs` entries), read the way YAML 1.2's core schema does.
    func configValue() throws(RecipeProblem) -> ConfigValue {
        try Self.configValue(node, key: key)
    }

    private static func configValue(_ node: RawNode, key: String) throws(RecipeProblem) -> ConfigValue {
        switch node.kind {
        case .scalar(let text, let quoted):
            if quoted { return .string(text) }
            if node.isNull { return .null }
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: break
            }
            if let int = Int(text) { return .int(int) }
            if isIntegerText(text) {
                throw .outOfRange(key: key, value: text, allowed: "64-bit integers")
            }
            if let double = anyNumber(text) {
                guard double.isFinite else { throw .outOfRange(key: key, value: text, allowed: "finite numbers") }
                return .double(double)
            }
            return .string(text)
        case .list(let items):
            var values: [ConfigValue] = []
            for item in items { values.append(try configValue(item, key: key)) }
            return .list(values)
        case .mapping(let entries):
            var values: [String: ConfigValue] = [:]
            var firstLines: [String: Int] = [:]
            for entry in entries {
                guard let name = entry.key else {
                    throw .wrongType(key: key, expected: "a mapping with plain keys", found: node.displayed)
                }
                if let firstLine = firstLines[name] { throw .duplicateKey("\(key).\(name)", firstLine: firstLine) }
                firstLines[name] = entry.keyLine
                values[name] = try configValue(entry.value, key: "\(key).\(name)")
            }
            return .mapping(values)
        }
    }

    /// A finite `Double` from YAML number text (`0.001`, `1e-6`, `1.0e-5`, `1024`).
    static func number(_ text: String) -> Double? {
        anyNumber(text).flatMap { $0.isFinite ? $0 : nil }
    }

    /// A `Double` from number text, or infinity or NaN: for the names in ``isNonFiniteName(_:)``
    /// and for digits too large for a `Double` (`1e400`).
    static func anyNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        if isNonFiniteName(trimmed) {
            let lowered = trimmed.lowercased()
            if lowered.hasSuffix("nan") { return .nan }
            return lowered.hasPrefix("-") ? -.infinity : .infinity
        }
        guard trimmed.contains(where: \.isNumber),
              trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) })
        else { return nil }
        return Double(trimmed)
    }

    /// YAML's `.inf`, `-.inf`, `+.inf` and `.nan` in any case, and Python's `inf`, `infinity`
    /// and `nan` (which MindCV's argparse would turn into floats).
    static func isNonFiniteName(_ text: String) -> Bool {
        var name = Substring(text.trimmingSpaces.lowercased())
        if name.first == "+" || name.first == "-" { name = name.dropFirst() }
        if name.first == "." { name = name.dropFirst() }
        return name == "inf" || name == "infinity" || name == "nan"
    }

    /// An optional sign and ASCII digits only: YAML's integer form, whatever its size.
    static func isIntegerText(_ text: String) -> Bool {
        var digits = Substring(text.trimmingSpaces)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A range's description for an integer key, noting that integers have 64 bits.
    static func sixtyFourBit(_ range: NumberRange) -> String {
        "\(range.description), as a 64-bit integer"
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
