import Foundation

/// A run's own folder, `<ckpt_save_dir>/<date>-<time>-<name>` as timm names its output folders,
/// created exclusively: two stores, a recreated store or two runs started in the same second
/// never share a folder (the later one gets `-2`, `-3`, …).
public enum RunFolder {
    /// Creates and returns a new folder for a run called `name` under `parent`.
    public static func create(in parent: URL, name: String, date: Date = Date()) throws -> URL {
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stem = "\(formatter.string(from: date))-\(safeName(name))"
        for attempt in 1...10_000 {
            let folder = parent.appendingPathComponent(attempt == 1 ? stem : "\(stem)-\(attempt)")
            // mkdir(2) fails when the folder exists, so of two processes racing for a name only one wins it.
            if mkdir(folder.path, 0o755) == 0 { return folder.standardizedFileURL }
            guard errno == EEXIST else {
                throw TrainingError.checkpoint("cannot create the run folder \(folder.path): \(String(cString: strerror(errno)))")
            }
        }
        throw TrainingError.checkpoint("no free run folder name for \(stem) in \(parent.path)")
    }

    /// `name` with every character outside letters, digits, `-`, `_` and `.` replaced by `_`.
    public static func safeName(_ name: String) -> String {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return safe.isEmpty ? "run" : safe
    }
}
