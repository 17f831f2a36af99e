#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorEngine

/// One loader thread's way from a file to a transformed sample, with buffers it keeps between
/// samples (the file's bytes, the decoded pixels), so decoding allocates nothing once warmed up.
///
/// A JPEG is decoded only where the transform reads: its header gives the size, the transform
/// draws its plan, and libjpeg-turbo decodes the rows and (whole-iMCU) columns the plan reads, at the
/// smallest DCT scale M/8 that keeps them at least the output size when the transform
/// allows it. PNGs are decoded whole. Used by one thread at a time (each loader thread has its
/// own), hence `@unchecked Sendable`.
final class SampleDecoder: @unchecked Sendable {
    private var file = Buffer()
    private var pixels = Buffer()
    private var grey = Buffer()

    /// Growable raw bytes, never shrunk.
    private struct Buffer {
        var pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        var capacity = 1
        mutating func reserve(_ count: Int) {
            guard count > capacity else { return }
            pointer.deallocate()
            capacity = max(count, capacity * 3 / 2)
            pointer = .allocate(capacity: capacity)
        }
        /// Doubles the capacity, keeping the first `count` bytes.
        mutating func grow(keeping count: Int) {
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            larger.update(from: pointer, count: count)
            pointer.deallocate()
            pointer = larger
            capacity *= 2
        }
    }

    deinit {
        file.pointer.deallocate()
        pixels.pointer.deallocate()
        grey.pointer.deallocate()
    }

    /// Reads `path`, decodes it to `channels` (1 or 3) channels and writes the sample through
    /// `transform` into `out` (`transform.channels · size · size` floats), drawing from `random`.
    /// Throws ``ImageDecoder/DecodeError`` naming the file when it cannot be read or decoded
    /// (missing, empty, not an image, damaged, truncated); `out` is then left as it was.
    func decode(_ path: String, channels: Int, transform: some SampleTransform, random: inout RandomGenerator,
                into out: UnsafeMutablePointer<Float>) throws {
        let count = try read(path)
        let data = UnsafeBufferPointer(start: file.pointer, count: count)
        switch ImageDecoder.Format(data) {
        case .jpeg:
            try decodeJPEG(data, path: path, channels: channels, transform: transform, random: &random, into: out)
        case .png:
            var image = try ImageDecoder.decodePNG(data, path: path)
            if channels == 1 { image = ImageDecoder.luma(image) }
            transform.apply(image, random: &random, into: out)
        case nil:
            throw ImageDecoder.DecodeError(path: path, problem: count == 0 ? "is empty" : "is neither JPEG nor PNG")
        }
    }

    private func decodeJPEG(_ data: UnsafeBufferPointer<UInt8>, path: String, channels: Int, transform: some SampleTransform,
                            random: inout RandomGenerator, into out: UnsafeMutablePointer<Float>) throws {
        let (height, width) = try ImageDecoder.jpegSize(data, path: path)
        let plan = transform.plan(sourceHeight: height, sourceWidth: width, random: &random)
        let resize = plan.resize
        let m = transform.allowsReducedDecoding ? Self.scaleNumerator(resize) : 8
        let factor = Double(m) / 8
        // libjpeg's scaled size: ⌈side · M / 8⌉.
        let scaledHeight = (height * m + 7) / 8, scaledWidth = (width * m + 7) / 8
        // A pixel of margin around the region for the interpolation; across, one more, because
        // libjpeg-turbo's fancy upsampling treats the edges of a cropped decode as image edges:
        // the first and last columns decoded differ from a full decode unless they are the
        // image's own, and are dropped.
        let readRows = resize.readRows, readColumns = resize.readColumns
        let rows = Self.span(Double(resize.region.top + readRows.lowerBound) * factor,
                             Double(resize.region.top + readRows.upperBound) * factor, margin: 1, limit: scaledHeight)
        let columns = Self.span(Double(resize.region.left + readColumns.lowerBound) * factor,
                                Double(resize.region.left + readColumns.upperBound) * factor, margin: 2, limit: scaledWidth)
        pixels.reserve(rows.count * (columns.count + 64) * 3)
        let decoded = try ImageDecoder.decodeJPEGRegion(
            data, path: path, scale: m, rows: rows, columns: columns,
            into: UnsafeMutableBufferPointer(start: pixels.pointer, count: pixels.capacity))
        let first = decoded.lowerBound > 0 ? decoded.lowerBound + 1 : 0
        let last = decoded.upperBound < scaledWidth ? decoded.upperBound - 1 : decoded.upperBound
        var view = ImageView(pixels: pixels.pointer + (first - decoded.lowerBound) * 3, height: rows.count, width: last - first,
                             channels: 3, rowStride: decoded.count * 3,
                             top: Double(rows.lowerBound) / factor, left: Double(first) / factor, scale: 1 / factor)
        if channels == 1 {
            let count = rows.count * decoded.count
            grey.reserve(count)
            ImageDecoder.luma(pixels.pointer, into: grey.pointer, count: count)
            view = ImageView(pixels: grey.pointer + (first - decoded.lowerBound), height: view.height, width: view.width,
                             channels: 1, rowStride: decoded.count, top: view.top, left: view.left, scale: view.scale)
        }
        transform.apply(view, plan: plan, random: &random, into: out)
    }

    /// The smallest M of 1, 2, 4 (libjpeg-turbo's SIMD-reduced IDCTs; the others are plain C and
    /// slower than a full decode) whose M/8 scaling keeps the source rectangle the plan shows at
    /// least as many pixels as it becomes, each way; 8 (full size) when none does.
    static func scaleNumerator(_ plan: ResizePlan) -> Int {
        let extent = plan.sourceExtent
        let kept = plan.part.clipped(height: plan.height, width: plan.width)
        guard kept.height > 0, kept.width > 0 else { return 8 }
        for m in [1, 2, 4] where extent.height * Double(m) / 8 >= Double(kept.height)
            && extent.width * Double(m) / 8 >= Double(kept.width) { return m }
        return 8
    }

    /// Whole pixels covering `low ..< high` with `margin` more each side, within `0 ..< limit`.
    static func span(_ low: Double, _ high: Double, margin: Int, limit: Int) -> Range<Int> {
        let start = max(0, Int(low.rounded(.down)) - margin)
        let end = min(limit, Int(high.rounded(.up)) + margin)
        return start..<max(end, start + 1)
    }

    /// Reads the whole file into `file`; returns its length.
    private func read(_ path: String) throws -> Int {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ImageDecoder.DecodeError(path: path, problem: "cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ImageDecoder.DecodeError(path: path, problem: "cannot be read: \(String(cString: strerror(errno)))")
        }
        let expected = Int(status.st_size)
        file.reserve(expected + 1)
        var total = 0
        while total < file.capacity {
            let got = systemRead(descriptor, file.pointer + total, file.capacity - total)
            if got < 0 {
                if errno == EINTR { continue }
                throw ImageDecoder.DecodeError(path: path, problem: "cannot be read: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            total += got
            if total == file.capacity { file.grow(keeping: total) }
        }
        return total
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}
