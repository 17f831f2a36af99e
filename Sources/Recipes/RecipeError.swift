/// Everything wrong with a recipe and its overrides, found in one pass.
///
/// Loading does not stop at the first problem: a recipe with three typos reports three issues,
/// in file order and then override order. ``description`` prints one issue per line, each
/// starting with its location (`path:line:column` or `command line override 'key=value'`), so
/// the first line is always the first problem in the file.
public struct RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in the order they appear.
    public var issues: [RecipeIssue]

    /// Wraps a list of issues; `issues` must not be empty.
    public init(issues: [RecipeIssue]) {
        precondition(!issues.isEmpty, "a RecipeError needs at least one issue")
        self.issues = issues
    }

    /// One line per issue.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

/// One problem in a recipe: where it is and what it is.
public struct RecipeIssue: Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var location: IssueLocation
    /// What the problem is.
    public var problem: RecipeProblem

    /// An issue at `location`.
    public init(location: IssueLocation, problem: RecipeProblem) {
        self.location = location
        self.problem = problem
    }

    /// `location: message`, e.g.
    /// `configs/a.yaml:4:1: unknown key 'learning_rate'; did you mean 'lr'?`.
    public var description: String { "\(location): \(problem)" }
}

/// Where a ``RecipeIssue`` is.
public enum IssueLocation: Sendable, Equatable, CustomStringConvertible {
    /// A position in a recipe file (1-based line and column).
    case file(path: String, line: Int, column: Int)
    /// The recipe file as a whole (unreadable, empty, not a mapping).
    case wholeFile(path: String)
    /// A `key=value` command-line override.
    case override(String)
    /// A default value (a cross-key check failed although the key was never set).
    case defaultValue(key: String)

    /// `path:line:column`, `path`, `command line override 'key=value'` or `default value of 'key'`.
    ///
    /// Control characters in a path or override are escaped, so the location stays on one line.
    public var description: String {
        switch self {
        case .file(let path, let line, let column): "\(MessageText.escaped(path)):\(line):\(column)"
        case .wholeFile(let path): MessageText.escaped(path)
        case .override(let text): "command line override '\(MessageText.quoted(text))'"
        case .defaultValue(let key): "default value of '\(key)'"
        }
    }

    /// The line number, when the location is a file position.
    public var line: Int? {
        if case .file(_, let line, _) = self { return line }
        return nil
    }
}

/// What is wrong. (An `Error` so field readers can throw it; loading wraps it in a located ``RecipeIssue``.)
public enum RecipeProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(reason: String)
    /// The text is not valid YAML.
    case syntax(String)
    /// The file holds no YAML document (it may hold comments).
    case empty
    /// The top level is a list or a scalar, not a mapping of keys to values.
    case notAMapping(found: String)
    /// A key no recipe knows; `suggestion` is the nearest valid key, if one is close.
    case unknownKey(String, suggestion: String?)
    /// A key given twice in one mapping.
    case duplicateKey(String, firstLine: Int)
    /// A value of the wrong type for its key.
    case wrongType(key: String, expected: String, found: String)
    /// A value of the right type outside its key's allowed range.
    case outOfRange(key: String, value: String, allowed: String)
    /// A name not in the key's list of names (or the model registry's).
    case unknownName(key: String, value: String, suggestion: String?, valid: [String])
    /// Keys whose values contradict each other.
    case inconsistent(key: String, reason: String)
    /// A command-line override that is not `key=value`.
    case malformedOverride(reason: String)
    /// A value this runner cannot honour (see ``KeySupport/limited(requirement:reason:accepts:)``).
    case unsupported(key: String, value: String, reason: String, requirement: String)
    /// The recipe is larger than `limit` bytes; `bytes` is its size when known (a regular file).
    case tooLarge(bytes: Int?, limit: Int)
    /// The recipe is not UTF-8 text: `byte` at `offset` (from 0) starts no valid UTF-8 character.
    case notUTF8(byte: UInt8, offset: Int)
    /// Lists and mappings nest deeper than `limit` levels, in the text itself or once aliases
    /// are replaced by their anchors' nodes.
    case tooDeep(limit: Int, throughAliases: Bool)
    /// The document holds more than `limit` nodes, counting each alias as the nodes it stands
    /// for (`throughAliases` when aliases were involved).
    case tooManyNodes(limit: Int, throughAliases: Bool)
    /// More than `limit` issues were found; the rest of the recipe was not examined.
    case tooManyIssues(limit: Int)

    /// The message, without its location: one line (control characters in quoted text are
    /// escaped, and quoted keys and values are cut to ``RecipeLimits/maxQuotedLength``).
    public var description: String {
        MessageText.escaped(message)
    }

    private var message: String {
        let quoted = MessageText.quoted
        switch self {
        case .unreadable(let reason):
            return "cannot read the recipe: \(reason)"
        case .syntax(let message):
            return "not valid YAML: \(message)"
        case .empty:
            return "the recipe is empty; expected a mapping of keys to values such as 'model: swinv2_tiny_window8'"
        case .notAMapping(let found):
            return "the recipe's top level must be a mapping of keys to values, found \(found)"
        case .unknownKey(let key, let suggestion):
            if let suggestion { return "unknown key '\(quoted(key))'; did you mean '\(suggestion)'?" }
            return "unknown key '\(quoted(key))'"
        case .duplicateKey(let key, let firstLine):
            return "duplicate key '\(quoted(key))' (first given on line \(firstLine))"
        case .wrongType(let key, let expected, let found):
            return "key '\(quoted(key))' expects \(expected), got \(found)"
        case .outOfRange(let key, let value, let allowed):
            return "key '\(quoted(key))' value \(quoted(value)) is out of range; allowed: \(allowed)"
        case .unknownName(let key, let value, let suggestion, let valid):
            var text = "key '\(quoted(key))' has unknown value '\(quoted(value))'"
            if let suggestion { text += "; did you mean '\(suggestion)'?" }
            text += " valid: \(valid.joined(separator: ", "))"
            return text
        case .inconsistent(let key, let reason):
            return "key '\(key)': \(reason)"
        case .malformedOverride(let reason):
            return reason
        case .unsupported(let key, let value, let reason, let requirement):
            return "key '\(key)' value \(quoted(value)) cannot run here: \(reason); set \(key): \(requirement) (or leave it out) to train"
        case .tooLarge(let bytes, let limit):
            let size = bytes.map { "\(MessageText.size($0)) (\($0) bytes)" } ?? "more than \(MessageText.size(limit))"
            return "the recipe is \(size); recipes larger than \(MessageText.size(limit)) are refused"
        case .notUTF8(let byte, let offset):
            return "not UTF-8 text: byte 0x\(MessageText.hex(byte)) at offset \(offset) starts no UTF-8 character; a recipe is a YAML text file"
        case .tooDeep(let limit, let throughAliases):
            return "nesting deeper than \(limit) levels\(throughAliases ? " once aliases are expanded" : "")"
        case .tooManyNodes(let limit, let throughAliases):
            return throughAliases
                ? "aliases expand to more than \(limit) nodes (values, lists and mappings)"
                : "more than \(limit) nodes (values, lists and mappings)"
        case .tooManyIssues(let limit):
            return "more than \(limit) problems; the rest of the recipe was not checked"
        }
    }
}

/// User text inside messages: escaped so that a message stays on one line, and cut to a
/// readable length.
enum MessageText {
    /// `text` with control, format and line-separator characters written as `\n`, `\t`,
    /// `\r` or `\u{…}`.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where needsEscape(scalar): result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` escaped and cut to ``RecipeLimits/maxQuotedLength`` characters (Unicode scalars,
    /// so a pathological cluster of combining marks is cut too), ending in "…" when cut.
    static func quoted(_ text: String) -> String {
        let limit = RecipeLimits.maxQuotedLength
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return escaped(text) }
        var cut = String.UnicodeScalarView()
        cut.append(contentsOf: scalars.prefix(limit - 1))
        return escaped(String(cut)) + "…"
    }

    /// Bytes as KiB, MiB or GiB with two decimals (`1.05 MiB`), or whole when exact (`1 MiB`).
    static func size(_ bytes: Int) -> String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (unit, name) in units where bytes >= unit {
            if bytes % unit == 0 { return "\(bytes / unit) \(name)" }
            let hundredths = (bytes / unit) * 100 + ((bytes % unit) * 100 + unit / 2) / unit
            let fraction = hundredths % 100
            return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) \(name)"
        }
        return "\(bytes) bytes"
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
