import Testing
import TextMatching

@Suite struct GlobPatternTests {
    @Test func wildcardsAndClasses() {
        #expect(GlobPattern("swinv2_*").matches("swinv2_tiny_window8"))
        #expect(!GlobPattern("swinv2_*").matches("twins_svt_small"))
        #expect(GlobPattern("resnet18").matches("resnet18"))
        #expect(!GlobPattern("resnet18").matches("resnet18d"))
        #expect(!GlobPattern("resnet18").hasWildcards && GlobPattern("res*").hasWildcards)
        #expect(GlobPattern("*_window?").matches("swinv2_tiny_window8"))
        #expect(GlobPattern("cifar[0-9]*").matches("cifar100"))
        #expect(!GlobPattern("cifar[!1]0").matches("cifar10"))
        #expect(GlobPattern("[fr]*").matches("failed") && GlobPattern("[fr]*").matches("running"))
        #expect(GlobPattern("*").matches(""))
        #expect(GlobPattern("a*b*c").matches("aXXbYYc") && !GlobPattern("a*b*c").matches("aXXbYY"))
        #expect(GlobPattern("[").matches("["))
    }

    /// The model filters of `runner models`: a family by prefix, a middle part, one character.
    @Test func modelNameFilters() {
        #expect(GlobPattern("swin_v2_*").matches("swin_v2_t") && !GlobPattern("swin_v2_*").matches("swinv2_tiny_window8_256"))
        #expect(GlobPattern("*window16*").matches("swinv2_tiny_window16_256"))
        #expect(GlobPattern("resnet?").matches("resnet50") == false && GlobPattern("resnet??").matches("resnet50"))
        #expect(!GlobPattern("swinv2*").matches("Swinv2_tiny"))
    }
}
