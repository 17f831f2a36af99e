import ArgumentParser
import Foundation
import TensorEngine
import Layers
import Models
import Datasets

/// `runner predict`: top-5 classes of images (or of a ready input tensor) under a model's weights;
/// optionally the logits to a safetensors file, to compare with other frameworks.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Top-5 classes of images, or logits of a ready [B, C, H, W] tensor, under a model's weights.")

    @Option(help: "A registered model name (see runner models).")
    var model: String

    @Option(help: "Weights (.safetensors) under timm's, torchvision's or Hugging Face's names.")
    var weights: String?

    @Option(help: "Where the weights come from when the file does not tell: timm, torchvision or hf.")
    var weightsFormat: String = "auto"

    @Option(help: "A safetensors file holding one tensor [B, C, H, W] to run instead of images.")
    var input: String?

    @Option(help: "Write the logits [B, classes] to this safetensors file (one tensor named logits).")
    var logitsOut: String?

    @Option(help: "Number of classes (default: the weights' classifier, else 1000).")
    var classes: Int?

    @Option(help: "Input channels (default 3).")
    var inChannels: Int?

    @Option(help: "Input side (default: the model's).")
    var imageSize: Int?

    @Argument(help: "JPEG or PNG images.")
    var images: [String] = []

    func run() throws {
        guard input != nil || !images.isEmpty else {
            throw ValidationError("give images, or --input FILE.safetensors with a [B, C, H, W] tensor")
        }
        guard let format = WeightsFormat(argument: weightsFormat) else {
            throw ValidationError("--weights-format must be one of \(WeightsFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var inputTensor: Tensor?
        if let input {
            let file = try Safetensors.read(URL(fileURLWithPath: input))
            guard file.entries.count == 1, let entry = file.entries.first, entry.shape.count == 4 else {
                throw ValidationError("\(input) must hold exactly one tensor [B, C, H, W]; it holds \(file.entries.map { "\($0.name) \($0.shape)" }.joined(separator: ", "))")
            }
            inputTensor = entry.tensor()
        }
        let classCount = try classes ?? weights.flatMap { try Self.classifierSize(URL(fileURLWithPath: $0), model: model) }
        let size = imageSize ?? inputTensor.map { $0.shape[2] }
        let channels = inChannels ?? inputTensor.map { $0.shape[1] }
        let network = try ModelRegistry.standard.build(model, options: ModelOptions(classes: classCount, inChannels: channels,
                                                                                     imageSize: size, dropPathRate: 0))
        if let weights {
            let report = try WeightLoading.load(into: network, from: URL(fileURLWithPath: weights), format: format)
            for notice in report.notices { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
        } else {
            FileHandle.standardError.write(Data("note: no --weights given: the network has random weights\n".utf8))
        }
        let batch: Tensor
        var names: [String]
        if let inputTensor {
            batch = inputTensor
            names = (0..<inputTensor.shape[0]).map { "\(input!)[\($0)]" }
        } else {
            batch = try ImageFiles.evaluationBatch(images, size: network.imageSize, channels: network.inChannels)
            names = images
        }
        let logits = Tape.withoutRecording { network(batch, .evaluation()) }
        if let logitsOut {
            try Safetensors.write([("logits", logits)], metadata: ["model": model], to: URL(fileURLWithPath: logitsOut))
        }
        let probabilities = logits.softmax(axis: -1)
        let classCountOut = logits.shape[1]
        for (row, name) in names.enumerated() {
            let values = Array(UnsafeBufferPointer(start: probabilities.data + row * classCountOut, count: classCountOut))
            let top = values.enumerated().sorted { $0.element > $1.element }.prefix(5)
            print(name)
            for (index, probability) in top {
                print(String(format: "  %5.2f%%  class %d", 100 * probability, index))
            }
        }
    }

    /// The classifier's output size in a weights file, if it has a recognisable classifier.
    static func classifierSize(_ url: URL, model: String) throws -> Int? {
        let file = try Safetensors.read(url)
        for name in ["head.fc.weight", "head.weight", "fc.weight", "classifier.weight"] {
            if let entry = file[name], entry.shape.count == 2 { return entry.shape[0] }
        }
        return nil
    }
}
