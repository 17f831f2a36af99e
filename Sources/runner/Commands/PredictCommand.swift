import ArgumentParser
import Foundation
import TensorEngine
import Layers
import Models
import Datasets
import Recipes
import Trainer

/// `runner predict`: top-5 classes of images (or of a ready input tensor) under a model's weights;
/// optionally the logits to a safetensors file, to compare with other frameworks. Classes are named
/// where a names file (`--class-names`), the recipe's dataset (`-c`), the weights' `class_names`
/// metadata or a Hugging Face `config.json` beside the weights provides names, in that order.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Top-5 classes of images, or logits of a ready [B, C, H, W] tensor, under a model's weights.")

    @Option(help: "A registered model name (see runner models); default: the recipe's.")
    var model: String?

    @Option(name: [.short, .customLong("config")], help: "A recipe: its model (unless --model is given) and its dataset's class names.")
    var config: String?

    @Option(name: .customLong("set"), help: "Override a recipe key (repeatable).")
    var overrides: [String] = []

    @Option(help: "Class names: a JSON array of strings, or one name per line.")
    var classNames: String?

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

    @Flag(help: "bfloat16 products (as val_amp_level O2): operands rounded to bfloat16, float32 accumulation; float32, with a note, on a processor without AVX512-BF16.")
    var amp = false

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
        let experiment = try config.map { try ExperimentLoading.load(config: $0, overrides: overrides) }
        let network: any ClassificationModel
        let modelName: String
        if let model {
            modelName = model
            let classCount = try classes ?? weights.flatMap { try Self.classifierSize(URL(fileURLWithPath: $0), model: model) }
            let size = imageSize ?? inputTensor.map { $0.shape[2] }
            let channels = inChannels ?? inputTensor.map { $0.shape[1] }
            network = try ModelRegistry.standard.build(model, options: ModelOptions(classes: classCount, inChannels: channels,
                                                                                     imageSize: size, dropPathRate: 0))
        } else if let experiment {
            guard classes == nil && imageSize == nil && inChannels == nil else {
                throw ValidationError("--classes, --image-size and --in-channels go with --model; with a recipe alone, set them in the recipe (--set num_classes=…)")
            }
            modelName = experiment.model.name
            network = try ModelAssembly.build(experiment, classes: DatasetAssembly.classNames(experiment)?.count)
        } else {
            throw ValidationError("give --model NAME, or a recipe with -c FILE")
        }
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
            // A recipe's own evaluation transform (crop_pct, mean, std); ImageNet's otherwise.
            batch = try experiment.map {
                try ImageFiles.evaluationBatch(images, transform: DatasetAssembly.transform($0, split: .validation),
                                               channels: network.inChannels)
            } ?? ImageFiles.evaluationBatch(images, size: network.imageSize, channels: network.inChannels)
            names = images
        }
        var precision = ProductPrecision.float32
        if amp {
            if ProductPrecision.bfloat16Available {
                precision = .bfloat16
            } else {
                FileHandle.standardError.write(Data("note: --amp asks for bfloat16, but this processor has no AVX512-BF16 instructions: products run in float32\n".utf8))
            }
        }
        let logits = ProductPrecision.run(precision) { Tape.withoutRecording { network(batch, .evaluation()) } }
        if let logitsOut {
            try Safetensors.write([("logits", logits)], metadata: ["model": modelName], to: URL(fileURLWithPath: logitsOut))
        }
        let probabilities = logits.softmax(axis: -1)
        let classCountOut = logits.shape[1]
        let labels = try resolveClassNames(count: classCountOut, experiment: experiment)
        for (row, name) in names.enumerated() {
            let values = Array(UnsafeBufferPointer(start: probabilities.data + row * classCountOut, count: classCountOut))
            let top = values.enumerated().sorted { $0.element > $1.element }.prefix(5)
            print(name)
            for (index, probability) in top {
                let line = String(format: "  %5.2f%%  class %d", 100 * probability, index)
                print(labels.map { "\(line)  \($0[index])" } ?? line)
            }
        }
    }

    /// The first source of class names with exactly `count` names (see the type's discussion), or nil
    /// for indices only. A names file of the wrong length is an error; other sources of the wrong
    /// length are passed over with a note.
    func resolveClassNames(count: Int, experiment: Experiment?) throws -> [String]? {
        if let classNames {
            let names = try ClassNameSources.file(classNames)
            guard names.count == count else {
                throw ValidationError("\(classNames) holds \(names.count) class names; the model has \(count) classes")
            }
            return names
        }
        var candidates: [(source: String, names: [String]?)] = []
        if let experiment {
            candidates.append(("the recipe's dataset \(experiment.dataset.name.rawValue)", DatasetAssembly.classNames(experiment)))
        }
        if let weights {
            let url = URL(fileURLWithPath: weights)
            candidates.append(("\(weights) metadata \(ClassNameSources.metadataKey)", ClassNameSources.metadata(try Safetensors.read(url).metadata)))
            candidates.append(("config.json beside \(weights)", ClassNameSources.huggingFaceConfig(besideWeights: url)))
        }
        for (source, names) in candidates {
            guard let names else { continue }
            if names.count == count { return names }
            FileHandle.standardError.write(Data("note: \(source) names \(names.count) classes, the model has \(count); not used\n".utf8))
        }
        return nil
    }

    /// The classifier's output size in a weights file, if it has a recognisable classifier.
    static func classifierSize(_ url: URL, model: String) throws -> Int? {
        let file = try Safetensors.read(url)
        for name in ["head.fc.weight", "head.weight", "fc.weight", "classifier.weight", "classifier.1.weight"] {
            if let entry = file[name], entry.shape.count == 2 { return entry.shape[0] }
        }
        return nil
    }
}
