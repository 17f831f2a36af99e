import Foundation
import Testing
@testable import Recipes

/// The messages for recipes past a ``RecipeLimits`` limit (see RecipeFuzzTests for timing).
@Suite struct RecipeLimitMessages {
    @Test func anAliasBombIsRefusedWhereItPassesTheLimit() {
        // Levels 0 to 2 hold 1 245 nodes with their keys; each *l2 in l3's list adds 1 111, so the
        // eighth (line 4, column 10 + 7 × 5) passes 10 000.
        #expect(messages(Fuzz.aliasBomb())
            == ["bad.yaml:4:45: aliases expand to more than 10000 nodes (values, lists and mappings)"])
    }

    @Test func deepFlowListsNameTheBracketPastTheLimit() {
        #expect(messages("a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n")
            == ["bad.yaml:1:67: nesting deeper than 64 levels"])
    }

    @Test func deepFlowMappings() {
        // The top-level mapping is level 1; the 64th '{a: ' opens level 65.
        #expect(messages("a: " + String(repeating: "{a: ", count: 5000) + "x" + String(repeating: "}", count: 5000) + "\n")
            == ["bad.yaml:1:\(4 + 63 * 4): nesting deeper than 64 levels"])
    }

    @Test func deepBlockMappings() {
        // Level n starts on line n, column n.
        #expect(messages(Fuzz.deepBlockMapping(1000)) == ["bad.yaml:65:65: nesting deeper than 64 levels"])
    }

    @Test func sixtyFourLevelsAreAllowedAndSixtyFiveAreNot() throws {
        func nested(_ count: Int) -> String { String(repeating: "[", count: count) + String(repeating: "]", count: count) }
        // The top-level mapping and the kwargs mapping are two levels.
        let experiment = try Experiment.load(yaml: "model_kwargs: {x: \(nested(62))}\n", path: "ok.yaml")
        #expect(experiment.model.kwargs["x"] != nil)
        #expect(messages("model_kwargs: {x: \(nested(63))}\n") == ["bad.yaml:1:81: nesting deeper than 64 levels"])
    }

    @Test func nestingThroughAliasesCounts() {
        let forty = String(repeating: "[", count: 40)
        let closed = String(repeating: "]", count: 40)
        #expect(messages("a: &a \(forty)x\(closed)\nb: \(forty)*a\(closed)\n")
            == ["bad.yaml:2:44: nesting deeper than 64 levels once aliases are expanded"])
    }

    @Test func aLongListWithoutAliases() {
        // The mapping, the key and the list are three nodes; item 9998 is the 10001st, at column 5 + 2 × 9997.
        let list = "[" + Array(repeating: "1", count: 20_000).joined(separator: ",") + "]"
        #expect(messages("a: \(list)\n") == ["bad.yaml:1:19999: more than 10000 nodes (values, lists and mappings)"])
    }

    @Test func anOverrideIsCheckedToo() {
        #expect(messages("lr: 0.1\n", overrides: ["model_kwargs.x=" + String(repeating: "[", count: 100)])
            == ["command line override 'model_kwargs.x=\(String(repeating: "[", count: 100))': nesting deeper than 64 levels"])
    }
}

@Suite struct NumberLimits {
    @Test(arguments: [
        ("batch_size: 99999999999999999999",
         "bad.yaml:1:13: key 'batch_size' value 99999999999999999999 is out of range; allowed: [1, inf), as a 64-bit integer"),
        ("lr: 1e400", "bad.yaml:1:5: key 'lr' value 1e400 is out of range; allowed: finite numbers in [0, inf)"),
        ("lr: .inf", "bad.yaml:1:5: key 'lr' value .inf is out of range; allowed: finite numbers in [0, inf)"),
        ("lr: -.Inf", "bad.yaml:1:5: key 'lr' value -.Inf is out of range; allowed: finite numbers in [0, inf)"),
        ("hflip: .nan", "bad.yaml:1:8: key 'hflip' value .nan is out of range; allowed: finite numbers in [0, 1]"),
        ("batch_size: .inf", "bad.yaml:1:13: key 'batch_size' expects an integer, got '.inf'"),
        ("scale: [.nan, 1]",
         "bad.yaml:1:8: key 'scale' value [.nan, 1] is out of range; allowed: 2 finite numbers in (0, 1], the first not above the second"),
        ("multi_step_decay_milestones: [30, 99999999999999999999]",
         "bad.yaml:1:30: key 'multi_step_decay_milestones' value [30, 99999999999999999999] is out of range; allowed: integers in [0, inf), as a 64-bit integer"),
        ("model_kwargs: {embed_dim: 99999999999999999999}",
         "bad.yaml:1:15: key 'model_kwargs.embed_dim' value 99999999999999999999 is out of range; allowed: 64-bit integers"),
        ("model_kwargs: {mlp_ratio: .inf}",
         "bad.yaml:1:15: key 'model_kwargs.mlp_ratio' value .inf is out of range; allowed: finite numbers"),
    ])
    func hugeAndNonFiniteNumbersNameTheirKey(_ line: String, _ expected: String) {
        #expect(messages(line + "\n") == [expected])
    }

    @Test func tinyNumbersRoundToZero() throws {
        let experiment = try Experiment.load(yaml: "weight_decay: 1e-400\n", path: "ok.yaml")
        #expect(experiment.optimizer.weightDecay == 0)
    }
}

@Suite struct FileLimits {
    /// A temporary directory for one test, removed afterwards.
    func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recipes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    @Test func aFileOverOneMebibyteIsRefusedNamingItsSize() throws {
        try withDirectory { directory in
            let path = directory.appendingPathComponent("big.yaml").path
            try Data(String(repeating: "# padding\n", count: 150_000).utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: RecipeError(issues: [RecipeIssue(
                location: .wholeFile(path: path), problem: .tooLarge(bytes: 1_500_000, limit: 1 << 20))])) {
                try Experiment.load(path: path)
            }
            do throws(RecipeError) {
                _ = try Experiment.load(path: path)
            } catch {
                #expect(error.description == "\(path): the recipe is 1.43 MiB (1500000 bytes); recipes larger than 1 MiB are refused")
            }
        }
    }

    @Test func anEndlessDeviceIsNotReadWhole() throws {
        guard FileManager.default.fileExists(atPath: "/dev/zero") else { return }
        #expect(throws: RecipeError(issues: [RecipeIssue(
            location: .wholeFile(path: "/dev/zero"), problem: .tooLarge(bytes: nil, limit: 1 << 20))])) {
            try Experiment.load(path: "/dev/zero")
        }
    }

    @Test func aDirectoryIsUnreadable() throws {
        try withDirectory { directory in
            do throws(RecipeError) {
                _ = try Experiment.load(path: directory.path)
                Issue.record("expected an error")
            } catch {
                #expect(error.issues.count == 1)
                #expect(error.description == "\(directory.path): cannot read the recipe: it is a directory")
            }
        }
    }

    @Test func invalidUTF8NamesTheByte() {
        let bytes = Array("lr: 0.1\nopt: ad".utf8) + [0xFF] + Array("am\n".utf8)
        #expect(throws: RecipeError(issues: [RecipeIssue(
            location: .file(path: "bad.yaml", line: 2, column: 8), problem: .notUTF8(byte: 0xFF, offset: 15))])) {
            try Experiment.load(contents: Data(bytes), path: "bad.yaml")
        }
        #expect(RecipeProblem.notUTF8(byte: 0xFF, offset: 15).description
            == "not UTF-8 text: byte 0xFF at offset 15 starts no UTF-8 character; a recipe is a YAML text file")
    }

    @Test func controlCharactersAreASyntaxErrorWhereTheyAre() {
        #expect(messages("lr: 0.1\nopt: a\u{01}dam\n")
            == ["bad.yaml:2:7: not valid YAML: control characters are not allowed (U+0001)"])
    }
}

@Suite struct MessageLimits {
    @Test func keysWithNewlinesStayOnOneLine() {
        #expect(messages("\"bad\\nkey\": 1\n") == ["bad.yaml:1:1: unknown key 'bad\\nkey'"])
    }

    @Test func aHugeKeyIsCutAndGetsNoSuggestion() {
        let key = String(repeating: "k", count: 500_000)
        // A plain key may be at most 1024 characters (libyaml); an explicit key (`? key`) may be longer.
        #expect(messages(key + ": 1\n") == ["bad.yaml:1:500001: not valid YAML: mapping values are not allowed in this context"])
        #expect(messages("? \(key)\n: 1\n") == ["bad.yaml:1:3: unknown key '\(String(repeating: "k", count: 199))…'"])
    }

    @Test func manyProblemsStopAtTheLimit() throws {
        let yaml = (0..<3000).map { "unknown_key_\($0): 1" }.joined(separator: "\n")
        let issues = try #require(loadError(yaml)?.issues)
        #expect(issues.count == RecipeLimits.maxIssues + 1)
        #expect(issues.last?.description == "bad.yaml: more than 100 problems; the rest of the recipe was not checked")
    }

    @Test func sizesReadNaturally() {
        #expect(MessageText.size(1 << 20) == "1 MiB")
        #expect(MessageText.size(1_500_000) == "1.43 MiB")
        #expect(MessageText.size(1_100_000) == "1.05 MiB")
        #expect(MessageText.size((1 << 20) + 1) == "1.00 MiB")
        #expect(MessageText.size(3 << 30) == "3 GiB")
        #expect(MessageText.size(900) == "900 bytes")
    }
}
