import Foundation
import Yams

/// Reads recipe files and YAML text within ``RecipeLimits``: a file's size is checked before it
/// is read whole, its bytes must be UTF-8, and a document's depth and node count are measured
/// (``YAMLShape``) before Yams composes it.
enum RecipeText {
    /// The bytes of the file at `path`, refusing files larger than ``RecipeLimits/maxBytes``
    /// after reading at most one byte more than that.
    static func read(path: String) throws(RecipeError) -> Data {
        func failure(_ problem: RecipeProblem) -> RecipeError {
            RecipeError(issues: [RecipeIssue(location: .wholeFile(path: path), problem: problem)])
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw failure(.unreadable(reason: "it is a directory"))
        }
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.read(upToCount: RecipeLimits.maxBytes + 1) ?? Data()
        } catch {
            throw failure(.unreadable(reason: (error as NSError).localizedDescription))
        }
        guard data.count <= RecipeLimits.maxBytes else {
            // The size is known for a regular file; a device or pipe only said it has more.
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let isRegular = attributes?[.type] as? FileAttributeType == .typeRegular
            let size = isRegular ? (attributes?[.size] as? NSNumber)?.intValue : nil
            throw failure(.tooLarge(bytes: size, limit: RecipeLimits.maxBytes))
        }
        return data
    }

    /// `data` as a string, or an issue at the first byte that is not UTF-8 (binary files,
    /// Latin-1 or UTF-16 text).
    static func decode(_ data: Data, path: String) throws(RecipeError) -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0, line = 1, column = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
                if encoded.count == 1, encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                // Unreachable: the validation above failed, so some byte is invalid.
                return String(decoding: data, as: UTF8.self)
            case .error:
                throw RecipeError(issues: [RecipeIssue(
                    location: .file(path: path, line: line, column: column),
                    problem: .notUTF8(byte: data[data.startIndex + offset], offset: offset))])
            }
        }
    }

    /// Why ``compose(_:)`` produced no node.
    enum ComposeFailure: Error {
        /// Longer than ``RecipeLimits/maxBytes`` (UTF-8 bytes).
        case tooLarge(bytes: Int)
        /// Past a depth or node-count limit, at a position in the text.
        case limit(YAMLLimitExceeded)
        /// Not valid YAML, as Yams reports it.
        case syntax(YamlError)
        /// Any other error from Yams.
        case other(String)
    }

    /// The first document of `text` as a ``RawNode`` (nil when there is none), once it is known
    /// to be within ``RecipeLimits``.
    static func compose(_ text: String) throws(ComposeFailure) -> RawNode? {
        let bytes = text.utf8.count
        guard bytes <= RecipeLimits.maxBytes else { throw .tooLarge(bytes: bytes) }
        do {
            try YAMLShape.check(text)
        } catch {
            throw .limit(error)
        }
        let root: Node?
        do {
            // UTF-8 explicitly (Yams' default can be changed by an environment variable), so Yams
            // reads the very bytes YAMLShape measured.
            root = try Yams.compose(yaml: text, .default, .default, .utf8)
        } catch let error as YamlError {
            throw .syntax(error)
        } catch {
            throw .other("\(error)")
        }
        guard let root else { return nil }
        var budget = RecipeLimits.maxNodes
        do {
            return try RawNode(root, budget: &budget)
        } catch {
            throw .limit(error)
        }
    }

    /// The 1-based line and column of the character `offset` characters into `text` (as Yams
    /// reports a reader error), columns counted in Unicode scalars as libyaml counts them.
    static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        let prefix = text.prefix(offset)
        var line = 1
        var lineStart = prefix.startIndex
        var index = prefix.startIndex
        while index < prefix.endIndex {
            let next = prefix.index(after: index)
            if prefix[index].isNewline {
                line += 1
                lineStart = next
            }
            index = next
        }
        return (line, prefix[lineStart...].unicodeScalars.count + 1)
    }
}
