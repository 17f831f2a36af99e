import Foundation
import TextMatching
import Yams

extension Experiment {
    /// Every YAML key a recipe may use, in resolved-recipe order.
    public static var knownKeys: [String] { RecipeSchema.keys }

    /// Loads a recipe file and applies command-line overrides on top.
    ///
    /// Keys are MindCV's (a MindCV recipe loads unchanged) plus this runner's additions; keys
    /// not in the file keep their defaults. Every problem in the file and the overrides is
    /// collected before throwing: unknown keys (with the nearest valid key), duplicate keys,
    /// wrong types, out-of-range values, names not in a key's list, contradictory keys.
    ///
    /// A file that is not UTF-8, larger than ``RecipeLimits/maxBytes``, nested deeper than
    /// ``RecipeLimits/maxDepth`` or holding (aliases expanded) more than
    /// ``RecipeLimits/maxNodes`` nodes is refused at once with one issue saying which.
    ///
    /// - Parameters:
    ///   - path: the YAML recipe; its name starts every message about it.
    ///   - overrides: `key=value` strings applied after the file, in order (later wins). The
    ///     value is read as YAML (`lr=0.01`, `depths=[2,4]`, `data_dir='/a b'`);
    ///     `model_kwargs.NAME=value` sets one architecture override.
    /// - Throws: ``RecipeError`` listing every issue, or the first ``RecipeLimits/maxIssues``
    ///   and a last one saying there were more.
    public static func load(path: String, overrides: [String] = []) throws(RecipeError) -> Experiment {
        try load(contents: RecipeText.read(path: path), path: path, overrides: overrides)
    }

    /// Loads a recipe from a file's bytes; `path` names it in messages.
    static func load(contents: Data, path: String, overrides: [String] = []) throws(RecipeError) -> Experiment {
        guard contents.count <= RecipeLimits.maxBytes else {
            throw RecipeError(issues: [RecipeIssue(
                location: .wholeFile(path: path),
                problem: .tooLarge(bytes: contents.count, limit: RecipeLimits.maxBytes))])
        }
        return try load(yaml: RecipeText.decode(contents, path: path), path: path, overrides: overrides)
    }

    /// Loads a recipe from YAML text; `path` names it in messages. See ``load(path:overrides:)``.
    public static func load(yaml: String, path: String, overrides: [String] = []) throws(RecipeError) -> Experiment {
        var loader = RecipeLoader(path: path)
        loader.readFile(yaml)
        loader.applyOverrides(overrides)
        return try loader.finish()
    }

    /// The defaults with command-line overrides applied, for runs without a recipe file.
    public static func resolve(overrides: [String]) throws(RecipeError) -> Experiment {
        var loader = RecipeLoader(path: nil)
        loader.applyOverrides(overrides)
        return try loader.finish()
    }

    /// Checks `model` against the model registry's names, reporting an unknown name the way the
    /// loader reports other bad names: where it was set, the nearest names, the valid ones.
    ///
    /// The recipe module does not know which models exist; the registry calls this after loading.
    public func validate(modelNames: [String]) throws(RecipeError) {
        guard !modelNames.contains(model.name) else { return }
        let nearest = Suggestions.ranked(model.name, in: modelNames, count: 5)
        let listed = modelNames.count <= 12 ? modelNames.sorted() : nearest + ["… \(modelNames.count) models in all"]
        throw RecipeError(issues: [RecipeIssue(
            location: provenance.issueLocation(of: "model"),
            problem: .unknownName(
                key: "model", value: model.name,
                suggestion: Suggestions.nearest(to: model.name, in: modelNames), valid: listed))])
    }
}

extension Provenance {
    /// Where to point a message about `key`: where it was set, or its default.
    public func issueLocation(of key: String) -> IssueLocation {
        switch origin(of: key) {
        case .defaultValue: .defaultValue(key: key)
        case .file(let path, let line, let column): .file(path: path, line: line, column: column)
        case .override(let text): .override(text)
        }
    }
}

/// Applies a recipe file and overrides to the defaults, collecting issues.
struct RecipeLoader {
    let path: String?
    var experiment = Experiment()
    var issues: [RecipeIssue] = []

    init(path: String?) {
        self.path = path
        experiment.provenance.sourcePath = path
    }

    private var displayPath: String { path ?? "<recipe>" }

    /// No more issues are collected once there are more than ``RecipeLimits/maxIssues``.
    private var isFull: Bool { issues.count > RecipeLimits.maxIssues }

    mutating func readFile(_ yaml: String) {
        let root: RawNode?
        do {
            root = try RecipeText.compose(yaml)
        } catch {
            issues.append(Self.composeIssue(error, path: displayPath))
            return
        }
        guard let node = root else {
            issues.append(RecipeIssue(location: .wholeFile(path: displayPath), problem: .empty))
            return
        }
        guard case .mapping(let entries) = node.kind else {
            let found = if case .list = node.kind { "a list" } else { "the scalar \(node.displayed)" }
            issues.append(RecipeIssue(
                location: .file(path: displayPath, line: node.line, column: node.column),
                problem: .notAMapping(found: found)))
            return
        }
        var firstLines: [String: Int] = [:]
        for entry in entries where !isFull {
            let keyLocation = IssueLocation.file(path: displayPath, line: entry.keyLine, column: entry.keyColumn)
            guard let key = entry.key else {
                issues.append(RecipeIssue(location: keyLocation, problem: .wrongType(
                    key: "(key)", expected: "a plain key name", found: "a list or mapping used as a key")))
                continue
            }
            if let firstLine = firstLines[key] {
                issues.append(RecipeIssue(location: keyLocation, problem: .duplicateKey(key, firstLine: firstLine)))
                continue
            }
            firstLines[key] = entry.keyLine
            let valueLocation = IssueLocation.file(
                path: displayPath, line: entry.value.line, column: entry.value.column)
            set(key: key, to: entry.value,
                origin: .file(path: displayPath, line: entry.keyLine, column: entry.keyColumn),
                keyLocation: keyLocation, valueLocation: valueLocation)
        }
    }

    mutating func applyOverrides(_ overrides: [String]) {
        for text in overrides where !isFull {
            let location = IssueLocation.override(text)
            guard let equals = text.firstIndex(of: "=") else {
                issues.append(RecipeIssue(location: location, problem: .malformedOverride(
                    reason: "expected key=value, e.g. lr=0.01 or model_kwargs.embed_dim=64")))
                continue
            }
            let key = String(text[..<equals]).trimmingSpaces
            let valueText = String(text[text.index(after: equals)...])
            guard !key.isEmpty else {
                issues.append(RecipeIssue(location: location, problem: .malformedOverride(
                    reason: "the key before '=' is empty; expected key=value, e.g. lr=0.01")))
                continue
            }
            let value: RawNode
            do {
                value = try RecipeText.compose(valueText) ?? .null()
            } catch {
                let problem = Self.composeIssue(error, path: "").problem
                if case .syntax(let message) = problem {
                    issues.append(RecipeIssue(location: location, problem: .syntax(
                        "the value '\(MessageText.quoted(valueText))': \(message)")))
                } else {
                    issues.append(RecipeIssue(location: location, problem: problem))
                }
                continue
            }
            set(key: key, to: value, origin: .override(text), keyLocation: location, valueLocation: location)
        }
    }

    /// Reads `value` into the key's field, or records why not.
    private mutating func set(key: String, to value: RawNode, origin: Origin,
                              keyLocation: IssueLocation, valueLocation: IssueLocation) {
        let kwargsPrefix = "model_kwargs."
        if key.hasPrefix(kwargsPrefix), key.count > kwargsPrefix.count {
            let name = String(key.dropFirst(kwargsPrefix.count))
            do throws(RecipeProblem) {
                experiment.model.kwargs[name] = try ValueReader(key: key, node: value).configValue()
                experiment.provenance.origins[key] = origin
            } catch {
                issues.append(RecipeIssue(location: valueLocation, problem: error))
            }
            return
        }
        guard let field = RecipeSchema.field(named: key) else {
            let suggestion = Suggestions.nearest(to: key, in: RecipeSchema.keys, aliases: RecipeSchema.keyAliases)
            issues.append(RecipeIssue(location: keyLocation, problem: .unknownKey(key, suggestion: suggestion)))
            return
        }
        do throws(RecipeProblem) {
            try field.apply(&experiment, ValueReader(key: key, node: value))
            experiment.provenance.origins[key] = origin
            if key == "model_kwargs" {
                experiment.provenance.origins = experiment.provenance.origins.filter { !$0.key.hasPrefix(kwargsPrefix) }
            }
        } catch {
            issues.append(RecipeIssue(location: valueLocation, problem: error))
        }
    }

    /// Runs the cross-key checks (only when every key read cleanly) and returns the experiment.
    mutating func finish() throws(RecipeError) -> Experiment {
        if issues.isEmpty {
            issues = ConsistencyRules.check(experiment)
        }
        if issues.count > RecipeLimits.maxIssues {
            issues = Array(issues.prefix(RecipeLimits.maxIssues))
            issues.append(RecipeIssue(location: .wholeFile(path: displayPath),
                                      problem: .tooManyIssues(limit: RecipeLimits.maxIssues)))
        }
        guard issues.isEmpty else { throw RecipeError(issues: issues) }
        return experiment
    }

    /// The issue for text that did not compose, located in the file at `path`.
    static func composeIssue(_ failure: RecipeText.ComposeFailure, path: String) -> RecipeIssue {
        switch failure {
        case .tooLarge(let bytes):
            RecipeIssue(location: .wholeFile(path: path), problem: .tooLarge(bytes: bytes, limit: RecipeLimits.maxBytes))
        case .limit(let exceeded):
            RecipeIssue(location: .file(path: path, line: exceeded.line, column: exceeded.column), problem: exceeded.problem)
        case .syntax(let error):
            syntaxIssue(error, path: path)
        case .other(let message):
            RecipeIssue(location: .wholeFile(path: path), problem: .syntax(message))
        }
    }

    static func syntaxIssue(_ error: YamlError, path: String) -> RecipeIssue {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return RecipeIssue(location: .file(path: path, line: mark.line, column: mark.column),
                               problem: .syntax(problemText(error)))
        case .reader(_, let offset?, _, let yaml):
            let (line, column) = RecipeText.lineAndColumn(ofCharacter: offset, in: yaml)
            return RecipeIssue(location: .file(path: path, line: line, column: column),
                               problem: .syntax(problemText(error)))
        default:
            return RecipeIssue(location: .wholeFile(path: path), problem: .syntax(problemText(error)))
        }
    }

    /// Yams' problem text without its repeated snippet of the document.
    static func problemText(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            if let context { return "\(context.text): \(problem)" }
            return problem
        case .reader(let problem, _, let value, _):
            guard value >= 0 else { return problem }
            let code = String(value, radix: 16, uppercase: true)
            return "\(problem) (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code))"
        default:
            return "\(error)"
        }
    }
}

/// Checks between keys, each reported where the later-read key of the pair was set.
enum ConsistencyRules {
    static func check(_ experiment: Experiment) -> [RecipeIssue] {
        var issues: [RecipeIssue] = []
        let provenance = experiment.provenance
        func report(_ key: String, _ reason: String) {
            issues.append(RecipeIssue(location: provenance.issueLocation(of: key),
                                      problem: .inconsistent(key: key, reason: reason)))
        }
        /// Of two keys, the one the user set (preferring the second), for the message location.
        func blame(_ first: String, _ second: String) -> String {
            provenance.origin(of: second) != .defaultValue || provenance.origin(of: first) == .defaultValue
                ? second : first
        }

        let scheduler = experiment.scheduler
        let training = experiment.training
        if scheduler.name != .constant, scheduler.minLR > scheduler.lr {
            report(blame("lr", "min_lr"),
                   "min_lr \(YAMLText.number(scheduler.minLR)) is above lr \(YAMLText.number(scheduler.lr)); the schedule would rise")
        }
        if experiment.checkpoint.savePolicy == .topK, !experiment.system.valWhileTrain {
            report(blame("val_while_train", "ckpt_save_policy"),
                   "ckpt_save_policy 'top_k' ranks checkpoints by validation accuracy, so it needs val_while_train: True")
        }

        let swa = experiment.swa
        if swa.enabled {
            if let start = swa.startEpoch {
                if start < 2 {
                    report("swa_start_epoch", "swa_start_epoch \(start) is out of range; allowed: [2, epoch_size - 1] (1-based, as keras-swa)")
                } else if start > training.epochs - 1 {
                    report(blame("epoch_size", "swa_start_epoch"),
                           "swa_start_epoch \(start) must be at most epoch_size - 1 = \(training.epochs - 1)")
                }
            } else {
                report("swa", "swa: True needs swa_start_epoch (the 1-based epoch where averaging starts)")
            }
            if swa.lrSchedule == .cyclic, swa.frequency < 2 {
                report(blame("swa_lr_schedule", "swa_freq"),
                       "the cyclic swa_lr_schedule needs swa_freq of 2 or more (got \(swa.frequency))")
            }
            if case .fixed(let low) = swa.lr, case .fixed(let high) = swa.lr2, swa.lrSchedule == .cyclic, low > high {
                report(blame("swa_lr", "swa_lr2"),
                       "swa_lr \(YAMLText.number(low)) is above swa_lr2 \(YAMLText.number(high))")
            }
            if case .auto = swa.lr, case .fixed = swa.lr2 {
                report(blame("swa_lr", "swa_lr2"), "swa_lr2 can be set only with swa_lr set too (keras-swa derives an automatic swa_lr2 from an automatic swa_lr)")
            }
            if case .fixed(let rate) = swa.lr, rate > scheduler.lr, !swa.lrSchedule.isTorchAnnealing {
                report(blame("lr", "swa_lr"),
                       "swa_lr \(YAMLText.number(rate)) is above the initial lr \(YAMLText.number(scheduler.lr))")
            }
        }
        return issues.sorted { ($0.location.line ?? Int.max) < ($1.location.line ?? Int.max) }
    }
}
