import Foundation
import Testing
@testable import Recipes

// Hostile and corrupted recipes must load or fail cleanly, and at once: every case below ends
// within a second (measured on a monotonic clock) with either an experiment or a RecipeError
// whose every issue is one line naming the file. A crash or a hang fails the whole test run.
// The mutations are seeded, so a failure names a case that the next run repeats exactly.

/// SplitMix64: a small generator whose sequence is fixed by its seed on every platform.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One input: a name for messages, the bytes of the file and any `--set` overrides.
struct FuzzCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var overrides: [String] = []

    init(_ name: String, _ text: String, overrides: [String] = []) {
        self.name = name
        self.bytes = Array(text.utf8)
        self.overrides = overrides
    }

    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    var testDescription: String { name }
}

/// What loading one case did, and how long it took.
struct FuzzOutcome {
    var error: RecipeError?
    var elapsed: Duration
    /// For a recipe that loaded: why its resolved YAML (what `runner config` prints) did not load
    /// back as the same experiment, if it did not.
    var roundTripFault: String?

    /// Problems with the outcome (empty when it is acceptable).
    func faults(path: String) -> [String] {
        var faults: [String] = []
        if elapsed >= .seconds(1) { faults.append("took \(elapsed)") }
        if let roundTripFault { faults.append(roundTripFault) }
        guard let error else { return faults }
        let description = error.description
        if description.isEmpty { faults.append("empty description") }
        let lines = description.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count != error.issues.count {
            faults.append("\(error.issues.count) issues printed on \(lines.count) lines: \(description.prefix(300))")
        }
        for line in lines where !line.hasPrefix("\(path):") && !line.hasPrefix("command line override '") {
            faults.append("a line not naming the file: \(line.prefix(300))")
        }
        for issue in error.issues where issue.description.contains(where: \.isNewline) {
            faults.append("an issue spanning lines: \(issue.description.prefix(300))")
        }
        return faults
    }
}

enum Fuzz {
    static let path = "fuzz.yaml"

    /// Loads `fuzzCase` as the file `fuzz.yaml` and, when it loads, writes and reloads its
    /// resolved YAML as `runner config` and a resumed run do; times all of it.
    static func run(_ fuzzCase: FuzzCase) -> FuzzOutcome {
        let clock = ContinuousClock()
        var error: RecipeError?
        var roundTripFault: String?
        let elapsed = clock.measure {
            do throws(RecipeError) {
                let experiment = try Experiment.load(contents: Data(fuzzCase.bytes), path: path,
                                                     overrides: fuzzCase.overrides)
                _ = experiment.configHash
                let resolved = experiment.resolvedYAML()
                do throws(RecipeError) {
                    let reloaded = try Experiment.load(yaml: resolved, path: "resolved.yaml")
                    if reloaded != experiment { roundTripFault = "the resolved YAML loads back different" }
                } catch {
                    roundTripFault = "the resolved YAML does not load back: \(error.description.prefix(300))"
                }
            } catch let caught {
                error = caught
            }
        }
        return FuzzOutcome(error: error, elapsed: elapsed, roundTripFault: roundTripFault)
    }

    /// The shipped recipes: the repository's configs and the test fixtures.
    static let seeds: [(name: String, bytes: [UInt8])] = {
        let configs = repositoryRoot.appendingPathComponent("configs")
        let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
        var seeds: [(String, [UInt8])] = []
        for directory in [configs, fixtures] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".yaml") {
                if let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) {
                    seeds.append((name, Array(data)))
                }
            }
        }
        return seeds
    }()

    // MARK: Hostile inputs

    /// "Billion laughs": nine levels of anchors, each a list of ten aliases to the one before.
    static func aliasBomb(levels: Int = 9, key: String = "l") -> String {
        var lines = ["\(key)0: &\(key)0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1..<levels {
            let aliases = Array(repeating: "*\(key)\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("\(key)\(level): &\(key)\(level) [\(aliases)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `count` levels of block mappings (`a:` on each line, one more space each time).
    static func deepBlockMapping(_ count: Int, indent: Int = 1) -> String {
        (0..<count).map { String(repeating: " ", count: $0 * indent) + "a:" }.joined(separator: "\n") + " x\n"
    }

    static let hostile: [FuzzCase] = [
        FuzzCase("alias bomb", aliasBomb()),
        FuzzCase("alias bomb in model_kwargs", "model: resnet18\n" + aliasBomb() + "model_kwargs: {x: *l8}\n"),
        FuzzCase("block-style alias bomb", "a: &a\n" + (0..<10).map { _ in "  - x" }.joined(separator: "\n") + "\n"
            + (1..<9).map { level in
                "l\(level): &l\(level)\n" + (0..<10).map { _ in "  - *\(level == 1 ? "a" : "l\(level - 1)")" }
                    .joined(separator: "\n")
            }.joined(separator: "\n") + "\n"),
        FuzzCase("alias bomb in an override", "lr: 0.1\n",
                 overrides: ["model_kwargs.x=[" + aliasBomb().replacingOccurrences(of: "\n", with: ", ") + "]"]),
        FuzzCase("5000 nested lists, closed", "a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"),
        FuzzCase("5000 nested lists, open", "a: " + String(repeating: "[", count: 5000) + "\n"),
        FuzzCase("5000 nested flow mappings",
                 "a: " + String(repeating: "{a: ", count: 5000) + "x" + String(repeating: "}", count: 5000) + "\n"),
        FuzzCase("5000 nested flow mappings, open", String(repeating: "{", count: 5000)),
        FuzzCase("5000 alternating brackets", "a: " + String(repeating: "[{a: ", count: 2500) + "\n"),
        FuzzCase("5000 nested block sequences on one line", "a:\n" + String(repeating: "- ", count: 5000) + "x\n"),
        FuzzCase("1000 nested block mappings", deepBlockMapping(1000)),
        FuzzCase("5000 nested block mappings (over the size limit)", deepBlockMapping(5000, indent: 2)),
        FuzzCase("5000 nested explicit keys", String(repeating: "? ", count: 5000) + "x\n"),
        FuzzCase("nesting through a chain of aliases",
                 (0..<200).map { level in
                     "a\(level): &a\(level) " + String(repeating: "[", count: 40) + (level == 0 ? "x" : "*a\(level - 1)")
                         + String(repeating: "]", count: 40)
                 }.joined(separator: "\n") + "\n"),
        FuzzCase("a long flat list", "a: [" + Array(repeating: "1", count: 150_000).joined(separator: ",") + "]\n"),
        FuzzCase("an undefined alias", "lr: *nowhere\n"),
        FuzzCase("an alias to itself", "a: &a [*a]\n"),
        FuzzCase("an int key past 64 bits", "batch_size: 99999999999999999999\n"),
        FuzzCase("a negative int past 64 bits", "epoch_size: -99999999999999999999\n"),
        FuzzCase("an int key at Int.max", "batch_size: 9223372036854775807\nepoch_size: 9223372036854775807\n"),
        FuzzCase("a float past Double", "lr: 1e400\n"),
        FuzzCase("a negative float past Double", "min_lr: -1e400\n"),
        FuzzCase(".inf", "lr: .inf\n"), FuzzCase("-.Inf", "lr: -.Inf\n"), FuzzCase(".nan", "hflip: .nan\n"),
        FuzzCase("quoted .NaN", "weight_decay: '.NaN'\n"), FuzzCase("inf for an int key", "batch_size: .inf\n"),
        FuzzCase("NaN in a list", "scale: [.nan, 1.0]\n"),
        FuzzCase("huge ints in a list", "multi_step_decay_milestones: [30, 99999999999999999999]\n"),
        FuzzCase("huge and non-finite model_kwargs",
                 "model_kwargs: {embed_dim: 99999999999999999999, mlp_ratio: .inf, drop: .nan, x: 1e400}\n"),
        FuzzCase("a key holding a newline", "\"bad\\nkey\": 1\n"),
        FuzzCase("a value holding control characters", "opt: \"\\u0001\\u2028\\r\\nadam\"\n"),
        FuzzCase("a path holding escapes YAML cannot write plainly",
                 "data_dir: \"a\\x01\\x7f\\x80\\N\\L\\P\\uFEFF\\uFFFE\\t\\\\'\\\"z\"\nrun_name: '\\t\\n'\n"),
        FuzzCase("a 500 KiB key", String(repeating: "k", count: 500_000) + ": 1\n"),
        FuzzCase("a 500 KiB value", "opt: " + String(repeating: "v", count: 500_000) + "\n"),
        FuzzCase("40 000 unknown keys", (0..<40_000).map { "unknown_\($0): 1" }.joined(separator: "\n")),
        FuzzCase("a recipe over 1 MiB", String(repeating: "# padding\n", count: 110_000)),
        FuzzCase("escapes past Unicode", "data_dir: \"\\ud800\"\nrun_name: \"\\U00110000\"\n"),
        FuzzCase("an escaped NUL", "data_dir: \"a\\x00b\\0c\"\n"),
        FuzzCase("directives", "%YAML 1.3\n%TAG ! tag:example.com,2000:\n--- !shape\nlr: !!float 0.1\n"),
        FuzzCase("a merge key", "base: &b {lr: 0.1}\n<<: *b\n"),
        FuzzCase("an anchor name of 100 KiB", "lr: &\(String(repeating: "a", count: 100_000)) 0.1\n"),
        FuzzCase("a thousand anchors, each holding the one before",
                 (0..<1000).map { "k\($0): &a\($0) [\($0 == 0 ? "x" : "*a\($0 - 1)")]" }.joined(separator: "\n")),
        FuzzCase("two documents", "lr: 0.1\n---\nlr: 0.2\n"),
        FuzzCase("only a document marker", "---\n"),
        FuzzCase("NUL bytes", bytes: Array("lr: 0.1\n".utf8) + [0, 0, 0] + Array("\nopt: sgd\n".utf8)),
        FuzzCase("invalid UTF-8 in a value", bytes: Array("lr: 0.1\nopt: ".utf8) + [0xC3, 0x28] + Array("\n".utf8)),
        FuzzCase("a UTF-16 file", bytes: [0xFF, 0xFE] + Array("lr: 0.1\n".utf8).flatMap { [$0, 0] }),
        FuzzCase("every byte value", bytes: (0...255).map(UInt8.init)),
        FuzzCase("binary garbage", bytes: {
            var generator = SeededGenerator(state: 0xB1A7)
            return (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }()),
    ]

    // MARK: Mutations

    static let hugeValues = [
        "1e400", "-1e400", ".inf", "-.inf", "+.INF", ".nan", ".NaN", "inf", "NaN", "1e-400",
        "99999999999999999999", "-99999999999999999999", "9223372036854775807", "-9223372036854775808",
        "1.7976931348623157e308", "4.9e-324", "'1e400'", "\"-.inf\"", "[1e400, .nan]", "{a: .inf}",
        "[]", "{}", "~", "", "''", "0x10", "1_000",
    ]
    static let yamlPieces = [
        "[", "]", "{", "}", ",", ":", ": ", "- ", "? ", "&a ", "*a", "&b [*a, *a]", "!!str ", "!tag ", "|", ">",
        "'", "\"", "#", "%YAML 1.2\n", "---\n", "...\n", "\t", "\n", "  ", "\\", "@", "`", "<<: *a",
    ]
    static let invalidUTF8: [[UInt8]] = [
        [0xFF], [0xFE], [0xC3], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
    ]

    /// `bytes` changed in one random way.
    static func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        func joined() -> [UInt8] { Array(lines.joined(separator: [UInt8(ascii: "\n")])) }
        func position(_ bytes: [UInt8]) -> Int { Int.random(in: 0...bytes.count, using: &generator) }
        var result = bytes
        switch Int.random(in: 0..<12, using: &generator) {
        case 0 where !lines.isEmpty:
            lines.remove(at: Int.random(in: 0..<lines.count, using: &generator))
            result = joined()
        case 1 where !lines.isEmpty:
            let index = Int.random(in: 0..<lines.count, using: &generator)
            lines.insert(lines[index], at: Int.random(in: 0...lines.count, using: &generator))
            result = joined()
        case 2 where lines.count > 1:
            lines.swapAt(Int.random(in: 0..<lines.count, using: &generator), Int.random(in: 0..<lines.count, using: &generator))
            result = joined()
        case 3 where !result.isEmpty:
            let index = Int.random(in: 0..<result.count, using: &generator)
            result[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
        case 4:
            let count = Int.random(in: 1...8, using: &generator)
            result.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) },
                          at: position(result))
        case 5:
            result.insert(contentsOf: invalidUTF8.randomElement(using: &generator)!, at: position(result))
        case 6:
            result.insert(contentsOf: Array(yamlPieces.randomElement(using: &generator)!.utf8), at: position(result))
        case 7:
            // Replace a value (the text after the first ": " of a line) with a huge or odd number.
            let candidates = lines.indices.filter { lines[$0].firstRange(of: Array(": ".utf8)) != nil }
            guard let index = candidates.randomElement(using: &generator),
                  let range = lines[index].firstRange(of: Array(": ".utf8)) else { break }
            lines[index] = Array(lines[index][..<range.upperBound]) + Array(hugeValues.randomElement(using: &generator)!.utf8)
            result = joined()
        case 8:
            let opener = Bool.random(using: &generator) ? "[" : "{a: "
            let count = Int.random(in: 1...300, using: &generator)
            result.insert(contentsOf: Array(String(repeating: opener, count: count).utf8), at: position(result))
        case 9:
            // An anchor on one line's value and aliases to it elsewhere.
            guard lines.count > 1 else { break }
            let anchored = Int.random(in: 0..<lines.count, using: &generator)
            if let range = lines[anchored].firstRange(of: Array(": ".utf8)) {
                lines[anchored].insert(contentsOf: Array("&m ".utf8), at: range.upperBound)
            }
            for _ in 0..<Int.random(in: 1...4, using: &generator) where anchored + 1 < lines.count {
                let index = Int.random(in: anchored + 1..<lines.count, using: &generator)
                if let range = lines[index].firstRange(of: Array(": ".utf8)) {
                    lines[index] = Array(lines[index][..<range.upperBound]) + Array("*m".utf8)
                }
            }
            result = joined()
        case 10:
            result = Array(result.prefix(position(result)))
        case 11:
            result.insert(contentsOf: Array(aliasBomb(levels: Int.random(in: 2...9, using: &generator), key: "z").utf8),
                          at: 0)
        default:
            break
        }
        return result
    }

    /// `count` mutated copies of the shipped recipes, one to three mutations each.
    static func mutated(count: Int, seed: UInt64) -> [FuzzCase] {
        var generator = SeededGenerator(state: seed)
        return (0..<count).map { index in
            let source = seeds[index % seeds.count]
            var bytes = source.bytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) { bytes = mutate(bytes, using: &generator) }
            return FuzzCase("\(source.name) mutation \(index) (seed \(seed))", bytes: bytes)
        }
    }
}

@Suite struct RecipeFuzz {
    @Test func theShippedRecipesAreSeeds() {
        #expect(Fuzz.seeds.count >= 3)
        for seed in Fuzz.seeds {
            let outcome = Fuzz.run(FuzzCase(seed.name, bytes: seed.bytes))
            #expect(outcome.error == nil, "\(seed.name)")
            #expect(outcome.faults(path: Fuzz.path) == [], "\(seed.name)")
        }
    }

    @Test(arguments: Fuzz.hostile)
    func hostileRecipesFailCleanlyAndAtOnce(_ fuzzCase: FuzzCase) {
        let outcome = Fuzz.run(fuzzCase)
        #expect(outcome.faults(path: Fuzz.path) == [], "\(fuzzCase.name)")
    }

    @Test func mutatedRecipesFailCleanlyAndAtOnce() {
        let cases = Fuzz.mutated(count: 400, seed: 0x5EED_F022)
        var rejected = 0
        for fuzzCase in cases {
            let outcome = Fuzz.run(fuzzCase)
            if outcome.error != nil { rejected += 1 }
            let faults = outcome.faults(path: Fuzz.path)
            #expect(faults == [], "\(fuzzCase.name)")
        }
        // Most mutations break the recipe; some (a duplicated comment, a swapped pair of keys) do not.
        #expect(rejected > cases.count / 4)
        #expect(rejected < cases.count)
    }
}
