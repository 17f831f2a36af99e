// libyaml, as bundled with Yams. Yams composes documents recursively and keeps its event parser
// private, so the size checks below read libyaml's events directly: libyaml's parser is a state
// machine with explicit stacks, and this loop keeps its own, so nothing here recurses however
// deeply the text nests.
import CYaml

/// A limit a YAML text would break, and where.
struct YAMLLimitExceeded: Error {
    var problem: RecipeProblem
    /// 1-based line and column of the node or alias that went past the limit.
    var line: Int
    var column: Int
}

/// The nesting depth and node count of the first document of a YAML text, measured on libyaml's
/// event stream before Yams composes it (see ``RecipeLimits``).
///
/// An alias counts as everything it stands for: its anchor's node count and depth are recorded
/// when the anchored node ends, so a chain of aliases is measured in one pass without expanding
/// any of it. Syntax errors are not reported here; the check stops at the first one (having
/// measured everything before it) and leaves the message to Yams, which meets the same error.
enum YAMLShape {
    /// The extent of one node: how many nodes it expands to and how many collection levels deep
    /// it is (0 for a scalar).
    private struct Extent {
        var nodes: Int
        var depth: Int
    }

    /// A list or mapping whose end event has not come yet.
    private struct OpenCollection {
        var anchor: String?
        var nodes = 1
        var depth = 1
    }

    /// Throws if the first document of `text` nests deeper than `maxDepth` or expands to more
    /// than `maxNodes` nodes.
    static func check(_ text: String, maxDepth: Int = RecipeLimits.maxDepth,
                      maxNodes: Int = RecipeLimits.maxNodes) throws(YAMLLimitExceeded) {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let problem: YAMLLimitExceeded? = bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return measure(&parser, maxDepth: maxDepth, maxNodes: maxNodes)
        }
        if let problem { throw problem }
    }

    private static func measure(_ parser: inout yaml_parser_t, maxDepth: Int, maxNodes: Int) -> YAMLLimitExceeded? {
        var anchors: [String: Extent] = [:]
        var open: [OpenCollection] = []
        var total = 0
        var sawAlias = false
        var event = yaml_event_t()

        while yaml_parser_parse(&parser, &event) == 1 {
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            func exceeded(_ problem: RecipeProblem) -> YAMLLimitExceeded {
                YAMLLimitExceeded(problem: problem, line: line, column: column)
            }

            /// Adds a finished node to the collection it belongs to (if any).
            func add(_ extent: Extent) {
                guard !open.isEmpty else { return }
                open[open.count - 1].nodes = saturatingSum(open[open.count - 1].nodes, extent.nodes, cap: maxNodes)
                open[open.count - 1].depth = max(open[open.count - 1].depth, extent.depth + 1)
            }

            switch event.type {
            case YAML_SCALAR_EVENT:
                total += 1
                if total > maxNodes { return exceeded(.tooManyNodes(limit: maxNodes, throughAliases: sawAlias)) }
                let extent = Extent(nodes: 1, depth: 0)
                if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = extent }
                add(extent)

            case YAML_ALIAS_EVENT:
                sawAlias = true
                // An undefined alias is Yams' error to report; count it as one node meanwhile.
                let extent = name(event.data.alias.anchor).flatMap { anchors[$0] } ?? Extent(nodes: 1, depth: 0)
                total = saturatingSum(total, extent.nodes, cap: maxNodes)
                if total > maxNodes { return exceeded(.tooManyNodes(limit: maxNodes, throughAliases: true)) }
                if open.count + extent.depth > maxDepth {
                    return exceeded(.tooDeep(limit: maxDepth, throughAliases: true))
                }
                add(extent)

            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                total += 1
                if total > maxNodes { return exceeded(.tooManyNodes(limit: maxNodes, throughAliases: sawAlias)) }
                if open.count + 1 > maxDepth { return exceeded(.tooDeep(limit: maxDepth, throughAliases: false)) }
                let anchor = event.type == YAML_SEQUENCE_START_EVENT
                    ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                open.append(OpenCollection(anchor: anchor))

            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let finished = open.popLast() else { break }
                let extent = Extent(nodes: finished.nodes, depth: finished.depth)
                if let anchor = finished.anchor { anchors[anchor] = extent }
                add(extent)

            case YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT:
                // Yams reads one document; a second one is its error to report.
                return nil

            default:
                break
            }
        }
        return nil
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private static func saturatingSum(_ a: Int, _ b: Int, cap: Int) -> Int {
        min(a + b, cap + 1)
    }
}
