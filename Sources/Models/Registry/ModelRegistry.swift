import TextMatching

/// Every network `runner` can build, by name: timm's names, MindCV's and torchvision's as aliases.
public struct ModelRegistry: Sendable {
    /// One registered network.
    public struct Entry: Sendable {
        public let name: String
        public let family: String
        /// Other names for the same network (MindCV's, the official repository's).
        public let aliases: [String]
        public let defaultImageSize: Int
        public let summary: String
        let build: @Sendable (ModelOptions) throws -> any ClassificationModel
    }

    public private(set) var entries: [Entry] = []

    public static let standard: ModelRegistry = {
        var registry = ModelRegistry()
        registry.registerSwinV2()
        registry.registerTwins()
        registry.registerResNets()
        return registry
    }()

    mutating func register(_ name: String, family: String, aliases: [String] = [], imageSize: Int, summary: String,
                           build: @escaping @Sendable (ModelOptions) throws -> any ClassificationModel) {
        entries.append(Entry(name: name, family: family, aliases: aliases, defaultImageSize: imageSize, summary: summary,
                             build: build))
    }

    /// All names and aliases.
    public var allNames: [String] { entries.flatMap { [$0.name] + $0.aliases } }

    /// The entry for a name or alias; an unknown name is an error listing the nearest names.
    public func entry(named name: String) throws -> Entry {
        if let entry = entries.first(where: { $0.name == name || $0.aliases.contains(name) }) { return entry }
        let nearest = Suggestions.ranked(name, in: allNames, count: 5, closeness: .plausible)
        throw ModelError("unknown model '\(name)'"
                         + (nearest.isEmpty ? "" : "; nearest registered names: \(nearest.joined(separator: ", "))")
                         + ". `runner models` lists them all.")
    }

    /// Builds a network by name with the given options.
    public func build(_ name: String, options: ModelOptions = ModelOptions()) throws -> any ClassificationModel {
        try entry(named: name).build(options)
    }

    /// Entries whose name or an alias matches a shell-style pattern (``GlobPattern``), in
    /// registration order.
    public func entries(matching pattern: String?) -> [Entry] {
        guard let pattern, !pattern.isEmpty else { return entries }
        let glob = GlobPattern(pattern)
        return entries.filter { entry in ([entry.name] + entry.aliases).contains { glob.matches($0) } }
    }
}
