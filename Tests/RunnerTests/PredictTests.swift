import Foundation
import Testing
import TensorEngine

/// `runner predict` on a ready input tensor (logits written out) and on image files.
@Suite struct PredictTests {
    @Test func logitsOfAnInputTensor() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        var random = RandomGenerator(seed: 1)
        try Safetensors.write([("input", Tensor.normal([2, 3, 32, 32], using: &random))],
                              to: URL(fileURLWithPath: scratch.path("input.safetensors")))
        let result = try scratch.run(["predict", "--model", "resnet18", "--classes", "7", "--input", "input.safetensors",
                                      "--logits-out", "logits.safetensors"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.standardError.contains("random weights"))
        let logits = try Safetensors.read(URL(fileURLWithPath: scratch.path("logits.safetensors")))
        #expect(logits.names == ["logits"])
        #expect(logits["logits"]?.shape == [2, 7])
        #expect(result.standardOutput.contains("input.safetensors[1]"))
    }

    @Test func topFiveOfImages() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DatasetsTests/Fixtures")
        let result = try scratch.run(["predict", "--model", "resnet18", "--classes", "10", "--image-size", "64",
                                      fixtures.appendingPathComponent("rgb.png").path, fixtures.appendingPathComponent("rgb.jpg").path])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.standardOutput.components(separatedBy: "%  class").count - 1 == 10, "\(result.standardOutput)")
    }
}

/// `runner predict` names classes from a names file, the recipe's dataset, the weights' metadata
/// (runner's checkpoints) or a Hugging Face `config.json` beside the weights.
@Suite struct PredictClassNameTests {
    static let fashion = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let quickstart = repository.appendingPathComponent("configs/quickstart_fashion_mnist.yaml").path
    static let huggingFaceFixture = repository.appendingPathComponent("Tests/ModelsTests/Fixtures/swinv2_hf_tiny")

    /// The `(index, name)` of every top-5 line (`  12.34%  class 3  Dress`); name "" when none is printed.
    static func predictions(_ output: String) -> [(index: Int, name: String)] {
        output.split(separator: "\n").compactMap { line -> (Int, String)? in
            guard let range = line.range(of: "%  class ") else { return nil }
            let rest = line[range.upperBound...]
            let digits = rest.prefix { $0.isNumber }
            guard let index = Int(digits) else { return nil }
            return (index, String(rest.dropFirst(digits.count)).trimmingCharacters(in: .whitespaces))
        }
    }

    /// Asserts five lines per input row, each naming its class as `names` does.
    static func expectNamed(_ output: String, rows: Int, _ names: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = predictions(output)
        #expect(lines.count == 5 * rows, "\(output)", sourceLocation: sourceLocation)
        for line in lines {
            #expect(line.name == names[line.index], "\(output)", sourceLocation: sourceLocation)
        }
    }

    static func writeInput(_ scratch: RunnerProcess, shape: [Int]) throws {
        var random = RandomGenerator(seed: 3)
        try Safetensors.write([("input", Tensor.normal(shape, using: &random))], to: URL(fileURLWithPath: scratch.path("input.safetensors")))
    }

    @Test func namesFromTheRecipesDataset() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try Self.writeInput(scratch, shape: [2, 1, 32, 32])
        let result = try scratch.run(["predict", "-c", Self.quickstart, "--input", "input.safetensors"])
        #expect(result.status == 0, "\(result.combined)")
        Self.expectNamed(result.standardOutput, rows: 2, Self.fashion)
    }

    @Test func namesFromAFileOneALineOrJSON() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try Self.writeInput(scratch, shape: [1, 3, 32, 32])
        try scratch.write("names.txt", "cat\ndog\nbird\nfish\nfrog\nhorse\n\n")
        try scratch.write("names.json", #"["ant", "bee", "cow", "doe", "elk", "fox"]"#)
        for (file, names) in [("names.txt", ["cat", "dog", "bird", "fish", "frog", "horse"]), ("names.json", ["ant", "bee", "cow", "doe", "elk", "fox"])] {
            let result = try scratch.run(["predict", "--model", "resnet18", "--classes", "6", "--input", "input.safetensors", "--class-names", file])
            #expect(result.status == 0, "\(result.combined)")
            Self.expectNamed(result.standardOutput, rows: 1, names)
        }
        let wrong = try scratch.run(["predict", "--model", "resnet18", "--classes", "7", "--input", "input.safetensors", "--class-names", "names.txt"])
        #expect(wrong.status != 0)
        #expect(wrong.standardError.contains("holds 6 class names; the model has 7 classes"), "\(wrong.combined)")
    }

    @Test func withoutNamesIndicesOnly() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        try Self.writeInput(scratch, shape: [1, 3, 32, 32])
        let result = try scratch.run(["predict", "--model", "resnet18", "--classes", "6", "--input", "input.safetensors"])
        #expect(result.status == 0, "\(result.combined)")
        let lines = Self.predictions(result.standardOutput)
        #expect(lines.count == 5 && lines.allSatisfy { $0.name.isEmpty }, "\(result.standardOutput)")
    }

    /// transformers' `save_pretrained` output (weights + config.json with id2label) run through a
    /// recipe: Hugging Face names detected, transformers' logits reproduced, labels printed.
    @Test func huggingFaceWeightsAndConfigLabelsThroughARecipe() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let folder = URL(fileURLWithPath: scratch.path("hf"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["model.safetensors", "config.json"] {
            try FileManager.default.copyItem(at: Self.huggingFaceFixture.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let expected = try Safetensors.read(Self.huggingFaceFixture.appendingPathComponent("expected.safetensors"))
        let input = try #require(expected["input"]).tensor()
        try Safetensors.write([("input", input)], to: URL(fileURLWithPath: scratch.path("input.safetensors")))
        try scratch.write("tiny-hf.yaml", """
            model: swinv2_tiny_window8_256
            model_kwargs: {img_size: 32, patch_size: 4, embed_dim: 16, depths: [2, 1], num_heads: [2, 2], window_size: 4}
            num_classes: 10
            image_resize: 32
            dataset: synthetic
            """)
        for format in ["auto", "hf"] {
            let result = try scratch.run(["predict", "-c", "tiny-hf.yaml", "--weights", "hf/model.safetensors", "--weights-format", format,
                                          "--input", "input.safetensors", "--logits-out", "logits.safetensors"])
            #expect(result.status == 0, "\(result.combined)")
            Self.expectNamed(result.standardOutput, rows: 2, ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
            let logits = try #require(try Safetensors.read(URL(fileURLWithPath: scratch.path("logits.safetensors")))["logits"]).tensor()
            let reference = try #require(expected["logits"]).tensor().scalars
            let worst = zip(logits.scalars, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-4 * (reference.map(abs).max() ?? 1), "max |Δlogit| \(worst)")
        }
    }

    /// A checkpoint from `runner train` on Fashion-MNIST carries the class names in its metadata;
    /// predict prints them even when the recipe it is given has none.
    @Test func namesFromACheckpointsMetadata() throws {
        let scratch = try RunnerProcess()
        defer { scratch.cleanUp() }
        let train = try scratch.run(["train", "-c", Self.quickstart, "--set", "num_samples=64", "--set", "epoch_size=1",
                                     "--set", "warmup_epochs=0", "--set", "decay_epochs=1", "--set", "batch_size=32",
                                     "--set", "val_batch_size=32"])
        #expect(train.status == 0, "\(train.combined)")
        let folder = try scratch.runFolder()
        let checkpoint = "\(folder)/last.safetensors"
        let metadata = try Safetensors.read(URL(fileURLWithPath: checkpoint)).metadata
        let json = try #require(metadata["class_names"], "\(metadata)")
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String] == Self.fashion)
        try Self.writeInput(scratch, shape: [1, 1, 32, 32])
        let result = try scratch.run(["predict", "-c", Self.quickstart, "--set", "dataset=synthetic", "--weights", checkpoint,
                                      "--input", "input.safetensors"])
        #expect(result.status == 0, "\(result.combined)")
        Self.expectNamed(result.standardOutput, rows: 1, Self.fashion)
    }
}
