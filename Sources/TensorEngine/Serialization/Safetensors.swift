import Foundation

/// The safetensors file format (an 8-byte little-endian header length, a JSON header mapping names to
/// dtype, shape and byte offsets, then raw little-endian data): the format PyTorch, timm and
/// Hugging Face read and write, used for weights and checkpoints.
public enum Safetensors {
    /// Element types the reader understands. Floating types are widened or narrowed to Float32;
    /// integer types are read as integers (index buffers, counters).
    public enum DType: String, Sendable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        public var byteSize: Int {
            switch self {
            case .f64, .i64: 8
            case .f32, .i32: 4
            case .f16, .bf16, .i16: 2
            case .i8, .u8, .bool: 1
            }
        }

        public var isFloatingPoint: Bool { [.f32, .f16, .bf16, .f64].contains(self) }
    }

    /// One named entry of a file: its type, shape and raw bytes.
    public struct Entry: Sendable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        let bytes: Data

        public var elementCount: Int { Shape.elementCount(shape) }

        /// The values as a Float32 tensor (floating types converted; integers converted exactly up to 2²⁴).
        public func tensor() -> Tensor {
            let tensor = Tensor(uninitializedShape: shape)
            let out = tensor.data
            bytes.withUnsafeBytes { raw in
                let n = elementCount
                switch dtype {
                case .f32:
                    for i in 0..<n { out[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian) }
                case .f64:
                    for i in 0..<n { out[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)) }
                case .f16:
                    for i in 0..<n { out[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)) }
                case .bf16:
                    for i in 0..<n {
                        let bits = UInt32(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16
                        out[i] = Float(bitPattern: bits)
                    }
                default:
                    let integers = integerValues(raw)
                    for i in 0..<n { out[i] = Float(integers[i]) }
                }
            }
            return tensor
        }

        /// The values as integers (for index buffers and counters); floating values are truncated.
        public func integers() -> [Int] {
            if dtype.isFloatingPoint { return tensor().scalars.map { Int($0) } }
            return bytes.withUnsafeBytes { integerValues($0) }
        }

        private func integerValues(_ raw: UnsafeRawBufferPointer) -> [Int] {
            (0..<elementCount).map { i in
                switch dtype {
                case .i64: Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                case .i32: Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                case .i16: Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                case .i8: Int(raw.load(fromByteOffset: i, as: Int8.self))
                case .u8, .bool: Int(raw.load(fromByteOffset: i, as: UInt8.self))
                default: 0
                }
            }
        }
    }

    /// A parsed file: entries in file order plus the free-form `__metadata__` strings.
    public struct File: Sendable {
        public let entries: [Entry]
        public let metadata: [String: String]

        public subscript(name: String) -> Entry? { entries.first { $0.name == name } }
        public var names: [String] { entries.map(\.name) }
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): not a valid safetensors file: \(problem)" }
    }

    /// Reads a whole file. Errors name the file and what is wrong with it (missing, truncated,
    /// a header that is not JSON, offsets out of range, an unknown dtype).
    public static func read(_ url: URL) throws -> File {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw FormatError(path: path, problem: "no such file")
        }
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        func fail(_ problem: String) -> FormatError { FormatError(path: path, problem: problem) }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard headerLength > 0, headerLength <= data.count - 8 else {
            throw fail("header length \(headerLength) does not fit in a file of \(data.count) bytes (truncated?)")
        }
        let headerData = data.subdata(in: 8..<(8 + headerLength))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let payloadStart = 8 + headerLength
        let payloadSize = data.count - payloadStart
        var metadata: [String: String] = [:]
        var entries: [(Int, Entry)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("entry \(name) lacks dtype, shape or data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("entry \(name) has unsupported dtype \(dtypeName)")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= payloadSize else {
                throw fail("entry \(name) has data offsets \(begin)..<\(end) outside the \(payloadSize)-byte payload (truncated?)")
            }
            guard end - begin == Shape.elementCount(shape) * dtype.byteSize else {
                throw fail("entry \(name) holds \(end - begin) bytes, but \(dtypeName) \(Shape.describe(shape)) needs \(Shape.elementCount(shape) * dtype.byteSize)")
            }
            let bytes = data.subdata(in: (payloadStart + begin)..<(payloadStart + end))
            entries.append((begin, Entry(name: name, dtype: dtype, shape: shape, bytes: bytes)))
        }
        return File(entries: entries.sorted { $0.0 < $1.0 }.map(\.1), metadata: metadata)
    }

    /// Writes Float32 tensors (plus optional metadata) atomically: the data goes to a temporary
    /// file in the same folder, is flushed to disk, and is renamed over `url`, so a crash leaves
    /// either the old file or the new one, never a torn one.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to url: URL) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, tensor) in tensors {
            let size = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the payload starts 8-byte aligned, as the reference writer does.
        while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }

        var file = Data(capacity: 8 + headerData.count + offset)
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(headerData)
        for (_, tensor) in tensors {
            #if _endian(little)
            file.append(UnsafeBufferPointer(start: tensor.data, count: tensor.count))
            #else
            for value in tensor.buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { file.append(contentsOf: $0) } }
            #endif
        }
        try AtomicFile.write(file, to: url)
    }
}

/// Whole-file writes that are never seen half done.
public enum AtomicFile {
    /// Writes `data` to a temporary sibling of `url`, syncs it, renames it over `url` and syncs
    /// the folder.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let result = Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 { if errno == EINTR { continue }; failure = errno; return }
                written += result
            }
        }
        if failure == 0 && fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure != 0 {
            unlink(temporary.path)
            throw POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        let folderDescriptor = open(folder.path, O_RDONLY)
        if folderDescriptor >= 0 { fsync(folderDescriptor); close(folderDescriptor) }
    }
}
