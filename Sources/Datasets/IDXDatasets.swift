import Foundation

/// MNIST and Fashion-MNIST from their IDX files (`train-images-idx3-ubyte[.gz]` and friends).
public enum IDXDatasets {
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                             "Sneaker", "Bag", "Ankle boot"]
    public static let mnistClasses = (0..<10).map(String.init)

    public enum Split: String, Sendable { case train, test }

    public struct MissingData: Error, CustomStringConvertible {
        public let directory: String
        public let dataset: String
        public var description: String {
            dataset == "fashion_mnist"
                ? "\(directory) does not hold Fashion-MNIST (train-images-idx3-ubyte.gz …); install Debian's package with `sudo apt-get install dataset-fashion-mnist` (or run tools/setup.sh), or set data_dir"
                : "\(directory) does not hold MNIST's IDX files (train-images-idx3-ubyte[.gz] …); download them from the MNIST site into that folder, or set data_dir"
        }
    }

    /// Loads one split. `split` accepts MindCV's names too: `val`/`test` → the t10k files.
    public static func load(directory: String, dataset: String, split: String, classNames: [String]) throws -> ImageClassificationSet {
        let prefix = ["train"].contains(split) ? "train" : "t10k"
        func locate(_ stem: String) throws -> String {
            for candidate in ["\(directory)/\(prefix)-\(stem)", "\(directory)/\(prefix)-\(stem).gz"]
            where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
            throw MissingData(directory: directory, dataset: dataset)
        }
        let images = try IDXFile.read(try locate("images-idx3-ubyte"))
        let labels = try IDXFile.read(try locate("labels-idx1-ubyte"))
        guard images.shape.count == 3, labels.shape.count == 1, images.shape[0] == labels.shape[0] else {
            throw IDXFile.FormatError(path: directory, problem: "image file \(images.shape) and label file \(labels.shape) do not match")
        }
        if let bad = labels.bytes.first(where: { Int($0) >= classNames.count }) {
            throw IDXFile.FormatError(path: directory, problem: "label \(bad) is outside the \(classNames.count) classes")
        }
        return ImageClassificationSet(images: images.bytes, labels: labels.bytes.map(Int32.init), height: images.shape[1],
                                      width: images.shape[2], channels: 1, classNames: classNames)
    }
}
