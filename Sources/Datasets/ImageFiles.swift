import TensorEngine

/// Image files turned into a model's evaluation input.
public enum ImageFiles {
    /// ImageNet's mean and standard deviation on the 0–255 scale (MindCV's defaults).
    public static let imageNetMean: [Float] = [123.675, 116.28, 103.53]
    public static let imageNetStd: [Float] = [58.395, 57.12, 57.375]

    /// `[B, C, size, size]`: each file decoded, the shorter side scaled to `size / cropFraction`, the
    /// centre `size × size` taken (Pillow's bilinear), normalised with ImageNet's statistics.
    public static func evaluationBatch(_ paths: [String], size: Int, channels: Int,
                                       cropFraction: Double = 0.9) throws -> Tensor {
        let normalization = PixelNormalization(mean: channels == 1 ? [imageNetMean.reduce(0, +) / 3] : imageNetMean,
                                               std: channels == 1 ? [imageNetStd.reduce(0, +) / 3] : imageNetStd)
        let transform = ImageTransform(mode: .evaluation(EvaluationCrop(size: size, cropPct: cropFraction)),
                                       normalization: normalization)
        return try evaluationBatch(paths, transform: transform, channels: channels)
    }

    /// `[B, C, size, size]`: each file decoded to `channels` channels and put through `transform`
    /// (a recipe's evaluation transform, with its crop and normalisation).
    public static func evaluationBatch(_ paths: [String], transform: ImageTransform, channels: Int) throws -> Tensor {
        let size = transform.size
        let batch = Tensor(uninitializedShape: [paths.count, channels, size, size])
        var random = RandomGenerator(seed: 0)
        for (i, path) in paths.enumerated() {
            var transform = transform
            transform.outputChannels = channels
            let image = try ImageDecoder.decode(path, channels: channels)
            transform.apply(image, random: &random, into: batch.data + i * channels * size * size)
        }
        return batch
    }
}
