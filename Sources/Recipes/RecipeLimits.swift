/// How large a recipe's problems may make a message, in every sense a hostile or corrupted file
/// could exaggerate: each issue stays one readable line, and a file of thousands of bad keys
/// is reported quickly.
public enum RecipeLimits {
    /// The most issues one ``RecipeError`` lists; the rest of the file is not examined, and a
    /// final issue says so. Keeps a file of many thousand bad keys from taking seconds to
    /// report (every unknown key is compared with every known key for a suggestion).
    public static let maxIssues = 100

    /// The longest word (in UTF-8 bytes) that a "did you mean …?" suggestion is looked for: no
    /// typo of a key or name is longer, and comparing a huge key with every known key would be
    /// slow.
    public static let maxSuggestedWordLength = 100

    /// The most characters of a key, value or file name that a message repeats; longer text is
    /// cut with "…". Keeps every issue a readable single line whatever the file holds.
    public static let maxQuotedLength = 200
}
