import Foundation
import TextMatching
/// What an experiment may change about a registered network: the common settings and named
/// architecture overrides (timm's `model_kwargs`, e.g. `embed_dim`, `depths`, `window_size`).
public struct ModelOptions: Sendable {
    public var classes: Int?
    public var inChannels: Int?
    public var imageSize: Int?
    public var dropRate: Float?
    public var dropPathRate: Float?
    public var seed: UInt64 = 0
    /// Architecture overrides by timm's argument names.
    public var overrides: [String: ModelArgument] = [:]

    public init(classes: Int? = nil, inChannels: Int? = nil, imageSize: Int? = nil, dropRate: Float? = nil,
                dropPathRate: Float? = nil, seed: UInt64 = 0, overrides: [String: ModelArgument] = [:]) {
        self.classes = classes
        self.inChannels = inChannels
        self.imageSize = imageSize
        self.dropRate = dropRate
        self.dropPathRate = dropPathRate
        self.seed = seed
        self.overrides = overrides
    }
}

/// An architecture override's value: a number, a list of numbers, or a word.
public enum ModelArgument: Sendable, Equatable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case integers([Int])
    case text(String)
    case flag(Bool)

    public var description: String {
        switch self {
        case .integer(let v): "\(v)"
        case .number(let v): "\(v)"
        case .integers(let v): "\(v)"
        case .text(let v): v
        case .flag(let v): "\(v)"
        }
    }
}

/// A model name or override the registry cannot build, with what it can.
public struct ModelError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads typed overrides, failing with the argument's name when a value has the wrong form.
struct OverrideReader {
    let model: String
    var remaining: [String: ModelArgument]

    init(model: String, _ overrides: [String: ModelArgument]) {
        self.model = model
        remaining = overrides
    }

    mutating func int(_ key: String) throws -> Int? {
        guard let value = remaining.removeValue(forKey: key) else { return nil }
        switch value {
        case .integer(let v): return v
        case .number(let v) where v == v.rounded(): return Int(v)
        default: throw ModelError("\(model): model_kwargs.\(key) must be an integer, got \(value)")
        }
    }

    mutating func float(_ key: String) throws -> Float? {
        guard let value = remaining.removeValue(forKey: key) else { return nil }
        switch value {
        case .integer(let v): return Float(v)
        case .number(let v): return Float(v)
        default: throw ModelError("\(model): model_kwargs.\(key) must be a number, got \(value)")
        }
    }

    /// A list, or one integer repeated `count` times.
    mutating func ints(_ key: String, count: Int? = nil) throws -> [Int]? {
        guard let value = remaining.removeValue(forKey: key) else { return nil }
        switch value {
        case .integers(let v): return v
        case .integer(let v) where count != nil: return Array(repeating: v, count: count!)
        default: throw ModelError("\(model): model_kwargs.\(key) must be a list of integers, got \(value)")
        }
    }

    /// Fails when overrides remain that the builder does not know.
    func finish(known: [String]) throws {
        guard let unknown = remaining.keys.sorted().first else { return }
        let nearest = Suggestions.ranked(unknown, in: known, count: 3, closeness: .plausible)
        throw ModelError("\(model): unknown model_kwargs key '\(unknown)'"
                         + (nearest.isEmpty ? "" : "; did you mean \(nearest.joined(separator: ", "))?")
                         + " Valid keys: \(known.sorted().joined(separator: ", "))")
    }
}

extension ModelArgument {
    /// Parses a command-line value: `4` → integer, `0.5` → number, `2,4` or `[2, 4]` → integers,
    /// `true`/`false` → flag, anything else → text.
    public static func parse(_ text: String) -> ModelArgument {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let value = Int(trimmed) { return .integer(value) }
        if let value = Double(trimmed) { return .number(value) }
        if trimmed == "true" || trimmed == "false" { return .flag(trimmed == "true") }
        let inner = trimmed.hasPrefix("[") && trimmed.hasSuffix("]") ? String(trimmed.dropFirst().dropLast()) : trimmed
        let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count >= 1, inner.contains(",") || trimmed.hasPrefix("["), case let values = parts.compactMap({ Int($0) }),
           values.count == parts.count {
            return .integers(values)
        }
        return .text(trimmed)
    }
}

/// The settings every family shares, so the experiment's options and the matching overrides are
/// applied in one place.
protocol CommonModelSettings {
    var imageSize: Int { get set }
    var classes: Int { get set }
    var inChannels: Int { get set }
    var dropRate: Float { get set }
    /// nil for families without stochastic depth.
    var stochasticDepthRate: Float? { get set }
}

extension OverrideReader {
    /// Applies `options`, then the overrides `img_size`, `in_chans`, `num_classes`, `drop_rate` and
    /// (where the family has it) `drop_path_rate`.
    mutating func applyCommon<C: CommonModelSettings>(_ options: ModelOptions, to c: inout C) throws {
        if let v = options.imageSize { c.imageSize = v }
        if let v = options.classes { c.classes = v }
        if let v = options.inChannels { c.inChannels = v }
        if let v = options.dropRate { c.dropRate = v }
        if let v = options.dropPathRate, c.stochasticDepthRate != nil { c.stochasticDepthRate = v }
        if let v = try int("img_size") { c.imageSize = v }
        if let v = try int("in_chans") { c.inChannels = v }
        if let v = try int("num_classes") { c.classes = v }
        if let v = try float("drop_rate") { c.dropRate = v }
        if c.stochasticDepthRate != nil, let v = try float("drop_path_rate") { c.stochasticDepthRate = v }
    }
}

extension SwinV2Configuration: CommonModelSettings {
    var stochasticDepthRate: Float? {
        get { dropPathRate }
        set { if let newValue { dropPathRate = newValue } }
    }
}

extension TwinsConfiguration: CommonModelSettings {
    var stochasticDepthRate: Float? {
        get { dropPathRate }
        set { if let newValue { dropPathRate = newValue } }
    }
}

extension ResNet.Configuration: CommonModelSettings {
    var stochasticDepthRate: Float? {
        get { nil }
        set {}
    }
}
