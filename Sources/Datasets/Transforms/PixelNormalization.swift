/// The last step of the pipeline, MindCV's `Normalize(mean, std)` on the 0–255 scale followed by
/// `HWC2CHW`: `(x − mean_c) / std_c` in float32, written channel-planar `[C, H, W]` straight into
/// the batch buffer, mirrored on the way if the image is flipped.
///
/// A byte has 256 values, so each channel's results are a table computed once, with the same
/// float32 subtraction and division as MindSpore and NumPy: the output equals theirs exactly.
/// (torchvision's `(x / 255 − m) / s` with m, s on the 0–1 scale differs in the last bits; a few
/// 1e-7 relative.)
public struct PixelNormalization: Sendable {
    public let mean: [Float]
    public let std: [Float]
    /// `tables[c · 256 + x]`: byte `x` of output channel `c`, normalised.
    let tables: [Float]

    /// Per-channel statistics on the 0–255 scale; a single value serves every channel, and
    /// channel c uses `mean[min(c, mean.count − 1)]`, as MindCV broadcasts a single value.
    public init(mean: [Float], std: [Float]) {
        precondition(!mean.isEmpty && !std.isEmpty, "PixelNormalization: mean and std need a value")
        self.mean = mean
        self.std = std
        let channels = max(mean.count, std.count, 3)
        var tables = [Float](repeating: 0, count: channels * 256)
        for c in 0..<channels {
            let m = mean[min(c, mean.count - 1)], s = std[min(c, std.count - 1)]
            for x in 0..<256 { tables[c * 256 + x] = (Float(x) - m) / s }
        }
        self.tables = tables
    }

    /// Writes `image` normalised into `out`, `[channels, H, W]` floats, mirrored by `flip`.
    /// `channels` defaults to the image's; a one-channel image written as three repeats its
    /// channel (PIL's `convert("RGB")`), each copy normalised with its own channel's statistics.
    public func write(_ image: DecodedImage, flip: ImageFlip = [], channels: Int? = nil,
                      into out: UnsafeMutablePointer<Float>) {
        let outChannels = channels ?? image.channels, c = image.channels
        precondition(outChannels == c || c == 1, "PixelNormalization: \(c)-channel images cannot become \(outChannels) channels")
        precondition(outChannels * 256 <= tables.count, "PixelNormalization: \(outChannels) channels, statistics for \(tables.count / 256)")
        let (h, w) = (image.height, image.width)
        let mirrorX = flip.contains(.horizontal), mirrorY = flip.contains(.vertical)
        image.pixels.withUnsafeBufferPointer { source in
            tables.withUnsafeBufferPointer { tables in
                for channel in 0..<outChannels {
                    let table = tables.baseAddress! + channel * 256, sourceChannel = min(channel, c - 1)
                    for y in 0..<h {
                        let row = source.baseAddress! + (mirrorY ? h - 1 - y : y) * w * c + sourceChannel
                        let target = out + (channel * h + y) * w
                        if mirrorX {
                            for x in 0..<w { target[x] = table[Int(row[(w - 1 - x) * c])] }
                        } else {
                            for x in 0..<w { target[x] = table[Int(row[x * c])] }
                        }
                    }
                }
            }
        }
    }
}
