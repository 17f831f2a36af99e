import Testing
import Recipes

@Suite struct KeySupportTests {
    /// The mixing keys run with any value; `cutmix_prob` set while mixup and cutmix are both 0
    /// changes nothing, and the run says so.
    @Test func mixingKeysRunAndCutmixProbAloneIsNoted() throws {
        let mixing = try Experiment.load(yaml: "mixup: 0.8\ncutmix: 1.0\ncutmix_prob: 0.5\naug_repeats: 3\n", path: "mix.yaml")
        #expect(mixing.unsupportedSettings() == nil)
        #expect(!mixing.settingNotes.contains { $0.hasPrefix("cutmix_prob") })
        let alone = try Experiment.load(yaml: "cutmix_prob: 0.5\n", path: "alone.yaml")
        #expect(alone.settingNotes.contains("cutmix_prob has no effect: mixup and cutmix are 0"))
    }
}
