import Testing
@testable import TextMatching

@Suite struct SuggestionsTests {
    @Test func editDistanceCountsATranspositionOnce() {
        #expect(Suggestions.editDistance("", "abc") == 3)
        #expect(Suggestions.editDistance("batch_size", "batch_size") == 0)
        #expect(Suggestions.editDistance("bacth_size", "batch_size") == 1)
        #expect(Suggestions.editDistance("admaw", "adamw") == 1)
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
    }

    @Test func caseHyphensAndLeadingDashesAreIgnored() {
        #expect(Suggestions.normalize("--Batch-Size") == "batch_size")
        #expect(Suggestions.nearest(to: "--Batch-Size", in: ["lr", "batch_size"]) == "batch_size")
    }

    /// One suggestion: an exact match, then an alias, then the nearest likely candidate.
    @Test func nearestSingleSuggestion() {
        let keys = ["epoch_size", "lr", "batch_size", "opt"]
        #expect(Suggestions.nearest(to: "bacth_size", in: keys) == "batch_size")
        #expect(Suggestions.nearest(to: "epochs", in: keys, aliases: ["epochs": "epoch_size"]) == "epoch_size")
        #expect(Suggestions.nearest(to: "epochs", in: keys) == nil)  // four edits from epoch_size
        #expect(Suggestions.nearest(to: "momentum", in: keys) == nil)
        #expect(Suggestions.nearest(to: "cosine", in: ["constant", "cosine_decay", "warmup_cosine_decay"]) == "cosine_decay")
        #expect(Suggestions.nearest(to: "imagenet1k", in: ["mnist", "imagenet", "cifar10"]) == "imagenet")
    }

    /// Lists: nearest first, prefixes counted as near, ties in the candidates' order.
    @Test func rankedLists() {
        let names = ["resnet18", "swin_v2_t", "swinv2_tiny_window16_256", "swinv2_tiny_window8_256", "twins_svt_small"]
        #expect(Suggestions.ranked("swinv2_tiny_windw8", in: names, count: 2) == ["swinv2_tiny_window8_256", "swinv2_tiny_window16_256"])
        #expect(Suggestions.ranked("swinv2", in: names, count: 2, closeness: .plausible)
                == ["swinv2_tiny_window8_256", "swinv2_tiny_window16_256"])
        #expect(Suggestions.ranked("windw_size", in: ["embed_dim", "window_size", "depths"], count: 3, closeness: .plausible)
                == ["window_size"])
        #expect(Suggestions.ranked("xyz", in: ["a", "bb", "ccc"], count: 3) == ["a", "bb", "ccc"])
        #expect(Suggestions.ranked("qqqqqqqq", in: names, count: 5, closeness: .plausible).isEmpty)
    }
}
