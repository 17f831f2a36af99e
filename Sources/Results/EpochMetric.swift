/// A per-epoch figure that compare tables and plots can show.
public enum EpochMetric: String, Sendable, CaseIterable {
    /// Mean training loss.
    case trainLoss = "train_loss"
    /// Validation loss.
    case valLoss = "val_loss"
    /// Validation top-1 accuracy, percent.
    case top1
    /// Validation top-5 accuracy, percent.
    case top5
    /// Training throughput, images per second.
    case trainImagesPerSecond = "train_img_s"
    /// Learning rate.
    case lr

    /// Short human title, e.g. `top-1`.
    public var title: String {
        switch self {
        case .trainLoss: "loss"
        case .valLoss: "val loss"
        case .top1: "top-1"
        case .top5: "top-5"
        case .trainImagesPerSecond: "img/s"
        case .lr: "lr"
        }
    }

    /// Digits after the point in text output.
    var decimals: Int {
        switch self {
        case .trainLoss, .valLoss: 4
        case .top1, .top5: 2
        case .trainImagesPerSecond: 1
        case .lr: 6
        }
    }

    /// The metric's value in `epoch`, if recorded.
    public func value(in epoch: EpochRecord) -> Double? {
        switch self {
        case .trainLoss: epoch.trainLoss
        case .valLoss: epoch.valLoss
        case .top1: epoch.top1
        case .top5: epoch.top5
        case .trainImagesPerSecond: epoch.trainImagesPerSecond
        case .lr: epoch.lr
        }
    }
}
