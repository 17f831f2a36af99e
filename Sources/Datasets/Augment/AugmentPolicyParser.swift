/// A recipe's `auto_augment` string that does not name a policy: `part` is the section at fault
/// (the whole string when it is empty).
public struct AugmentPolicyError: Error, CustomStringConvertible, Equatable {
    public let recipe: String
    public let part: String
    public let problem: String

    public var description: String { "auto_augment '\(recipe)': '\(part)' \(problem)" }
}

/// Reads the spellings listed on ``AugmentPolicy``: the first dash-separated section names the
/// policy, each other section is a key (letters) followed by its value.
struct AugmentPolicyParser {
    let recipe: String
    let sections: [String]

    init(_ recipe: String) {
        self.recipe = recipe
        sections = recipe.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    }

    static let families = ["rand", "randaug", "original", "originalr", "v0", "v0r", "3a", "autoaug", "autoaugr",
                           "augmix", "trivialaugwide"]

    func fail(_ part: String, _ problem: String) -> AugmentPolicyError {
        AugmentPolicyError(recipe: recipe, part: part, problem: problem)
    }

    func parse() throws(AugmentPolicyError) -> AugmentPolicy {
        let family = sections[0]
        switch family {
        case "rand", "randaug": return .randAugment(try randAugment(mindCV: family == "randaug"))
        case "augmix": return .augMix(try augMix())
        case "trivialaugwide":
            let options = try read(["m"], family: "TrivialAugmentWide (trivialaugwide)")
            let bins = try options["m"].map { v throws(AugmentPolicyError) in try whole(v, "m", atLeast: 2) } ?? 31
            return .trivialAugmentWide(TrivialAugmentWide(bins: bins))
        default:
            let names: [String: (AutoAugment.Name, Double)] = [
                "original": (.original, 0), "originalr": (.originalr, 0), "v0": (.v0, 0), "v0r": (.v0r, 0),
                "3a": (.threeAugment, 0), "autoaug": (.original, 0.5), "autoaugr": (.originalr, 0.5),
            ]
            guard let entry = names[family] else {
                if recipe.isEmpty { throw fail(recipe, "is empty: name a policy (\(Self.families.joined(separator: ", ")))") }
                throw fail(family, "is not a policy: expected one of \(Self.families.joined(separator: ", "))")
            }
            let options = try read(["mstd"], family: "AutoAugment (\(family))")
            let std = try options["mstd"].map { v throws(AugmentPolicyError) in try noiseStd(v) } ?? entry.1
            return .autoAugment(AutoAugment(entry.0, noise: MagnitudeNoise(std: std)))
        }
    }

    /// A section's key and value: the letters before its first digit, and the rest.
    struct Option {
        let section: String
        let key: String
        let value: String
    }

    /// The sections after the first, keyed; each must be one of `keys`, appear once and have a value.
    func read(_ keys: [String], family: String) throws(AugmentPolicyError) -> [String: Option] {
        var options: [String: Option] = [:]
        for section in sections.dropFirst() {
            guard !section.isEmpty else { throw fail(recipe, "has an empty section (two dashes in a row, or one at an end)") }
            // timm reads a `t` section (`tweights`, `t3a`) as a name, every other as letters then a number.
            let split = keys.contains("t") && section.hasPrefix("t")
                ? section.index(after: section.startIndex) : section.firstIndex(where: \.isNumber) ?? section.endIndex
            let key = String(section[..<split]), value = String(section[split...])
            guard keys.contains(key) else {
                let known = keys.joined(separator: ", ")
                throw fail(section, key.isEmpty ? "has no key: \(family) sections are \(known)"
                                                : "is not a section of \(family): expected \(known)")
            }
            guard !value.isEmpty else { throw fail(section, "has no value after '\(key)'") }
            guard options[key] == nil else { throw fail(section, "sets '\(key)' a second time") }
            options[key] = Option(section: section, key: key, value: value)
        }
        return options
    }

    func whole(_ option: Option, _ key: String, atLeast minimum: Int) throws(AugmentPolicyError) -> Int {
        guard let value = Int(option.value), value >= minimum else {
            throw fail(option.section, "needs a whole number of at least \(minimum) after '\(key)'")
        }
        return value
    }

    func number(_ option: Option, in range: ClosedRange<Double>) throws(AugmentPolicyError) -> Double {
        guard let value = Double(option.value), value.isFinite, range.contains(value) else {
            throw fail(option.section, "needs a number in [\(range.lowerBound), \(range.upperBound)] after '\(option.key)'")
        }
        return value
    }

    /// timm's `mstd`: a standard deviation, or uniform sampling (infinity) above 100.
    func noiseStd(_ option: Option) throws(AugmentPolicyError) -> Double {
        guard let value = Double(option.value), value.isFinite, value >= 0 else {
            throw fail(option.section, "needs a non-negative number after 'mstd' (above 100 means uniform)")
        }
        return value > 100 ? .infinity : value
    }

    func randAugment(mindCV: Bool) throws(AugmentPolicyError) -> RandAugment {
        let family = mindCV ? "MindCV's RandAugment (randaug)" : "timm's RandAugment (rand)"
        let options = try read(mindCV ? ["m", "n", "mstd", "mmax", "inc", "w"] : ["m", "n", "p", "mstd", "mmax", "inc", "t"],
                               family: family)
        let magnitude = try options["m"].map { v throws(AugmentPolicyError) in try whole(v, "m", atLeast: 0) } ?? 10
        let layers = try options["n"].map { v throws(AugmentPolicyError) in try whole(v, "n", atLeast: 0) } ?? 2
        let probability = try options["p"].map { v throws(AugmentPolicyError) in try number(v, in: 0...1) } ?? 0.5
        let std = try options["mstd"].map { v throws(AugmentPolicyError) in try noiseStd(v) } ?? (mindCV ? 0.5 : 0)
        let clip = try options["mmax"].map { v throws(AugmentPolicyError) in try whole(v, "mmax", atLeast: 0) } ?? 0
        let increasing = try options["inc"].map { v throws(AugmentPolicyError) in try whole(v, "inc", atLeast: 0) != 0 } ?? false
        var kinds: [AugmentOpKind]
        var weights: [Double]?
        if mindCV {
            kinds = increasing ? RandAugment.mindCVIncreasingKinds : RandAugment.mindCVKinds
            if let w = options["w"] {
                guard w.value == "0" else { throw fail(w.section, "names no weight set: MindCV has only w0") }
                weights = RandAugment.mindCVWeights
            }
        } else {
            kinds = increasing ? RandAugment.increasingKinds : RandAugment.standardKinds
            if let t = options["t"] {
                switch t.value {
                case "weights": (kinds, weights) = (RandAugment.weightedOps.map { $0.0 }, RandAugment.weightedOps.map { $0.1 })
                case "3aw":
                    (kinds, weights) = (RandAugment.weightedThreeAugment.map { $0.0 }, RandAugment.weightedThreeAugment.map { $0.1 })
                case "3a": kinds = RandAugment.threeAugmentKinds
                default: throw fail(t.section, "names no op set: expected tweights, t3a or t3aw")
                }
            }
        }
        if let weights {
            let total = weights.reduce(0, +)
            let usable = weights.filter { $0 > 0 }.count
            guard layers <= usable else {
                throw fail(options["n"]?.section ?? "n", "asks for \(layers) distinct ops but only \(usable) have weight")
            }
            return RandAugment(ops: kinds.map { PolicyOp($0, probability: probability, magnitude: Double(magnitude)) },
                               layers: layers, weights: weights.map { $0 / total },
                               noise: MagnitudeNoise(std: std, max: clip == 0 ? 10 : Double(clip)))
        }
        return RandAugment(ops: kinds.map { PolicyOp($0, probability: probability, magnitude: Double(magnitude)) },
                           layers: layers, noise: MagnitudeNoise(std: std, max: clip == 0 ? 10 : Double(clip)))
    }

    func augMix() throws(AugmentPolicyError) -> AugMix {
        let options = try read(["m", "w", "d", "a", "b", "mstd"], family: "AugMix (augmix)")
        let magnitude = try options["m"].map { v throws(AugmentPolicyError) in try whole(v, "m", atLeast: 0) } ?? 3
        let width = try options["w"].map { v throws(AugmentPolicyError) in try whole(v, "w", atLeast: 1) } ?? 3
        let depth = try options["d"].map { v throws(AugmentPolicyError) in try whole(v, "d", atLeast: 0) } ?? -1
        let alpha = try options["a"].map { v throws(AugmentPolicyError) in try number(v, in: 0.001...1000) } ?? 1
        let blended = try options["b"].map { v throws(AugmentPolicyError) in try whole(v, "b", atLeast: 0) != 0 } ?? false
        let std = try options["mstd"].map { v throws(AugmentPolicyError) in try noiseStd(v) } ?? .infinity
        return AugMix(ops: AugMix.defaultOps(magnitude: Double(magnitude)), alpha: alpha, width: width,
                      depth: depth == 0 ? -1 : depth, blended: blended, noise: MagnitudeNoise(std: std))
    }
}
