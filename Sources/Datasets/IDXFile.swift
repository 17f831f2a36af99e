import Foundation
import CZlib

/// An IDX file (the MNIST family's format): a magic number giving the element type and rank, the
/// dimension sizes as big-endian 32-bit integers, then the unsigned bytes. Read whole, gzip or plain.
public struct IDXFile: Sendable {
    public let shape: [Int]
    public let bytes: [UInt8]

    public struct FormatError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// Reads `path`, decompressing when it is gzip (zlib reads plain files through the same call).
    public static func read(_ path: String) throws -> IDXFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw FormatError(path: path, problem: "no such file")
        }
        guard let file = gzopen(path, "rb") else { throw FormatError(path: path, problem: "cannot be opened") }
        defer { gzclose(file) }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 { throw FormatError(path: path, problem: "is damaged (gzip stream error)") }
            if read == 0 { break }
            data.append(contentsOf: chunk[0..<Int(read)])
        }
        guard data.count >= 4, data[0] == 0, data[1] == 0 else {
            throw FormatError(path: path, problem: "is not an IDX file (bad magic number)")
        }
        guard data[2] == 0x08 else {
            throw FormatError(path: path, problem: "holds element type 0x\(String(data[2], radix: 16)); only unsigned bytes (0x08) are supported")
        }
        let rank = Int(data[3])
        guard data.count >= 4 + 4 * rank else { throw FormatError(path: path, problem: "is truncated in its header") }
        let shape = (0..<rank).map { i in
            (0..<4).reduce(0) { $0 << 8 | Int(data[4 + 4 * i + $1]) }
        }
        let count = shape.reduce(1, *)
        let start = 4 + 4 * rank
        guard data.count - start == count else {
            throw FormatError(path: path, problem: "is truncated: the header promises \(count) bytes of data, the file holds \(data.count - start)")
        }
        return IDXFile(shape: shape, bytes: Array(data[start...]))
    }
}
