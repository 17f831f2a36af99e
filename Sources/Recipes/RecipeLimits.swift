/// How large a recipe may be, in every sense a hostile or corrupted file could exaggerate.
///
/// A recipe is a page of keys: the shipped ones (configs/ and MindCV's SwinV2 recipe) are under
/// 1.5 KiB, nest at most three levels and hold about a hundred nodes. The limits sit far above
/// that and far below what would make the loader slow or crash, so a file that reaches one is
/// refused at once with an error naming the file and the limit, instead of hanging (an alias
/// "billion laughs" bomb) or overflowing the stack (thousands of nested brackets; Yams composes
/// and this module converts nodes recursively). Every limit is checked before the work it
/// protects.
public enum RecipeLimits {
    /// The largest recipe file, or recipe text, in bytes: 1 MiB.
    ///
    /// Checked before the file is read whole, so `-c /dev/zero` or a multi-gigabyte file is
    /// refused without reading it; the same bound applies to text passed to
    /// ``Experiment/load(yaml:path:overrides:)``.
    public static let maxBytes = 1 << 20

    /// The deepest nesting of lists and mappings, counting the top-level mapping as level 1.
    ///
    /// Checked on libyaml's event stream (which uses no recursion) before Yams composes the
    /// document, and again on what aliases stand for, so `[[[[…]]]]`, `{a: {a: …}}`, deep block
    /// mappings and chains of aliases to nested anchors all stop at this depth.
    public static let maxDepth = 64

    /// The most nodes (scalars, lists and mappings, each alias counted as everything it stands
    /// for) one document may hold.
    ///
    /// This is what stops an alias bomb: nine levels of ten aliases each stand for a billion
    /// nodes, and counting stops at the limit without expanding them. It also bounds the work
    /// of composing a large file (Yams builds an object per node).
    public static let maxNodes = 10_000

    /// The most issues one ``RecipeError`` lists; the rest of the file is not examined, and a
    /// final issue says so. Keeps a file of many thousand bad keys from taking seconds to
    /// report (every unknown key is compared with every known key for a suggestion).
    public static let maxIssues = 100

    // The longest word a "did you mean …?" suggestion is looked for is TextMatching's
    // `Suggestions.maximumWordLength`, shared with the model registry.

    /// The most characters of a key, value or file name that a message repeats; longer text is
    /// cut with "…". Keeps every issue a readable single line whatever the file holds.
    public static let maxQuotedLength = 200
}
