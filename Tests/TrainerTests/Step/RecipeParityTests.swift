import Foundation
import Testing
import TensorEngine
import Layers
import Datasets
import Recipes
import Training
@testable import Trainer

/// Fifty updates of a small SwinV2 through the recipe's own assembly (parameter groups, optimizer,
/// schedule, clipping, accumulation) against PyTorch running the same recipe from the same weights
/// on the same batches (`tools/make_recipe_parity.py`, float64): every step's rate and loss, and
/// the weights after the last, within 1e-3 relative (they agree to ~1e-6 and ~3e-5).
/// `adamw_accumulate2` accumulates two batches of 8 per update here against PyTorch's batch-16
/// run (PyTorch's own accumulated run equals that to 1e-15).
@Suite struct RecipeParityTests {
    static let fixture: Safetensors.File = {
        let url = Bundle.module.url(forResource: "recipe_parity", withExtension: "safetensors", subdirectory: "Fixtures")!
        return try! Safetensors.read(url)
    }()

    /// The recipe of each PyTorch case in this runner's keys; `batch` and `accumulation` give the
    /// micro-batches each update reads.
    static let recipes: [String: (keys: String, batch: Int, accumulation: Int)] = [
        "sgd": ("""
            opt: sgd
            momentum: 0.9
            weight_decay: 0.0001
            scheduler: constant
            lr: 0.05
            warmup_epochs: 0
            epoch_size: 5
            """, 8, 1),
        "adamw_cosine": (torchvisionAdamW(epochs: 5), 8, 1),
        "adamw_batch16": (torchvisionAdamW(epochs: 10), 16, 1),
        "adamw_accumulate2": (torchvisionAdamW(epochs: 10) + "\ngradient_accumulation_steps: 2", 8, 2),
    ]

    /// torchvision's Swin V2 optimizer and schedule, per epoch: AdamW with no decay on norms,
    /// biases and embeddings, label smoothing 0.1, clipping at norm 5, two epochs of linear
    /// warm-up from 0.01 × lr, then cosine to lr_min.
    static func torchvisionAdamW(epochs: Int) -> String {
        """
        opt: adamw
        lr: 0.001
        weight_decay: 0.05
        norm_weight_decay: 0.0
        bias_weight_decay: 0.0
        transformer_embedding_decay: 0.0
        eps: 1.0e-8
        opt_betas: [0.9, 0.999]
        scheduler: cosine_decay
        min_lr: 1.0e-5
        warmup_epochs: 2
        warmup_factor: 0.01
        warmup_method: linear
        decay_epochs: \(epochs - 2)
        lr_epoch_stair: True
        label_smoothing: 0.1
        clip_grad: True
        clip_value: 5.0
        epoch_size: \(epochs)
        """
    }

    static func floats(_ name: String) throws -> [Float] {
        let tensor = try #require(fixture[name], "\(name) missing from recipe_parity.safetensors").tensor()
        return Array(UnsafeBufferPointer(start: tensor.data, count: tensor.count))
    }

    @Test(arguments: ["sgd", "adamw_cosine", "adamw_batch16", "adamw_accumulate2"])
    func matchesPyTorch(_ name: String) throws {
        let recipe = try #require(Self.recipes[name])
        let text = """
            dataset: synthetic
            num_samples: 80
            batch_size: \(recipe.batch)
            shuffle: False
            image_resize: 16
            model: swinv2_tiny_window8_256
            model_kwargs: {img_size: 16, patch_size: 2, embed_dim: 16, depths: [1, 1], num_heads: [2, 2], window_size: 4}
            num_classes: 5
            drop_rate: 0.0
            drop_path_rate: 0.0
            loss: CE

            """ + recipe.keys + "\n"
        let assembly = try TrainingAssembly(try Experiment.load(yaml: text, path: "\(name).yaml"))
        #expect(assembly.updatesPerEpoch == 80 / (recipe.batch * recipe.accumulation))

        // The groups PyTorch's run used (torchvision's rule; timm's q_bias/v_bias are its qkv.bias).
        let cases = try JSONSerialization.jsonObject(with: Data(try #require(Self.fixture.metadata["cases"]).utf8)) as! [[String: Any]]
        let torchCase = try #require(cases.first { $0["name"] as? String == name })
        if let groups = torchCase["groups"] as? [String: [String]] {
            #expect(Dictionary(uniqueKeysWithValues: assembly.parameterGroups.map { ($0.name, Set($0.parameters.map(\.name))) })
                    == Dictionary(groups.map { (TorchRecipeGoldenTests.runnerGroup($0.key), Set($0.value)) }, uniquingKeysWith: { $0.union($1) }))
        }

        var weights: [String: Tensor] = [:]
        for entry in Self.fixture.entries where entry.name.hasPrefix("weights.") {
            weights[String(entry.name.dropFirst("weights.".count))] = entry.tensor()
        }
        _ = try assembly.model.loadState(weights, source: "recipe_parity.safetensors")

        let images = try #require(Self.fixture["data.images"]).tensor()
        let labels = try #require(Self.fixture["data.labels"]).integers().map(Int32.init)
        let sampleSize = 3 * 16 * 16
        func batch(_ index: Int) -> Batch {
            let first = (index % (80 / recipe.batch)) * recipe.batch
            let slice = Tensor(uninitializedShape: [recipe.batch, 3, 16, 16])
            slice.data.update(from: images.data + first * sampleSize, count: recipe.batch * sampleSize)
            return Batch(images: slice, labels: Array(labels[first..<first + recipe.batch]))
        }

        let reference = name == "adamw_accumulate2" ? "adamw_batch16" : name
        let expectedLosses = try Self.floats("\(reference).losses")
        let expectedRates = try Self.floats("\(name).lrs")
        let context = ForwardContext(training: true, random: RandomGenerator(seed: 1))
        var worstLoss: Float = 0
        for update in 0..<50 {
            let rate = assembly.schedule.learningRate(step: update)
            #expect(abs(Float(rate) - expectedRates[update]) <= 1e-6 * expectedRates[update], "step \(update): lr \(rate), PyTorch \(expectedRates[update])")
            let group = (0..<recipe.accumulation).map { batch(update * recipe.accumulation + $0) }
            let outcomes = try assembly.step(group, learningRate: rate, step: update + 1, context: context)
            let loss = Float(outcomes.map(\.loss).reduce(0, +) / Double(outcomes.count))
            let error = abs(loss - expectedLosses[update]) / abs(expectedLosses[update])
            worstLoss = max(worstLoss, error)
            #expect(error <= 1e-3, "step \(update): loss \(loss), PyTorch \(expectedLosses[update])")
        }

        var worstWeight: Float = 0
        for (parameterName, tensor) in assembly.model.namedParameters() {
            let expected = try Self.floats("\(name).final.\(parameterName)")
            let actual = Array(UnsafeBufferPointer(start: tensor.data, count: tensor.count))
            let scale = max(expected.map(abs).max() ?? 0, 1e-6)
            let error = zip(actual, expected).map { abs($0 - $1) / scale }.max() ?? 0
            worstWeight = max(worstWeight, error)
            #expect(error <= 1e-3, "\(parameterName): final weights differ by \(error) of their scale")
        }
        print("recipe parity \(name): worst loss error \(worstLoss), worst final weight error \(worstWeight) (relative)")
    }
}
