/// A labelled set of small grey-scale or colour images held in memory as bytes, `[N, H, W, C]`.
public struct ImageClassificationSet: Sendable {
    public let images: [UInt8]
    public let labels: [Int32]
    public let height: Int, width: Int, channels: Int
    public let classNames: [String]

    public var count: Int { labels.count }
    public var classCount: Int { classNames.count }

    public init(images: [UInt8], labels: [Int32], height: Int, width: Int, channels: Int, classNames: [String]) {
        self.images = images
        self.labels = labels
        self.height = height
        self.width = width
        self.channels = channels
        self.classNames = classNames
    }

    /// The first `n` samples (MindCV's `num_samples`).
    public func prefix(_ n: Int) -> ImageClassificationSet {
        let n = min(n, count)
        return ImageClassificationSet(images: Array(images[0..<(n * height * width * channels)]), labels: Array(labels[0..<n]),
                                      height: height, width: width, channels: channels, classNames: classNames)
    }
}
