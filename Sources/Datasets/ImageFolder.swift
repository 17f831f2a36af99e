#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The images of one split laid out as torchvision's `ImageFolder` reads them:
/// `directory/<class>/…/<image>`.
///
/// Classes are the sub-folders of `directory` (symbolic links followed, hidden ones included, as
/// torchvision does), sorted by name in code-point order; labels number them in that order.
/// Each class folder is walked recursively like `sorted(os.walk(…, followlinks=True))`: folders
/// in path order, files sorted by name within each, kept when their name ends in one of
/// ``extensions`` ignoring case. A missing folder, one without class folders, or a class folder
/// without images is an error naming the path.
///
/// Paths are held as one block of bytes with offsets (tens of bytes per image rather than a
/// `String` each), shared by every loader thread.
public struct ImageFolder: Sendable {
    /// torchvision's `IMG_EXTENSIONS`.
    public static let extensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"]

    public let directory: String
    public let classNames: [String]
    /// The class of each image.
    public let labels: [Int32]
    private let pathBytes: [UInt8]
    /// Where each image's path (relative to `directory`) starts in `pathBytes`; one more entry than images.
    private let pathOffsets: [Int]

    public struct DiscoveryError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): \(problem)" }
    }

    public var count: Int { labels.count }

    /// The path of image `index`.
    public func path(_ index: Int) -> String {
        directory + "/" + String(decoding: pathBytes[pathOffsets[index]..<pathOffsets[index + 1]], as: UTF8.self)
    }

    /// Lists `directory`.
    public init(directory: String) throws {
        var trimmed = directory
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.directory = trimmed
        guard Self.isDirectory(trimmed) else {
            throw DiscoveryError(path: trimmed, problem: "no such folder; an image-folder split is data_dir/<split>/<class>/<image> (set data_dir, train_split and val_split)")
        }
        let classes = try Self.entries(of: trimmed).filter { $0.isDirectory }.map { $0.name }.sorted(by: Self.codePointOrder)
        guard !classes.isEmpty else {
            throw DiscoveryError(path: trimmed, problem: "holds no class folders; an image-folder split is <split>/<class>/<image>")
        }
        var bytes: [UInt8] = [], offsets = [0], labels: [Int32] = [], empty: [String] = []
        for (label, name) in classes.enumerated() {
            let before = labels.count
            for relative in try Self.imageFiles(in: trimmed, classFolder: name) {
                bytes.append(contentsOf: relative.utf8)
                offsets.append(bytes.count)
                labels.append(Int32(label))
            }
            if labels.count == before { empty.append(trimmed + "/" + name) }
        }
        guard empty.isEmpty else {
            let shown = empty.prefix(3).joined(separator: ", ") + (empty.count > 3 ? " and \(empty.count - 3) more" : "")
            throw DiscoveryError(path: shown, problem: "\(empty.count == 1 ? "holds" : "hold") no images (\(Self.extensions.joined(separator: ", ")), any case)")
        }
        classNames = classes
        self.labels = labels
        pathBytes = bytes
        pathOffsets = offsets
    }

    /// Python's string order: by Unicode code points.
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    /// Whether `name` ends in one of ``extensions``, ignoring case.
    public static func hasImageExtension(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return extensions.contains { lowered.hasSuffix($0) }
    }

    /// The image files of one class folder, relative to `root`, in `sorted(os.walk(…))` order.
    private static func imageFiles(in root: String, classFolder: String) throws -> [String] {
        // Every folder under the class folder (links followed, each real folder once), then
        // sorted by path: os.walk's roots, sorted.
        var folders: [String] = [], pending = [classFolder]
        var visited = Set<[UInt64]>()
        while let folder = pending.popLast() {
            var status = stat()
            guard stat(root + "/" + folder, &status) == 0, visited.insert([UInt64(status.st_dev), UInt64(status.st_ino)]).inserted else { continue }
            folders.append(folder)
            for entry in try entries(of: root + "/" + folder) where entry.isDirectory { pending.append(folder + "/" + entry.name) }
        }
        folders.sort(by: codePointOrder)
        var files: [String] = []
        for folder in folders {
            let names = try entries(of: root + "/" + folder).filter { !$0.isDirectory && hasImageExtension($0.name) }.map { $0.name }
            files += names.sorted(by: codePointOrder).map { folder + "/" + $0 }
        }
        return files
    }

    /// Whether `path` is a folder (following links).
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// The entries of a folder (not `.` and `..`), each with whether it is a folder (links followed).
    private static func entries(of path: String) throws -> [(name: String, isDirectory: Bool)] {
        guard let stream = opendir(path) else {
            throw DiscoveryError(path: path, problem: "cannot be listed: \(String(cString: strerror(errno)))")
        }
        defer { closedir(stream) }
        var result: [(String, Bool)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let type = Int32(entry.pointee.d_type)
            let isDirectory: Bool = switch type {
            case Int32(DT_DIR): true
            case Int32(DT_REG): false
            default: Self.isDirectory(path + "/" + name)
            }
            result.append((name, isDirectory))
        }
        return result
    }
}
