import TensorEngine
@testable import Datasets

extension ImageTransform {
    /// A training transform with the crop, flips and jitter given and no policy or erasing.
    static func training(size: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>, horizontalFlip: Double,
                         verticalFlip: Double, colorJitter: ColorJitterStrength = .none, mean: [Float], std: [Float],
                         outputChannels: Int? = nil) -> ImageTransform {
        let crop = RandomResizedCrop(size: size, scale: scale, ratio: ratio, horizontalFlip: horizontalFlip, verticalFlip: verticalFlip)
        return ImageTransform(mode: .train(TrainingAugmentation(crop: crop, colorJitter: colorJitter)),
                              normalization: PixelNormalization(mean: mean, std: std), outputChannels: outputChannels)
    }

    /// The `crop_pct` evaluation transform with Pillow's bilinear filter.
    static func evaluation(size: Int, cropFraction: Double, mean: [Float], std: [Float], outputChannels: Int? = nil) -> ImageTransform {
        ImageTransform(mode: .evaluation(EvaluationCrop(size: size, cropPct: cropFraction)),
                       normalization: PixelNormalization(mean: mean, std: std), outputChannels: outputChannels)
    }
}
